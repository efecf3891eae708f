"""The archive in a real browser: Debian's Chromium driven by Playwright, against a
`gavel serve` process on 127.0.0.1, with JavaScript off (the pages must not need it), and
a running meeting's page with it on (it follows the chat without a reload) and off (it
reloads itself). Loads a group page and a meeting, checks what a reader sees and the chart,
follows a transcript line's link, and saves screenshots (into ``$GAVEL_SCREENSHOTS``,
else the test's own folder). An axe-core pass runs when axe-core is installed
(``npm install --no-save axe-core`` in the repository, or ``$GAVEL_AXE_JS``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_core
from bot.archive.links import archive_path
from bot.config_file import load_settings
from tests.archive_support import hold_a_season, write_config
from tests.conftest import Chat
from tests.serve_harness import ServeProcess

CHROMIUM = os.environ.get("GAVEL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REPOSITORY = Path(__file__).resolve().parents[1]
AXE = Path(os.environ.get("GAVEL_AXE_JS")
           or REPOSITORY / "node_modules" / "axe-core" / "axe.min.js")

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="needs Playwright for Python (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"needs a Chromium binary at {CHROMIUM} (Debian: apt-get install chromium; "
           "or set GAVEL_CHROMIUM)")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[str]:
    """The group page's URL on a running `gavel serve` process, whose database holds ten
    meetings held through the bot (SQLite: the browser's work is the same on either store)."""
    config = write_config(tmp_path, group_extra='timezone = "Europe/Amsterdam"')
    data = tmp_path / "data"
    data.mkdir()
    core = build_core(load_settings(config), database_url=f"sqlite:///{data / 'gavel.db'}")
    try:
        hold_a_season(core.bot)
        with core.database.transaction() as store:
            path = archive_path(store, core.settings.groups[0])
    finally:
        core.close()
    service = ServeProcess(config, data)
    try:
        yield f"{service.url}{path}"
    finally:
        service.stop()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM,
                                                args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GAVEL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_a_reader_browses_the_archive_with_javascript_off(
        archive: str, browser: object, tmp_path: Path) -> None:
    context = await browser.new_context(  # type: ignore[attr-defined]
        java_script_enabled=False, viewport={"width": 1000, "height": 760})
    page = await context.new_page()
    response = await page.goto(archive)
    assert response.status == 200
    assert await page.title() == "Node.js Security team Meeting: archive"
    rows = page.locator("table.meetings tbody tr")
    assert await rows.count() == 10
    assert await rows.first.locator("td").all_inner_texts() == [
        "2023-03-09", "Node.js Security team Meeting", "7", "1", "2", "yes"]
    owners = await page.locator("dl.owners dt").all_inner_texts()
    assert owners == ["carol", "Unassigned"]
    # The chart: drawn, visible, one row per person and a bar per meeting.
    chart = page.locator("svg.attendance")
    box = await chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert await chart.locator("title").text_content() == (
        "Attendance of 8 people at the last 10 meetings, from 2023-01-05 to 2023-03-09")
    names = await chart.locator("text[text-anchor=end]").all_text_contents()
    # Most present first: bob, erin and heidi came to all ten, alice to every other one.
    assert names == ["bob", "erin", "heidi", "frank", "grace", "carol", "dave", "alice",
                     "present (max 8)"]
    await page.screenshot(path=str(screenshots(tmp_path) / "archive-group.png"))

    await page.get_by_role("link", name="2023-03-09").first.click()
    await page.wait_for_load_state()
    assert await page.locator("h1").first.inner_text() == (
        "Node.js Security team Meeting 2023-03-09")
    minutes = page.locator("#minutes")
    assert "Action (carol): carol to tag v10.0" in await minutes.inner_text()
    line = page.locator("ol.log li").nth(11)
    assert await line.get_attribute("id") == "l12"
    stamp = line.locator("a.t")
    assert await stamp.inner_text() == "16:03:00"  # 15:03 UTC in Amsterdam
    await stamp.click()
    assert page.url.endswith("#l12")
    assert await page.locator(":target").get_attribute("id") == "l12"
    assert await page.locator("li:target .said").inner_text() == (
        "#info 10 pull requests landed this week")
    await page.screenshot(path=str(screenshots(tmp_path) / "archive-meeting.png"))
    await page.get_by_role("link", name="all meetings").click()
    assert page.url == archive
    await context.close()


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed ({AXE}): "
                    "npm install --no-save axe-core, or set GAVEL_AXE_JS")
