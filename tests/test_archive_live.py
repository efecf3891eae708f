"""The archive's page of a running meeting is its live document (issue 15, without
HackMD): it shows the record so far, and its event stream sends the record again as the
meeting goes, to a reader connected to a real server on 127.0.0.1.

The chat and the web server are two cores on one database, as two processes (``gavel
console`` and ``gavel serve``, or two replicas) would be: the server learns of a line only
from the database. The server looks every 20 ms here (``live_poll_seconds``); the tests
wait on the events it sends, never on a number of seconds.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.render import render_post
from adapters.web import build_web_app, runner_for
from adapters.web_live import TOO_MANY
from bot.app import Core, build_core
from bot.archive.links import archive_path
from bot.config_file import load_settings
from bot.effects import Post
from bot.events import Author, EventKind, Place
from bot.events import Event as ChatEvent
from tests.conftest import Chat, posts

PUBLIC = "https://gavel.example.org"
EVENT_GUARD = 30.0  # only reached when the server never sends what is awaited
REFRESH = '<noscript><meta http-equiv="refresh" content="30"></noscript>'


def write_config(tmp_path: Path, streams: int = 50) -> Path:
    config = tmp_path / "gavel.toml"
    config.write_text(f"""
[web]
public_url = "{PUBLIC}"
live_poll_seconds = 0.02
live_streams_per_group = {streams}

