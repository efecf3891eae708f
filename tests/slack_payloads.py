"""What Slack sends to a Bolt app: signed slash command / event / block action bodies for
its HTTP endpoint, and the equivalent Socket Mode envelopes (pushed with
``FakeSlack.socket_send``). Test-side builders, kept apart from the fake itself."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

RESPONSE_URL = "http://127.0.0.1:9/commands/T0GAVEL01/1/unroutable"
"""Default ``response_url`` in payload builders: port 9 refuses at once, so a test that forgot
to pass ``fake.response_url()`` fails loudly instead of reaching hooks.slack.com."""


# ====================================================================== requests to a Bolt app


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds to a request for a Bolt HTTP endpoint: signature, timestamp and a
    content type matching ``body`` (JSON for events, form for commands and interactions).
    Pass an old ``timestamp`` to test Bolt's 5-minute replay window."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # only None when timestamp is None
    json_body = body.lstrip().startswith("{")
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
            "Content-Type": "application/json" if json_body
            else "application/x-www-form-urlencoded"}


def _trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex[:32]}"


def slash_command_payload(
    command: str = "/meeting", text: str = "", user_id: str = "U1", user_name: str = "alice",
    channel_id: str = "C1", team_id: str = TEAM_ID, *, channel_name: str = "general",
    response_url: str = RESPONSE_URL,
) -> dict[str, str]:
    """The fields of a slash command as Slack sends them (all strings)."""
    return {"token": "fake-verification-token", "team_id": team_id, "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
            "user_name": user_name, "command": command, "text": text, "api_app_id": APP_ID,
            "is_enterprise_install": "false", "response_url": response_url,
            "trigger_id": _trigger_id()}


def slash_command_body(**kwargs: Any) -> str:
    """Form-encoded slash command body for a Bolt HTTP endpoint (keyword arguments as
    ``slash_command_payload``). Gavel's endpoint reads forms by field name, so a ``text``
    containing the word ``payload`` is a command like any other (Bolt alone would take the
    whole body for an interaction)."""
    return urlencode(slash_command_payload(**kwargs))


def event_payload(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An ``event_callback`` body wrapping ``event``; ``event_id`` is what retries share."""
    return {
        "token": "fake-verification-token", "team_id": TEAM_ID, "context_team_id": TEAM_ID,
        "api_app_id": APP_ID, "event": event, "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": f"4-fake-{uuid.uuid4().hex[:16]}",
    }


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    """JSON ``event_callback`` body for a Bolt HTTP endpoint."""
    return json.dumps(event_payload(event, event_id))


def block_action_body(
    action_id: str, value: str, user_id: str = "U1", channel_id: str = "C1",
    message_ts: str = "1700000000.000100", *, user_name: str = "alice",
    response_url: str = RESPONSE_URL,
) -> str:
    """Form body ``payload=<JSON>`` of a ``block_actions`` interaction (a button click on a
    message), as Slack posts it to a Bolt HTTP endpoint."""
    payload: dict[str, Any] = {
        "type": "block_actions", "api_app_id": APP_ID, "token": "fake-verification-token",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": False},
        "trigger_id": _trigger_id(), "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": "",
                    "ts": message_ts, "team": TEAM_ID},
        "state": {"values": {}}, "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "gavel", "value": value,
                     "text": {"type": "plain_text", "text": value, "emoji": True},
                     "type": "button", "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)})


# ====================================================================== Socket Mode envelopes


def socket_envelope(type_: str, payload: dict[str, Any], *, envelope_id: str | None = None,
                    accepts_response_payload: bool = False, **retry: Any) -> dict[str, Any]:
    """A Socket Mode envelope: ``payload`` is the same dict the HTTP body would carry;
    ``retry`` may hold ``retry_attempt`` and ``retry_reason``."""
    return {"envelope_id": envelope_id or str(uuid.uuid4()), "payload": payload, "type": type_,
            "accepts_response_payload": accepts_response_payload, **retry}


def slash_command_envelope(*, envelope_id: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """``slash_commands`` envelope; kwargs as ``slash_command_payload``. Slack lets the ack carry
    the reply, hence ``accepts_response_payload`` true."""
    return socket_envelope("slash_commands", slash_command_payload(**kwargs),
                           envelope_id=envelope_id, accepts_response_payload=True)


def event_envelope(event: dict[str, Any], *, envelope_id: str | None = None,
                   retry_attempt: int = 0, retry_reason: str = "",
                   event_id: str | None = None) -> dict[str, Any]:
    """``events_api`` envelope. A retry keeps the ``event_id`` and carries
    ``retry_attempt``/``retry_reason`` (Bolt maps them to X-Slack-Retry-* headers)."""
    return socket_envelope("events_api", event_payload(event, event_id), envelope_id=envelope_id,
                           retry_attempt=retry_attempt, retry_reason=retry_reason)
