"""The subscription feed: ``/calendar/<feed token>.ics`` on the web app, ``gavel ics
--url`` that tells its address, and ``gavel ics`` writing the same meetings to a file.

A feed is read by anonymous strangers, so: only its token finds it (a guessable name
does not), it leaves the join link out unless the group opts in, a GET writes nothing,
and a crowd of GETs cannot keep ``/healthz`` from answering."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from adapters.web import build_web_app, runner_for
from bot.app import build_core
from bot.config_file import load_settings
from bot.schedules.recurrence import recurring_schedule
from bot.store import Database
from bot.store.schema import reminders, scheduled_meetings
from gavel.cli.main import main

PUBLIC = "https://gavel.example.org"
ZOOM = "https://us06web.zoom.us/j/85412345678?pwd=Q2xhdXNlU2VjcmV0UGFzc2NvZGUx"
CONFIG = f"""
[web]
public_url = "{PUBLIC}"

[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
[groups.links]
join = "{ZOOM}"
[groups.schedule]
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
start = "2026-01-08T14:00"
timezone = "America/New_York"

[[groups]]
name = "Docs WG"
"""


def write_config(tmp_path: Path, text: str = CONFIG) -> Path:
    config = tmp_path / "gavel.toml"
    config.write_text(text, encoding="utf-8")
    return config


def starts(text: str) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(text)
    return [e["DTSTART"].dt.astimezone(UTC) for e in calendar.walk("VEVENT")]


def expected(config: Path, count: int) -> list[datetime]:
    group = load_settings(config).groups[0]
    now = datetime.now(UTC)
    found = recurring_schedule(group).between(now, now + timedelta(days=800))  # the feed: 800 days
    return [o.start for o in found[:count]]


def feed_url(config: Path, database_url: str, group: str, capsys: pytest.CaptureFixture[str]
             ) -> str:
    """What ``gavel ics GROUP --url`` prints."""
    assert main(["--config", str(config), "--database", database_url, "ics", group,
                 "--url"]) == 0
    return capsys.readouterr().out.strip()


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


async def test_the_feed_is_found_by_its_token_only(tmp_path: Path, database_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    url = feed_url(config, database_url, "Security WG", capsys)
    token = urlsplit(url).path.removeprefix("/calendar/").removesuffix(".ics")
    assert url == f"{PUBLIC}/calendar/{token}.ics" and len(token) >= 22  # >= 128 random bits
    assert feed_url(config, database_url, "security wg", capsys) == url  # made once, kept
    # A group without a schedule has no feed, even to someone holding its token.
    assert main(["--config", str(config), "--database", database_url, "ics", "Docs WG",
                 "--url"]) == 2
    core = build_core(load_settings(config), database_url=database_url)
    try:
        async with TestClient(TestServer(build_web_app(core))) as client:
            response = await client.get(urlsplit(url).path)
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            text = await response.text()
            assert "BEGIN:VTIMEZONE" in text
            assert starts(text) == expected(config, 100)
            # The old, guessable paths, other spellings, a wrong token: one plain answer.
            answers = set()
            for path in ["/calendar/security-wg.ics", "/calendar/Security%20WG.ics",
                         "/calendar/security_wg.ics", "/calendar/docs-wg.ics",
                         f"/calendar/{token[:-1]}x.ics", f"/calendar/{token}",
                         f"/calendar/{token}.ics.ics", "/calendar/nope.ics"]:
                missing = await client.get(path)
                answers.add((missing.status, await missing.text()))
            assert answers == {(404, "no such calendar feed\n")}
            assert (await client.get("/healthz")).status == 200
    finally:
        core.close()


async def test_the_join_link_and_its_passcode_stay_out_unless_the_group_opts_in(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for opted_in in (False, True):
        text = CONFIG.replace('title = "Node.js Security team Meeting"',
                              'title = "Node.js Security team Meeting"\n'
                              f"feed_join_link = {str(opted_in).lower()}")
        config = write_config(tmp_path, text)
        path = urlsplit(feed_url(config, database_url, "Security WG", capsys)).path
        core = build_core(load_settings(config), database_url=database_url)
        try:
            async with TestClient(TestServer(build_web_app(core))) as client:
                feed = unfolded(await (await client.get(path)).text())
        finally:
            core.close()
        assert ("pwd=Q2xhdXNlU2VjcmV0UGFzc2NvZGUx" in feed) is opted_in
        assert ("LOCATION:" in feed) is opted_in


def row_counts(database_url: str) -> tuple[int, int]:
    database = Database.open(database_url)
    try:
        with database.transaction() as store:
            return tuple(store.connection.execute(select(func.count()).select_from(table))
                         .scalar_one() for table in (scheduled_meetings, reminders))  # type: ignore[return-value]
    finally:
        database.close()


async def http_get(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A GET sent in full on its own connection; the answer is read later."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                 .encode())
    await writer.drain()
    return reader, writer


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, bytes]:
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


async def test_200_anonymous_gets_write_nothing_and_leave_healthz_answering(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    path = urlsplit(feed_url(config, database_url, "Security WG", capsys)).path
    before = row_counts(database_url)
    core = build_core(load_settings(config), database_url=database_url)
    try:
        async with TestServer(build_web_app(core), host="127.0.0.1") as server:
            assert server.port is not None
            # All 200 requests are on the wire before the health check is asked.
            crowd = [await http_get(server.port, path) for _ in range(200)]
            health = await answer(*await http_get(server.port, "/healthz"))
            assert health[0] == "HTTP/1.1 200 OK", health
            answers = [await answer(*pair) for pair in crowd]
    finally:
        core.close()
    assert {status for status, _ in answers} == {"HTTP/1.1 200 OK"}
    assert len({body for _, body in answers}) == 1  # one build, served to all
    assert row_counts(database_url) == before == (0, 0)


def test_feed_url_without_a_public_address_says_what_to_set(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, CONFIG.replace(f'public_url = "{PUBLIC}"', ""))
    assert main(["--config", str(config), "--database", database_url, "ics", "Security WG",
                 "--url"]) == 2
    assert capsys.readouterr().err == (
        "gavel ics: no public address is configured: set [web] public_url (the address "
        "people reach this server at, e.g. \"https://gavel.example.org\")\n")


def test_gavel_ics_writes_the_same_meetings(tmp_path: Path, database_url: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "wg.ics"
    assert main(["--config", str(config), "--database", database_url, "ics", "Security WG",
                 "-o", str(out)]) == 0
    written = out.read_text(encoding="utf-8")
    assert starts(written) == expected(config, 100)
    assert "pwd=" not in unfolded(written)  # the same feed: no passcode unless opted in
    assert main(["--config", str(config), "--database", database_url, "ics", "Nope"]) == 2
    assert "no group named 'Nope' (groups: Security WG, Docs WG)" in capsys.readouterr().err


def test_a_public_url_that_is_not_an_address_is_named_at_load(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, CONFIG.replace(f'"{PUBLIC}"', '"gavel.example.org"'))
    assert main(["--config", str(config), "ics", "Security WG", "--url"]) == 2
    assert f"{config}: web.public_url: 'gavel.example.org' is not an http(s) address such " \
        "as 'https://gavel.example.org'" in capsys.readouterr().err


async def test_the_access_log_names_no_feed_token(tmp_path: Path, database_url: str,
                                                  capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Whoever reads the service's log (a verbose run, a log shipper) must not be able to
    subscribe to a group's feed or follow its calendar links."""
    config = write_config(tmp_path)
    path = urlsplit(feed_url(config, database_url, "Security WG", capsys)).path
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    core = build_core(load_settings(config), database_url=database_url)
    runner = runner_for(build_web_app(core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            for asked in (path, f"/c/{token}/20260108T190000Z/google"):
                reader, writer = await http_get(port, asked)
                await answer(reader, writer)
    finally:
        await runner.cleanup()
        core.close()
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(logged) == 2
    assert logged[0].startswith("GET /calendar/<token> 200 ")
    assert logged[1].startswith("GET /c/<token>/20260108T190000Z/google ")
    assert all(token not in line for line in logged)
