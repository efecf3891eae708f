"""The web archive: a group's page (meetings, actions of the last meeting by owner, the
attendance chart) and each meeting's minutes and transcript, reached through the group's
secret link (``gavel archive GROUP --url``) or, for a public group, at /groups/<slug>/."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import build_web_app, runner_for
from bot.app import build_core
from bot.config_file import load_settings
from gavel.cli.main import main
from tests.archive_support import hold_meeting, hold_three_meetings, write_config
from tests.conftest import Chat, posts

PUBLIC = "https://gavel.example.org"
WEB = f'[web]\npublic_url = "{PUBLIC}"\n'


def archive_url(config: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--config", str(config), "--database", database_url, "archive",
                 "Security WG", "--url"]) == 0
    return capsys.readouterr().out.strip()


async def client_for(config: Path, database_url: str) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    core = build_core(load_settings(config), database_url=database_url)
    try:
        async with TestClient(TestServer(build_web_app(core))) as client:
            yield client
    finally:
        core.close()


@pytest.fixture
def held(tmp_path: Path, database_url: str) -> Path:
    config = write_config(tmp_path, WEB)
    core = build_core(load_settings(config), database_url=database_url)
    try:
        hold_three_meetings(core.bot)
    finally:
        core.close()
    return config


async def test_the_group_page_lists_meetings_owners_and_the_chart(
        held: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = archive_url(held, database_url, capsys)
    path = urlsplit(url).path
    assert re.fullmatch(rf"{PUBLIC}/archive/[A-Za-z0-9_-]{{27,}}/", url)
    async for client in client_for(held, database_url):
        page = await client.get(path)
        assert page.status == 200
        html = await page.text()
        rows = re.findall(r'<tr><td><a href="meetings/(\d+)">([\d-]+)</a></td>'
                          r"<td>([^<]*)</td><td class=\"n\">(\d+)</td>"
                          r"<td class=\"n\">(\d+)</td><td class=\"n\">(\d+)</td>", html)
        assert [row[1:] for row in rows] == [
            ("2023-01-19", "Node.js Security team Meeting", "2", "0", "2"),
            ("2023-01-12", "Node.js Security team Meeting", "2", "1", "0"),
            ("2023-01-05", "Node.js Security team Meeting", "2", "1", "1")]
        owners = re.search(r'<dl class="owners">(.*?)</dl>', html, re.DOTALL)
        assert owners is not None
        assert re.findall(r"<d[td]>([^<]*)</d[td]>", owners.group(1)) == [
            "alice", "A-2: alice to review the advisory", "bob", "A-1: bob to cut the release",
            "Unassigned", "A-3: write the blog post"]
        chart = re.search(r"<svg[^>]*>.*?</svg>", html, re.DOTALL)
        assert chart is not None
        # 4 people x 3 meetings: alice 3, bob 2, dave 1 present; bob 1, carol 1 regrets.
        assert chart.group().count("h8v8h-8z") == 6
        assert chart.group().count("h6v6h-6z") == 2
        assert [n for n in re.findall(r'text-anchor="end">([^<]*)</text>', chart.group())
                ][:4] == ["alice", "bob", "dave", "carol"]
        assert "Quorum" in html and "<td>no</td>" in html
        # The meeting page: the minutes as HTML, and the transcript line by line.
        first = rows[0][0]
        meeting = await client.get(f"{path}meetings/{first}")
        assert meeting.status == 200
        text = await meeting.text()
        assert "<h1>Node.js Security team Meeting" in text
        assert '<li id="l1"><a class="t" href="#l1">15:00:15</a>' in text
        assert "<span class=\"said\">#action alice to review the advisory</span>" in text
        minutes = text.split('<h2 id="log">')[0]
        assert "<h2>Node.js Security team Meeting 2023-01-19</h2>" in minutes
        assert "<h3>Present</h3>\n<ul>\n<li>alice</li>\n<li>bob</li>\n</ul>" in minutes
        assert "<li>Action (alice): alice to review the advisory</li>" in minutes
        moved = await client.get(path.rstrip("/"), allow_redirects=False)
        assert moved.status == 301 and moved.headers["Location"] == path


async def test_the_archive_is_found_by_its_token_only(
        held: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = urlsplit(archive_url(held, database_url, capsys)).path
    token = path.split("/")[2]
    assert archive_url(held, database_url, capsys).endswith(path)  # made once, kept
    async for client in client_for(held, database_url):
        meetings = re.findall(r'href="meetings/(\d+)"', await (await client.get(path)).text())
        answers = set()
        for wrong in ["/groups/security-wg/", f"/groups/security-wg/meetings/{meetings[0]}",
                      f"/archive/{token[:-1]}x/", "/archive/security-wg/",
                      f"/archive/{token}/meetings/999999", f"/archive/{token}/meetings/x",
                      f"/archive/{token[:-1]}x/meetings/{meetings[0]}"]:
            missing = await client.get(wrong, allow_redirects=False)
            answers.add((missing.status, await missing.text()))
        assert answers == {(404, "no such archive\n")}


async def test_a_public_group_is_also_at_its_name(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, WEB, 'archive = "public"')
    core = build_core(load_settings(config), database_url=database_url)
    try:
        hold_three_meetings(core.bot)
    finally:
        core.close()
    assert archive_url(config, database_url, capsys) == f"{PUBLIC}/groups/security-wg/"
    async for client in client_for(config, database_url):
        page = await client.get("/groups/security-wg/")
        assert page.status == 200 and "2023-01-19" in await page.text()
        assert "X-Robots-Tag" not in page.headers
        assert (await client.get("/groups/other-wg/")).status == 404


async def test_what_people_typed_is_shown_literally_and_nothing_runs(
        tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path, WEB)
    core = build_core(load_settings(config), database_url=database_url)
    try:
        hold_meeting(core.bot, "2023-02-02", [
            ("<img src=x onerror=alert(1)>", "#here"),
            ("alice", "#action <script>alert(1)</script> for alice"),
            ("alice", '#info [click](javascript:alert(1)) and <b>bold</b> & "quotes"'),
            ("alice", '</span><script>alert(2)</script>')],
            title='<iframe src="https://evil.example">')
        with core.database.transaction() as store:
            from bot.archive.links import archive_path

            path = archive_path(store, core.settings.groups[0])
    finally:
        core.close()
    async for client in client_for(config, database_url):
        group = await client.get(path)
        meeting_id = re.findall(r'href="meetings/(\d+)"', await group.text())[0]
        meeting = await client.get(f"{path}meetings/{meeting_id}")
        for response in (group, meeting):
            html = await response.text()
            assert "<script" not in html and "<iframe" not in html and "<img" not in html
            assert 'href="javascript' not in html
            assert not re.search(r"<[^>]*\ssrc=", html) and "<link" not in html  # no fetch
            policy = response.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy and "script-src" not in policy
            assert response.headers["Referrer-Policy"] == "no-referrer"
        html = await meeting.text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;iframe src=&#34;https://evil.example&#34;&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html


def test_endmeeting_posts_the_archive_link_when_the_server_has_an_address(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for section, expected in ((WEB, True), ("", False)):
        config = write_config(tmp_path, section)
        core = build_core(load_settings(config), database_url=database_url)
        try:
            ended = posts(hold_meeting(core.bot, "2023-03-02" if expected else "2023-03-09", []))
        finally:
            core.close()
        summary = ended[-1]
        if expected:
            url = archive_url(config, database_url, capsys)
            assert re.search(rf" Archive: {re.escape(url)}meetings/\d+$", summary), summary
        else:
            assert "Archive" not in summary and PUBLIC not in summary


async def test_the_access_log_names_no_archive_token(
        held: Path, database_url: str, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    """Whoever reads the service's log must not be able to read a private archive."""
    path = urlsplit(archive_url(held, database_url, capsys)).path
    token = path.split("/")[2]
    core = build_core(load_settings(held), database_url=database_url)
    runner = runner_for(build_web_app(core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            async with aiohttp.ClientSession() as session:
                for asked in (path, f"{path}meetings/1"):
                    async with session.get(f"http://127.0.0.1:{port}{asked}") as response:
                        await response.read()
    finally:
        await runner.cleanup()
        core.close()
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(logged) == 2
    assert logged[0].startswith("GET /archive/<token>/ 200 ")
    assert logged[1].startswith("GET /archive/<token>/meetings/1 ")
    assert all(token not in line for line in logged)


async def test_the_transcript_shows_edits_and_deletions_as_such(
        tmp_path: Path, database_url: str) -> None:
    """An edited or deleted chat message keeps its line as said; what became of it follows
    at its own time, linked to that line (MeetBot's log shows only the first text)."""
    config = write_config(tmp_path, WEB)
    core = build_core(load_settings(config), database_url=database_url)
    try:
        chat = Chat(core.bot, start=datetime(2023, 2, 2, 15, 0, tzinfo=UTC))
        chat.say("alice", "#startmeeting")
        chat.say("alice", "#info the release is on Monday", message_id="m-1")
        chat.say("bob", "#info a line bob regrets", message_id="m-2")
        chat.edit("alice", "m-1", "#info the release is on Tuesday")
        chat.delete("bob", "m-2")
        chat.say("alice", "#endmeeting")
        with core.database.transaction() as store:
            from bot.archive.links import archive_path

            path = archive_path(store, core.settings.groups[0])
    finally:
        core.close()
    async for client in client_for(config, database_url):
        group = await client.get(path)
        meeting_id = re.findall(r'href="meetings/(\d+)"', await group.text())[0]
        html = await (await client.get(f"{path}meetings/{meeting_id}")).text()
    said = re.findall(r'<li id="l(\d+)">.*?<span class="said">(.*?)</span></li>', html)
    assert said == [
        ("1", "#startmeeting"),
        ("2", "#info the release is on Monday"),
        ("3", "#info a line bob regrets"),
        ("4", '<em>edited <a href="#l2">line 2</a>:</em> #info the release is on Tuesday'),
        ("5", '<em>deleted <a href="#l3">line 3</a></em>'),
        ("6", "#endmeeting")]
    assert "the release is on Tuesday" in html and "a line bob regrets" in html