[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
members = ["alice", "bob"]
[[groups.channels]]
platform = "console"
channel = "wg"

[[groups]]
name = "Build WG"
[[groups.channels]]
platform = "console"
channel = "build"
""", encoding="utf-8")
    return config


@asynccontextmanager
async def serving(config: Path, database_url: str) -> AsyncIterator[tuple[Core, str]]:
    """A chat core, and the web server on a core of its own over the same database: its
    address."""
    chat_core = build_core(load_settings(config), database_url=database_url)
    web_core = build_core(load_settings(config), database_url=database_url)
    runner = runner_for(build_web_app(web_core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield chat_core, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        web_core.close()
        chat_core.close()


@dataclass
class Live:
    """A chat core and, on its own core over the same database, the web server."""

    chat: Chat
    core: Core
    url: str  # the server's address
    path: str  # the Security WG's archive path, ".../"
    runner: web.AppRunner
    stopped: bool = False

    def running_id(self, channel: str = "wg") -> int:
        with self.core.database.transaction() as store:
            found = [m.id for m in store.all_running_meetings() if m.channel == channel]
        return found[0]


@pytest.fixture
async def live(tmp_path: Path, database_url: str) -> AsyncIterator[Live]:
    config = write_config(tmp_path)
    chat_core = build_core(load_settings(config), database_url=database_url)
    web_core = build_core(load_settings(config), database_url=database_url)
    runner = runner_for(build_web_app(web_core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    found: Live | None = None
    try:
        chat = Chat(chat_core.bot, Place("console", "wg"),
                    start=datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
        with chat_core.database.transaction() as store:
            path = archive_path(store, chat_core.settings.groups[0])
        found = Live(chat, chat_core, f"http://127.0.0.1:{runner.addresses[0][1]}", path,
                     runner)
        yield found
    finally:
        if found is None or not found.stopped:
            await runner.cleanup()
        web_core.close()
        chat_core.close()


@dataclass
class Event:
    kind: str
    id: str
    data: str


class Stream:
    """One reader's EventSource, read the way a browser parses it."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def _line(self) -> str | None:
        raw = await asyncio.wait_for(self.response.content.readline(), EVENT_GUARD)
        return raw.decode("utf-8").rstrip("\n") if raw else None

    async def joined(self) -> None:
        """Until the server's first comment: the stream is open and follows the meeting."""
        assert await self._line() == ": following the meeting"

    async def next(self) -> Event | None:
        """The next event, or None when the server closed the stream."""
        kind, ident, data = "message", "", []
        while True:
            line = await self._line()
            if line is None:
                return None
            if line == "":
                if data:
                    return Event(kind, ident, "\n".join(data))
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                kind = value
            elif field == "id":
                ident = value
            elif field == "data":
                data.append(value)

    async def until(self, text: str) -> Event:
        """Records until one that shows ``text``."""
        while True:
            event = await self.next()
            assert event is not None, f"the stream closed before showing {text!r}"
            if text in event.data:
                return event


async def open_stream(session: aiohttp.ClientSession, url: str,
                      last_id: str = "") -> Stream:
    headers = {"Last-Event-ID": last_id} if last_id else {}
    response = await session.get(url, headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return Stream(response)


async def test_lines_said_in_the_chat_reach_a_connected_reader(live: Live) -> None:
    live.chat.say("alice", "#startmeeting")
    events = f"{live.url}{live.path}meetings/{live.running_id()}/events"
    async with aiohttp.ClientSession() as session:
        stream = await open_stream(session, events)
        first = await stream.next()
        assert first is not None and first.kind == "record"
        assert '<span class="said">#startmeeting</span>' in first.data
        assert "<strong>Running</strong> since 15:00" in first.data
        live.chat.say("bob", "#here")
        live.chat.say("bob", "#info the <b>nightly</b> builds are green")
        record = await stream.until("nightly")
        # As the minutes render it: bob present, the note in the minutes; and the line
        # in the transcript, all shown literally.
        minutes = record.data.split('<h2 id="log">')[0]
        assert "<li>bob</li>" in minutes
        assert "the &lt;b&gt;nightly&lt;/b&gt; builds are green" in minutes
        assert ('<span class="said">#info the &lt;b&gt;nightly&lt;/b&gt; builds are green'
                '</span>') in record.data
        assert record.id and record.id != first.id
        stream.response.close()


async def test_changes_that_say_nothing_in_chat_reach_the_reader(live: Live) -> None:
    """A Done button and a voice join write no chat line; the page follows them anyway."""
    live.chat.say("alice", "#startmeeting")
    live.chat.say("alice", "#action bob to fix the build")
    live.chat.say("alice", "#endmeeting")
    live.chat.say("alice", "#startmeeting")
    events = f"{live.url}{live.path}meetings/{live.running_id()}/events"
    async with aiohttp.ClientSession() as session:
        stream = await open_stream(session, events)
        first = await stream.until("A-1: bob to fix the build — still open")
        live.chat.press("alice", "action-done:1")
        done = await stream.until("A-1: bob to fix the build — done")
        assert done.id != first.id
        live.chat.bot.handle(ChatEvent(EventKind.PRESENCE, live.chat.place,
                                       Author("u9", "Carol"), datetime.now(UTC), action="join"))
        joined = await stream.until("<li>Carol</li>")
        assert joined.id != done.id
        stream.response.close()


async def test_the_page_of_a_running_meeting_shows_the_record_so_far(live: Live) -> None:
    live.chat.say("alice", "#startmeeting")
    live.chat.say("alice", "#here")
    live.chat.say("alice", "#topic Release plan")
    live.chat.say("bob", "#action bob to cut the release")
    page_url = f"{live.url}{live.path}meetings/{live.running_id()}"
    async with aiohttp.ClientSession() as session:
        async with session.get(page_url) as response:
            assert response.status == 200
            html = await response.text()
            headers = response.headers
        assert "<h1>Node.js Security team Meeting" in html
        assert "1 present." in html and "Minutes</a> so far" in html
        assert "Release plan" in html and "Action (bob): bob to cut the release" in html
        assert '<li id="l4"><a class="t" href="#l4">15:01:00</a>' in html
        # JavaScript off: the page reloads itself while the meeting runs; on: its one
        # script, allowed by its hash alone, follows the stream and nothing else.
        assert html.count(REFRESH) == 1
        script = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert len(script) == 1
        digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
        policy = headers["Content-Security-Policy"]
        assert f"script-src 'sha256-{digest}'" in policy and "connect-src 'self'" in policy
        assert "default-src 'none'" in policy
        assert "no-cache" in headers["Cache-Control"] and "max-age" not in headers["Cache-Control"]

        live.chat.say("alice", "#endmeeting")
        async with session.get(page_url) as response:
            ended = await response.text()
            policy = response.headers["Content-Security-Policy"]
        assert "http-equiv" not in ended and "<script" not in ended
        assert "script-src" not in policy and "Running" not in ended
        assert "Action (bob): bob to cut the release" in ended


async def test_a_reader_that_reconnects_gets_only_what_it_has_not_seen(live: Live) -> None:
    live.chat.say("alice", "#startmeeting")
    events = f"{live.url}{live.path}meetings/{live.running_id()}/events"
    async with aiohttp.ClientSession() as session:
        first = await open_stream(session, events)
        seen = await first.next()
        assert seen is not None and seen.kind == "record"
        # A browser reconnecting (Last-Event-ID) with the record as it is: nothing is
        # sent again; the next event is the next change.
        again = await open_stream(session, events, last_id=seen.id)
        await again.joined()
        live.chat.say("bob", "#info a line said after the reconnection")
        resumed = await again.next()
        assert resumed is not None and resumed.id != seen.id
        assert "a line said after the reconnection" in resumed.data
        # A stale id gets the record at once.
        stale = await open_stream(session, events, last_id=seen.id[::-1])
        current = await stale.next()
        assert current is not None and current.id == resumed.id
        for stream in (first, again, stale):
            stream.response.close()


async def test_the_end_is_the_last_event_and_then_the_stream_stays_closed(
        live: Live) -> None:
    live.chat.say("alice", "#startmeeting")
    events = f"{live.url}{live.path}meetings/{live.running_id()}/events"
    async with aiohttp.ClientSession() as session:
        stream = await open_stream(session, events)
        assert (await stream.next()) is not None
        live.chat.say("alice", "#agreed ship it on Tuesday")
        live.chat.say("alice", "#endmeeting")
        final = await stream.until("#endmeeting")
        if final.kind == "record":  # the poll may see the line and the end apart
            final = await stream.next()  # type: ignore[assignment]
        assert final is not None and final.kind == "end"
        assert "Running" not in final.data and "ship it on Tuesday" in final.data
        assert await stream.next() is None  # closed by the server
        # A browser's EventSource reconnecting now is told to stop (204), with no body.
        async with session.get(events) as after:
            assert after.status == 204 and await after.read() == b""


async def test_stopping_the_server_closes_the_streams_at_once(live: Live) -> None:
    """A reader left open must not hold the service's shutdown for its whole timeout."""
    live.chat.say("alice", "#startmeeting")
    events = f"{live.url}{live.path}meetings/{live.running_id()}/events"
    async with aiohttp.ClientSession() as session:
        stream = await open_stream(session, events)
        assert (await stream.next()) is not None
        live.stopped = True
        await asyncio.wait_for(live.runner.cleanup(), EVENT_GUARD)  # its timeout is 60 s
        assert await stream.next() is None


async def test_each_group_has_a_cap_on_live_readers(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path, streams=2)
    async with serving(config, database_url) as (chat_core, base):
        Chat(chat_core.bot, Place("console", "wg")).say("alice", "#startmeeting")
        Chat(chat_core.bot, Place("console", "build")).say("carol", "#startmeeting")
        with chat_core.database.transaction() as store:
            ids = {m.channel: m.id for m in store.all_running_meetings()}
            paths = [archive_path(store, g) for g in chat_core.settings.groups]
        async with aiohttp.ClientSession() as session:
            held = [await open_stream(session, f"{base}{paths[0]}meetings/{ids['wg']}/events")
                    for _ in range(2)]
            for stream in held:
                await stream.joined()
            async with session.get(f"{base}{paths[0]}meetings/{ids['wg']}/events") as full:
                assert full.status == 503 and await full.text() == TOO_MANY
            # The cap is the group's: another group's readers are not refused.
            other = await open_stream(session, f"{base}{paths[1]}meetings/{ids['build']}/events")
            await other.joined()
            # The page itself is still served; with the stream refused, it reloads.
            async with session.get(f"{base}{paths[0]}meetings/{ids['wg']}") as page:
                assert page.status == 200
            for stream in [*held, other]:
                stream.response.close()


async def test_the_stream_is_refused_exactly_like_the_archive_pages(live: Live) -> None:
    live.chat.say("alice", "#startmeeting")
    Chat(live.chat.bot, Place("console", "build")).say("carol", "#startmeeting")
    ours, theirs = live.running_id("wg"), live.running_id("build")
    token = live.path.split("/")[2]
    answers = set()
    async with aiohttp.ClientSession() as session:
        for wrong in [f"/archive/{token[:-1]}x/meetings/{ours}/events",
                      f"/archive/{token[:-1]}x/meetings/{ours}",
                      f"/groups/security-wg/meetings/{ours}/events",  # a private group
                      f"/groups/security-wg/meetings/{ours}",
                      f"/archive/{token}/meetings/{theirs}/events",  # another group's
                      f"/archive/{token}/meetings/{theirs}",
                      f"/archive/{token}/meetings/999999/events",
                      f"/archive/{token}/meetings/x/events",
                      f"/archive/{token}/meetings/0{ours}0000000000/events"]:
            async with session.get(f"{live.url}{wrong}", allow_redirects=False) as missing:
                answers.add((missing.status, await missing.text()))
    assert answers == {(404, "no such archive\n")}


def test_startmeeting_gives_the_live_page_only_with_a_public_address(
        tmp_path: Path, database_url: str) -> None:
    for public in (True, False):
        config = write_config(tmp_path)
        if not public:
            config.write_text(config.read_text().replace(f'public_url = "{PUBLIC}"', ""))
        core = build_core(load_settings(config), database_url=database_url)
        try:
            chat = Chat(core.bot, Place("console", "wg" if public else "build"))
            started = posts(chat.say("alice", "#startmeeting <@U123> @here"))[0]
            with core.database.transaction() as store:
                path = archive_path(store, core.settings.groups[0])
                meeting = [m for m in store.all_running_meetings() if m.channel == "wg"]
        finally:
            core.close()
        if public:
            url = f"{PUBLIC}{path}meetings/{meeting[0].id}"
            assert f"\nThe record, live: {url}\n" in started + "\n"
            # On Slack: the link as a link, and the title's mention shown, not pinging.
            text = str(render_post(Post(Place("slack", "C1"), started)))
            assert f"<{url}>" in text and "<@U123>" not in text and "@here" not in text
        else:
            assert "The record, live" not in started and PUBLIC not in started


def test_a_group_with_a_hackmd_note_is_not_sent_to_the_live_page(
        tmp_path: Path, database_url: str) -> None:
    """The note is the group's live document; the archive's page stays the fallback."""
    from bot.store.hackmd_rows import claim_note, save_note

    config = write_config(tmp_path)
    config.write_text(config.read_text().replace(
        'members = ["alice", "bob"]', 'members = ["alice", "bob"]\nhackmd = true'))
    core = build_core(load_settings(config), database_url=database_url)
    try:
        day = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
        without = posts(Chat(core.bot, Place("console", "wg"), start=day).say(
            "alice", "#startmeeting"))[0]
        Chat(core.bot, Place("console", "wg"), start=day).say("alice", "#endmeeting")
        with core.database.transaction() as store:
            assert claim_note(store, "Security WG", "2026-03-06", "test", day)
            save_note(store, "Security WG", "2026-03-06", "abc", "https://hackmd.io/abc",
                      "", "", day)
        later = day.replace(day=6)
        with_note = posts(Chat(core.bot, Place("console", "wg"), start=later).say(
            "alice", "#startmeeting"))[0]
    finally:
        core.close()
    assert "The record, live: " in without  # no note made (yet): the archive's page
    assert "The record, live" not in with_note


async def test_a_public_groups_live_page_is_at_its_name_too(
        tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace(
        'members = ["alice", "bob"]', 'members = ["alice", "bob"]\narchive = "public"'))
    async with serving(config, database_url) as (chat_core, server):
        base = f"{server}/groups/security-wg/meetings/"
        chat = Chat(chat_core.bot, Place("console", "wg"))
        started = posts(chat.say("alice", "#startmeeting"))[0]
        with chat_core.database.transaction() as store:
            meeting = store.all_running_meetings()[0].id
        assert f"The record, live: {PUBLIC}/groups/security-wg/meetings/{meeting}" in started
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}{meeting}") as page:
                assert page.status == 200 and page.headers["Cache-Control"] == "no-cache"
                assert "X-Robots-Tag" not in page.headers
            stream = await open_stream(session, f"{base}{meeting}/events")
            chat.say("bob", "#info said in public")
            await stream.until("said in public")
            stream.response.close()


async def test_a_group_layout_that_raises_leaves_the_running_page_in_the_default_one(
        tmp_path: Path, database_url: str) -> None:
    (tmp_path / "bad.j2").write_text("{{ v.title }}\n{{ 1/0 }}\n")
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace(
        'title = "Node.js Security team Meeting"',
        'title = "Node.js Security team Meeting"\ntemplate = "bad.j2"'))
    async with serving(config, database_url) as (chat_core, server):
        chat = Chat(chat_core.bot, Place("console", "wg"))
        chat.say("alice", "#startmeeting")
        chat.say("bob", "#info said in public")
        with chat_core.database.transaction() as store:
            meeting = store.all_running_meetings()[0].id
            path = archive_path(store, chat_core.settings.groups[0])
        async with (aiohttp.ClientSession() as session,
                    session.get(f"{server}{path}meetings/{meeting}") as page):
            assert page.status == 200
            html = await page.text()
        assert "Minutes</a> so far" in html and "said in public" in html
