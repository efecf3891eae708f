"""Discord refuses a whole message whose link button is over 512 characters (80 for a
label, 100 for a custom_id). A Google Calendar link with a real Zoom join link is 600+,
so the reminders' and ``/meeting next``'s calendar buttons point at short links on
Gavel's own server (which redirect to the calendar page), or stay in the text when the
server has no public address. Driven through discord.py against the fake, which refuses
what Discord refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from adapters.web import build_web_app
from bot.config import DiscordSettings, Links, Schedule, Settings, WebSettings
from bot.reminders.loop import ReminderPolicy, ReminderService
from bot.schedules.clock import SteppedClock
from tests.discord_harness import TEXT, discord_group, running_service, say, slash
from tests.fakes.discord_server import FakeDiscord

# A real Zoom invitation: meeting id, the passcode hash, and the tracking part.
ZOOM = ("https://us06web.zoom.us/j/85412345678?pwd=Q2xhdXNlU2VjcmV0UGFzc2NvZGUxMjM0NTY3ODk"
        ".1&uname=Node.js+Security+WG&from=addon")
PUBLIC = "https://gavel.example.org"
# Two seconds of the loop's clock (0.2 s real) before the 1h reminder of 15:00 UTC.
START = datetime(2026, 1, 8, 13, 59, 58, tzinfo=UTC)


def settings(tmp_path: Path, public_url: str = "", join: str = ZOOM) -> Settings:
    group = replace(
        discord_group(),
        links=Links(join=join, observers="https://www.youtube.com/c/nodejs+foundation/live"),
        reminders=["1h"],
        schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start="2026-01-08T15:00",
                          timezone="UTC"))
    return Settings(data_dir=str(tmp_path), groups=[group], discord=DiscordSettings(),
                    web=WebSettings(public_url=public_url))


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message.get("components") or [] for b in row["components"]]


def line_after(text: str, prefix: str) -> str:
    (line,) = [x for x in text.splitlines() if x.startswith(prefix)]
    return line.removeprefix(prefix)


async def reminder_message(fake: FakeDiscord, service: Any, config: Settings) -> dict[str, Any]:
    """Run the real reminder loop, with the Discord adapter as its sink, on a clock the
    test moves: planned two seconds before the reminder is due, then moved to the due
    time; ``settle`` returns once the reminder is handled."""
    clock = SteppedClock(START)
    reminders = ReminderService(service.core.database, config, {"discord": service}, clock,
                                policy=ReminderPolicy(refresh_every=timedelta(hours=1)))
    reminders.start()
    try:
        await reminders.refresh()
        clock.set(START + timedelta(seconds=2))
        await reminders.settle(clock.now())
    finally:
        await reminders.stop()
    (message,) = fake.messages_in(TEXT)
    return message


async def test_a_reminder_with_a_zoom_link_is_accepted_and_keeps_its_calendar_links(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    config = settings(tmp_path)
    async with running_service(fake, config, database_url) as service:
        message = await reminder_message(fake, service, config)
    description = message["embeds"][0]["description"]
    google = line_after(description, "Add to Google Calendar: ")
    assert len(google) > 600  # what a button could not carry
    assert line_after(description, "Join: ") == ZOOM
    assert "Subscribe to the calendar" not in description  # no public address
    assert [(b["label"], b["url"]) for b in buttons_of(message)] == [("Join the meeting", ZOOM)]


async def test_with_a_public_address_the_calendar_buttons_are_short_links_that_redirect(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    config = settings(tmp_path, PUBLIC)
    async with running_service(fake, config, database_url) as service:
        message = await reminder_message(fake, service, config)
        description = message["embeds"][0]["description"]
        buttons = {b["label"]: b["url"] for b in buttons_of(message)}
        assert list(buttons) == ["Join the meeting", "Google Calendar", "Outlook"]
        assert all(len(url) <= 512 for url in buttons.values())
        assert buttons["Google Calendar"].startswith(f"{PUBLIC}/c/")
        feed = line_after(description, "Subscribe to the calendar: ")
        assert feed.startswith(f"{PUBLIC}/calendar/") and feed.endswith(".ics")
        async with TestClient(TestServer(build_web_app(service.core))) as web:
            for label, prefix in (("Google Calendar", "Add to Google Calendar: "),
                                  ("Outlook", "Add to Outlook: ")):
                response = await web.get(urlsplit(buttons[label]).path, allow_redirects=False)
                assert response.status == 302
                assert response.headers["Location"] == line_after(description, prefix)
            # A forged meeting time or kind, or another token: nothing to redirect to.
            path = urlsplit(buttons["Google Calendar"]).path
            token = path.split("/")[2]
            for forged in (path.replace("T150000Z", "T160000Z"),
                           path.replace("/google", "/evil"),
                           path.replace(token, token[:-1] + "x"),
                           f"/c/{token}/not-a-time/google"):
                missing = await web.get(forged, allow_redirects=False)
                assert (missing.status, await missing.text()) == (404, "no such link\n")
            feed_answer = await web.get(urlsplit(feed).path)
            assert feed_answer.status == 200


async def test_meeting_next_with_a_zoom_link_is_accepted(fake: FakeDiscord, tmp_path: Path,
                                                        database_url: str) -> None:
    for public_url in ("", PUBLIC):
        async with running_service(fake, settings(tmp_path, public_url), database_url):
            callback = await slash(fake, "next")
        assert callback.data["content"].startswith("Next meeting: ")
        urls = [b["url"] for b in buttons_of(callback.data)]
        assert urls[0] == ZOOM and all(len(url) <= 512 for url in urls)
        assert len(urls) == (3 if public_url else 1)


async def test_a_join_link_too_long_for_a_button_goes_in_the_text(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    huge = "https://meet.example.org/j/1?" + "token=" + "x" * 600
    async with running_service(fake, settings(tmp_path, join=huge), database_url):
        await say(fake, "#startmeeting")
        (started,) = await fake.wait_for(
            lambda: [m for m in fake.messages_in(TEXT) if m["embeds"]])
    assert [b["label"] for b in buttons_of(started)] == ["I'm here"]
    assert started["embeds"][0]["description"].endswith(f"Join the call: {huge}")
