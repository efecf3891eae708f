"""Carrying out effects on Slack: render each one and make its Web API call, in order.

Transient failures (HTTP 429 with Retry-After, 5xx, dropped connections) are retried with
backoff by the retry handlers set on the client (``make_client``). What still fails is
either harmless (a reaction that is already there), worked around (an ephemeral reply in a
channel the bot is not in goes through the slash command's ``response_url``), or raised to
the caller as ``DeliveryFailed`` naming the call and Slack's error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import Call, render
from bot.effects import Effect, PrivateReply

log = logging.getLogger("gavel.slack.delivery")

# Errors that mean "nothing to do", not "failed".
_HARMLESS = {"already_reacted", "already_in_channel"}
# Optional effects: without the scope or membership they need, the meeting goes on.
_OPTIONAL_METHODS = {"conversations_setTopic", "reactions_add"}
# An ephemeral reply cannot reach these places; the slash command's response_url can.
_EPHEMERAL_UNREACHABLE = {"channel_not_found", "not_in_channel", "user_not_in_channel"}


class DeliveryFailed(Exception):
    """Slack refused a call even after retries; the message names the call and the error."""


def make_client(token: str | None, base_url: str | None) -> AsyncWebClient:
    """An ``AsyncWebClient`` that retries rate limits, 5xx answers and connection errors."""
    client = AsyncWebClient(token=token, base_url=base_url or AsyncWebClient.BASE_URL)
    client.retry_handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


async def deliver(client: AsyncWebClient, effects: Sequence[Effect], token: str | None = None,
                  response_url: str = "") -> None:
    """Make the calls for ``effects`` in order; raise ``DeliveryFailed`` on the first that
    Slack refuses (optional ones are only logged)."""
    for effect in effects:
        call = render(effect)
        try:
            await _call(client, call, token)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            if error in _HARMLESS:
                continue
            if isinstance(effect, PrivateReply) and response_url and \
                    error in _EPHEMERAL_UNREACHABLE:
                await _respond(response_url, call)
                continue
            if call.method in _OPTIONAL_METHODS:
                log.warning("Slack %s in %s failed: %s", call.method, effect.place.channel, error)
                continue
            raise DeliveryFailed(f"Slack {call.method} in {effect.place.channel}: {error}") \
                from None


async def _call(client: AsyncWebClient, call: Call, token: str | None) -> None:
    method = getattr(client, call.method)
    kwargs = dict(call.kwargs)
    if token:
        kwargs["token"] = token
    await method(**kwargs)


async def _respond(response_url: str, call: Call) -> None:
    webhook = AsyncWebhookClient(response_url)
    response = await webhook.send(text=call.kwargs["text"], blocks=call.kwargs.get("blocks"),
                                  response_type="ephemeral")
    if response.status_code != 200:
        raise DeliveryFailed(f"Slack response_url answered {response.status_code}")
