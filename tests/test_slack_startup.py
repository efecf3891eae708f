"""``gavel run`` when Slack cannot be reached at start: it keeps trying, with growing
delays and one line per attempt, while the web server and the reminder loop run."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select, table

from adapters.slack import SlackService
from adapters.slack.startup import Backoff
from bot.app import Core, build_core
from bot.config import Schedule, Settings, WebSettings
from gavel.service.serve import run
from tests.conftest import SECURITY_WG
from tests.fakes.slack import FakeSlack
from tests.slack_harness import SIGNING_SECRET, TOKEN_SECRETS, bound_to_slack
from tests.slack_payloads import signed_headers, slash_command_body


class Gate:
    """The back-off's sleep, held until the test releases it; records each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._asked = asyncio.Event()
        self._go = asyncio.Event()

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        self._go.clear()
        self._asked.set()
        await self._go.wait()

    async def asked(self) -> float:
        await asyncio.wait_for(self._asked.wait(), 20)
        self._asked.clear()
        return self.delays[-1]

    def release(self) -> None:
        self._go.set()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rows(core: Core, name: str) -> int:
    with core.database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table(name)))
                   .scalar_one())


async def _until(probe: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a condition the bot brings about (not for an amount of time)."""
    async with asyncio.timeout(20):
        while not await probe():
            await asyncio.sleep(0.02)


async def test_slack_unreachable_at_start_is_retried_while_the_rest_runs(
        database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT14:00")
    group = replace(bound_to_slack(SECURITY_WG), schedule=Schedule(
        rrule="FREQ=WEEKLY", start=tomorrow, timezone="UTC"))
    web_port, slack_port = _free_port(), _free_port()
    settings = Settings(groups=[group], data_dir=str(tmp_path),
                        web=WebSettings(port=web_port))
    core = build_core(settings, TOKEN_SECRETS, database_url=database_url)
    fake = FakeSlack(port=slack_port)  # not listening yet: Slack is unreachable
    gate = Gate()

    def slack(core: Core, app: web.Application) -> SlackService:
        return SlackService(core, app, env={"GAVEL_SLACK_API_URL": fake_api},
                            backoff=Backoff(first=1.0, cap=4.0, sleep=gate.sleep))

    fake_api = f"http://127.0.0.1:{slack_port}/api/"
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    serving = asyncio.create_task(run(core, ["slack"], stop, factories={"slack": slack}))
    try:
        assert await gate.asked() == 1.0
        assert not serving.done()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{web_port}/healthz") as health:
                assert health.status == 200

            async def planned() -> bool:
                return _rows(core, "scheduled_meetings") > 0

            await _until(planned, "the reminder loop to plan the coming meetings")
            gate.release()
            assert await gate.asked() == 2.0  # still down: the next delay doubles
            fake.start()
            gate.release()
            await fake.async_wait_for_calls("auth.test")
            body = slash_command_body(text="start", response_url=fake.response_url())
            async with session.post(f"http://127.0.0.1:{web_port}/slack/events",
                                    data=body.encode(),
                                    headers=signed_headers(SIGNING_SECRET, body)) as answer:
                assert answer.status == 200
            [post] = await fake.async_wait_for_calls("chat.postMessage")
        assert "Meeting started: Node.js Security team Meeting" in post.args["text"]
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)
        fake.stop()
        core.close()
    lines = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(lines) == 2
    assert "attempt 1 failed, retrying in 1 s" in lines[0]
    assert "attempt 2 failed, retrying in 2 s" in lines[1]
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("gavel"))
    assert any("Slack reached after 2 failed attempts" in r.getMessage()
               for r in caplog.records)


def test_the_backoff_doubles_up_to_its_cap() -> None:
    delays = Backoff(first=1.0, cap=60.0).delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
