"""Gavel's Slack adapter served for real on 127.0.0.1, talking to FakeSlack, and driven by
signed requests the way Slack sends them. Shared by the tests/test_slack_*.py files and
bench/bench_slack.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.slack import SlackService
from adapters.web import build_web_app
from bot.app import Core, build_core
from bot.commands.table import COMMANDS, CommandTable
from bot.config import ChannelBinding, Group, Secrets, Settings
from tests.conftest import SECURITY_WG
from tests.fakes.slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.slack_payloads import block_action_body, event_body, signed_headers, slash_command_body

SIGNING_SECRET = "gavel-test-signing-secret"
TOKEN_SECRETS = Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The Slack tests' workspace: U1 (RafaelGSS), U2 (Ulises Gascon), #security-wg (C1) and
    #random (C9). A module takes it with ``fake = slack_harness.fake``."""
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        server.add_user("U2", name="ulises", real_name="Ulises Gascon")
        server.add_channel("C1", name="security-wg")
        server.add_channel("C9", name="random")
        yield server


def bound_to_slack(group: Group = SECURITY_WG, channel: str = "C1") -> Group:
    """``group`` bound to a channel of the fake's workspace: a group with GitHub settings
    runs only in its bound channels."""
    return replace(group, channels=[
        ChannelBinding(platform="slack", workspace=TEAM_ID, channel=channel)])


@dataclass
class StepClock:
    """The time the adapter stamps on slash commands and button presses; tests set it."""

    now: datetime = field(default_factory=lambda: datetime(2023, 1, 19, 15, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


def slack_markup(text: str) -> str:
    """Plain text as Slack's clients send it: ``&<>`` escaped, URLs wrapped in ``<>``."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"https?://[^\s()<>]+", lambda m: f"<{m.group(0)}>", escaped)


def ts_of(when: datetime, n: int = 0) -> str:
    return f"{int(when.timestamp())}.{n:06d}"


@dataclass
class SlackBot:
    """The adapter under test, reachable at ``url``; helpers send what Slack would."""

    url: str
    fake: FakeSlack
    core: Core
    service: SlackService
    clock: StepClock
    session: aiohttp.ClientSession

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    async def post(self, body: str, headers: Mapping[str, str] | None = None,
                   path: str = "/slack/events") -> tuple[int, str]:
        headers = dict(signed_headers(SIGNING_SECRET, body) if headers is None else headers)
        async with self.session.post(self.url + path, data=body.encode(),
                                     headers=headers) as response:
            return response.status, await response.text()

    async def command(self, text: str, user: str = "U1", channel: str = "C1",
                      user_name: str = "alice") -> int:
        body = slash_command_body(text=text, user_id=user, channel_id=channel,
                                  user_name=user_name, response_url=self.fake.response_url())
        status, _ = await self.post(body)
        return status

    async def message(self, text: str, user: str, ts: str, channel: str = "C1",
                      thread_ts: str = "", event_id: str | None = None,
                      retry: int = 0) -> int:
        event: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts,
                                 "channel": channel, "channel_type": "channel",
                                 "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.event(event, event_id, retry)

    async def edit(self, ts: str, user: str, old: str, new: str, at: str,
                   channel: str = "C1") -> int:
        return await self.event({
            "type": "message", "subtype": "message_changed", "channel": channel,
            "hidden": True, "ts": at, "event_ts": at,
            "message": {"type": "message", "user": user, "text": new, "ts": ts,
                        "edited": {"user": user, "ts": at}},
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
        })

    async def delete(self, ts: str, user: str, old: str, at: str, channel: str = "C1") -> int:
        return await self.event({
            "type": "message", "subtype": "message_deleted", "channel": channel,
            "hidden": True, "ts": at, "event_ts": at, "deleted_ts": ts,
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
        })

    async def event(self, event: dict[str, Any], event_id: str | None = None,
                    retry: int = 0) -> int:
        body = event_body(event, event_id)
        headers = signed_headers(SIGNING_SECRET, body)
        if retry:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        status, _ = await self.post(body, headers)
        return status

    async def press(self, action_id: str, user: str = "U1", channel: str = "C1",
                    message_ts: str = "1674140400.000100") -> int:
        body = block_action_body(action_id, action_id, user, channel, message_ts,
                                 response_url=self.fake.response_url())
        status, _ = await self.post(body)
        return status


@asynccontextmanager
async def running_slack(fake: FakeSlack, database_url: str, tmp_dir: str,
                        settings: Settings | None = None, secrets: Secrets = TOKEN_SECRETS,
                        clock: StepClock | None = None,
                        commands: CommandTable = COMMANDS) -> AsyncIterator[SlackBot]:
    """Gavel's web server (``/healthz`` and Slack's endpoints) on 127.0.0.1:0."""
    settings = replace(settings or Settings(), data_dir=tmp_dir)
    core = build_core(settings, secrets, database_url=database_url, commands=commands)
    clock = clock or StepClock()
    app = build_web_app(core)
    service = SlackService(core, app, clock=clock, env={"GAVEL_SLACK_API_URL": fake.api_url})
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await service.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackBot(f"http://127.0.0.1:{port}", fake, core, service, clock, session)
    finally:
        await service.stop()
        await runner.cleanup()
        core.close()
