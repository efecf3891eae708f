"""The subscription feed: ``/calendar/<group>.ics`` on the web app, and ``gavel ics``
writing the same meetings to a file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
from aiohttp.test_utils import TestClient, TestServer

from adapters.cli import main
from adapters.web import build_web_app
from bot.app import build_core
from bot.config import Group, Schedule, Settings
from bot.schedules.recurrence import recurring_schedule

WG = Group(name="Security WG", title="Node.js Security team Meeting",
           schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start="2026-01-08T14:00",
                             timezone="America/New_York", horizon_days=30))
CONFIG = """
[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
[groups.schedule]
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
start = "2026-01-08T14:00"
timezone = "America/New_York"
"""


def starts(text: str) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(text)
    return [e["DTSTART"].dt.astimezone(UTC) for e in calendar.walk("VEVENT")]


def expected(count: int) -> list[datetime]:
    now = datetime.now(UTC)
    found = recurring_schedule(WG).between(now, now + timedelta(days=800))  # the feed: 800 days
    return [o.start for o in found[:count]]


async def test_feed_route_serves_the_upcoming_meetings(database_url: str) -> None:
    core = build_core(Settings(groups=[WG]), database_url=database_url)
    try:
        async with TestClient(TestServer(build_web_app(core))) as client:
            response = await client.get("/calendar/security-wg.ics")
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            text = await response.text()
            assert "BEGIN:VTIMEZONE" in text
            assert starts(text) == expected(100)
            missing = await client.get("/calendar/docs-wg.ics")
            assert missing.status == 404
            assert await missing.text() == "no such calendar feed\n"  # names no other feed
            assert (await client.get("/healthz")).status == 200
    finally:
        core.close()


def test_gavel_ics_writes_the_same_meetings(tmp_path: Path, database_url: str,
                                            capsys: object) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "wg.ics"
    assert main(["--config", str(config), "--database", database_url, "ics", "Security WG",
                 "-o", str(out)]) == 0
    assert starts(out.read_text(encoding="utf-8")) == expected(100)
    assert main(["--config", str(config), "--database", database_url, "ics", "Nope"]) == 2
    assert "no group named 'Nope' (groups: Security WG)" in capsys.readouterr().err  # type: ignore[attr-defined]