async def test_the_archive_pages_pass_axe(archive: str, browser: object) -> None:
    # The pages forbid scripts (CSP); the checker alone is let in.
    context = await browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = await context.new_page()
    source = AXE.read_text(encoding="utf-8")
    found = {}
    for url in (archive, archive + "meetings/10"):
        await page.goto(url)
        await page.evaluate(source)
        result = await page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))")
        found[url] = result
    await context.close()
    assert found == {archive: [], archive + "meetings/10": []}


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, Chat]]:
    """A running meeting's page on a `gavel serve` process, and the chat it follows,
    held by this process on the same SQLite database (as `gavel console` would)."""
    config = write_config(tmp_path, extra="[web]\nlive_poll_seconds = 0.05\n")
    data = tmp_path / "data"
    data.mkdir()
    core = build_core(load_settings(config), database_url=f"sqlite:///{data / 'gavel.db'}")
    try:
        chat = Chat(core.bot, start=datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
        chat.say("alice", "#startmeeting")
        with core.database.transaction() as store:
            path = archive_path(store, core.settings.groups[0])
            meeting = store.all_running_meetings()[0].id
        service = ServeProcess(config, data)
        try:
            yield f"{service.url}{path}meetings/{meeting}", chat
        finally:
            service.stop()
    finally:
        core.close()


async def test_a_running_meeting_updates_in_the_browser_without_a_reload(
        running: tuple[str, Chat], browser: object, tmp_path: Path) -> None:
    url, chat = running
    context = await browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1000, "height": 760})
    page = await context.new_page()
    # A script the CSP refused shows as a console error; a refused stream as a response
    # (the browser's own "Failed to load resource" lines say the same, with no address).
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    assert (await page.goto(url)).status == 200
    # The script runs (the CSP lets its hash in), so the JavaScript-off refresh is inert.
    assert await page.locator('meta[http-equiv="refresh"]').count() == 0
    await page.evaluate("window.gavelSamePage = true")
    chat.say("bob", "#here")
    chat.say("bob", "#info the nightly builds are green")
    # In the transcript, and as the minutes render it (a record read while the chat
    # wrote may hold one and not yet the other: the next look sends both).
    await page.locator("ol.log .said", has_text="#info the nightly builds are green").wait_for()
    await page.locator("#minutes li", has_text="the nightly builds are green").wait_for()
    await page.locator("#record p.muted", has_text="1 present").wait_for()
    await page.screenshot(path=str(screenshots(tmp_path) / "archive-live.png"))
    chat.say("alice", "#endmeeting")
    await page.locator("#record .live").wait_for(state="detached")
    await page.locator("ol.log .said", has_text="#endmeeting").wait_for()
    assert await page.evaluate("window.gavelSamePage === true")  # never reloaded
    assert errors == []
    await context.close()


async def test_a_running_meeting_reloads_itself_with_javascript_off(
        running: tuple[str, Chat], browser: object) -> None:
    url, _chat = running
    context = await browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = await context.new_page()
    await page.goto(url)
    refresh = page.locator('meta[http-equiv="refresh"]')
    assert await refresh.count() == 1 and await refresh.get_attribute("content") == "30"
    assert "It reloads every 30 seconds." in await page.locator("#record .live").inner_text()
    await context.close()


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed ({AXE}): "
                    "npm install --no-save axe-core, or set GAVEL_AXE_JS")
async def test_a_running_meetings_page_passes_axe(
        running: tuple[str, Chat], browser: object) -> None:
    url, chat = running
    context = await browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = await context.new_page()
    await page.goto(url)
    chat.say("bob", "#info a line that arrives live")
    await page.locator("ol.log .said", has_text="a line that arrives live").wait_for()
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))")
    await context.close()
    assert found == []
