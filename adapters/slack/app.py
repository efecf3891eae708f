"""The slack-bolt ``AsyncApp``: which Slack requests Gavel listens to, and what each does.

Every listener acknowledges first (Slack gives 3 seconds, and shows an error to the person
after that) and does the work afterwards: the core handler is synchronous and writes to the
database, so it runs in a worker thread, one event at a time per channel so that a note
never overtakes the ``#topic`` typed before it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.delivery import DeliveryFailed, deliver
from adapters.slack.events import (
    button_to_event,
    command_to_event,
    mentioned_ids,
    message_to_event,
    read_message_event,
)
from adapters.slack.people import People
from bot.app import Core
from bot.effects import Effect, PrivateReply
from bot.events import Event
from bot.store import StoreError

log = logging.getLogger("gavel.slack")

COMMAND = "/meeting"
# Every bot scope the listeners and effects below need; slack-manifest.yaml lists the same
# (tests/test_slack_install.py checks they agree).
SCOPES = (
    "commands",  # /meeting
    "chat:write",  # posts, ephemeral replies
    "chat:write.public",  # /meeting start in a channel the bot was not invited to
    "channels:history",  # message events in public channels
    "groups:history",  # ... and in private channels the bot was invited to
    "reactions:write",  # the tick on a saved note
    "users:read",  # display names
    "files:write",  # the minutes file
    "channels:manage",  # the channel topic follows the meeting's topic (public channels)
    "groups:write",  # ... and private ones
)
EVENTS = ("message.channels", "message.groups", "user_change")
# The Bolt context key under which the HTTP endpoint passes a signed request's once-key
# (adapters.slack.requests.once_key): a replayed command or button press runs once.
ONCE_KEY = "gavel_once_key"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class MeetingListeners:
    """What Gavel does with each kind of Slack request, given the core it feeds."""

    def __init__(self, core: Core, people: People | None = None, clock: Clock = utc_now) -> None:
        self.core = core
        self.people = people or People()
        self.clock = clock
        self._channel_locks: dict[tuple[str, str], asyncio.Lock] = {}

    # -- the listeners Bolt calls ---------------------------------------------------

    async def acknowledge(self, ack: AsyncAck) -> None:
        await ack()

    async def on_meeting_command(self, command: dict[str, Any], client: AsyncWebClient,
                                 context: AsyncBoltContext) -> None:
        """``/meeting <sub> ...`` after the ack: the reply, and any post, come from here."""
        team = str(command.get("team_id", ""))
        text = str(command.get("text") or "")
        async with self._in_order(team, str(command.get("channel_id", ""))):
            names = await self.people.names(
                client, team, [str(command.get("user_id", "")), *mentioned_ids(text)])
            effects = await self._handle(command_to_event(command, names, self.clock()),
                                         claim=str(context.get(ONCE_KEY) or ""))
        await self._deliver(client, effects, str(command.get("response_url") or ""))

    async def on_message(self, body: dict[str, Any], event: dict[str, Any],
                         client: AsyncWebClient, context: AsyncBoltContext) -> None:
        """A channel line: a command, a scribe's note, an edit or deletion of one, or chat."""
        change = read_message_event(event, context.bot_user_id or "")
        if change is None:
            return
        team = str(body.get("team_id") or event.get("team") or "")
        channel = str(event.get("channel", ""))
        async with self._in_order(team, channel):
            names = await self.people.names(client, team,
                                            [change.user_id, *mentioned_ids(change.text)])
            effects = await self._handle(
                message_to_event(change, team, channel, names, self.clock()),
                claim=str(body.get("event_id") or ""))
        if effects:
            await self._deliver(client, effects)

    async def on_user_change(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        user = event.get("user") or {}
        self.people.forget(str(body.get("team_id", "")), str(user.get("id", "")))

    async def on_button(self, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient, context: AsyncBoltContext) -> None:
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        async with self._in_order(team, channel):
            names = await self.people.names(client, team, [str(user.get("id", ""))])
            effects = await self._handle(button_to_event(body, action, names, self.clock()),
                                         claim=str(context.get(ONCE_KEY) or ""))
        await self._deliver(client, effects, str(body.get("response_url") or ""))

    # -- shared steps -----------------------------------------------------------------

    def _in_order(self, team: str, channel: str) -> asyncio.Lock:
        """One event at a time per channel, in the order they arrived (the lock is taken
        before the first await of a listener, and asyncio locks are fair)."""
        return self._channel_locks.setdefault((team, channel), asyncio.Lock())

    async def _handle(self, event: Event, claim: str = "") -> list[Effect]:
        """The core's answer to ``event`` (none to a repeat of a delivery ``claim`` names);
        a database outage is told to the person. One trip to a worker thread for both."""

        def work() -> list[Effect]:
            # Slack retries an event it thinks we missed (X-Slack-Retry-Num), and anybody
            # who saw a signed command can replay it for 5 minutes; the claim (an event_id,
            # or a signed request's hash) is a row in the shared store, committed with the
            # event's work, so a repeat is dropped even by another replica or after a restart.
            return self.core.bot.handle(event, once_key=f"slack:{claim}" if claim else "")

        try:
            return await asyncio.to_thread(work)
        except StoreError as exc:
            log.error("could not handle a Slack %s: %s", event.kind.value, exc)
            return [PrivateReply(event.place, event.author.user_id,
                                 "Gavel could not save that: its database is unreachable. "
                                 "Please try again in a minute.")]
        except Exception:  # a bug must be heard of by the person, not only in Bolt's log
            log.exception("handling a Slack %s failed", event.kind.value)
            return [PrivateReply(event.place, event.author.user_id,
                                 "Gavel hit an unexpected error with that; what was saved "
                                 "before is safe. The error is in Gavel's log.")]

    async def _deliver(self, client: AsyncWebClient, effects: list[Effect],
                       response_url: str = "") -> None:
        try:
            await deliver(client, effects, response_url=response_url)
        except DeliveryFailed as exc:
            log.error("%s", exc)


def build_bolt_app(listeners: MeetingListeners, client: AsyncWebClient, *,
                   signing_secret: str | None = None, **app_options: Any) -> AsyncApp:
    """An ``AsyncApp`` with Gavel's listeners; ``app_options`` go to ``AsyncApp`` (OAuth)."""
    app = AsyncApp(client=client, signing_secret=signing_secret,
                   request_verification_enabled=signing_secret is not None, **app_options)
    register(app, listeners)
    return app


LinkButton = re.compile(r"^link:")
VoteButton = re.compile(r"^vote:\d+:\d+$")  # a vote's option: vote:<id>:<n>
# Buttons about one thing, named after a colon: ``action-done:17`` (a Done per action).
ActionButton = re.compile(r"^action-done:\d+$")


def register(app: AsyncApp, listeners: MeetingListeners) -> None:
    """The listener table. Slow work is a lazy listener: Bolt answers Slack at ``ack()``."""
    lazy: list[tuple[Any, Callable[..., Awaitable[None]]]] = [
        (app.command(COMMAND), listeners.on_meeting_command),
        (app.action("here"), listeners.on_button),
        (app.action(VoteButton), listeners.on_button),
        (app.action(ActionButton), listeners.on_button),
    ]
    for route, work in lazy:
        route(ack=listeners.acknowledge, lazy=[work])
    # Link buttons open their URL in the browser, but Slack still sends the click: ack it.
    app.action(LinkButton)(listeners.acknowledge)
    app.event("message")(listeners.on_message)
    app.event("user_change")(listeners.on_user_change)
