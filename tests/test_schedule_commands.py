"""``/meeting upcoming`` and ``/meeting next`` in chat, and the broken-schedule answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.commands.handler import MeetingBot
from bot.config import Group, Links, Schedule, Settings, WebSettings
from bot.effects import Post
from bot.store import Database
from tests.conftest import Chat, private

WG = Group(name="Security WG", title="Node.js Security team Meeting",
           links=Links(join="https://zoom.us/j/1"), standing_items=["Vulnerability Review"],
           schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start="2026-01-08T14:00",
                             timezone="America/New_York"))
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def chat_for(database: Database, group: Group) -> Chat:
    return Chat(MeetingBot(database, Settings(groups=[group])), start=NOW)


def test_upcoming_lists_the_next_meetings_in_the_group_zone_and_utc(database: Database) -> None:
    effects = chat_for(database, WG).slash("alice", "upcoming 3")
    (post,) = [e for e in effects if isinstance(e, Post)]
    assert post.text.splitlines() == [
        "Upcoming meetings of Security WG:",
        "- Node.js Security team Meeting: Thursday 05 March 2026, 14:00–15:00 "
        "America/New_York (19:00 UTC)",
        "- Node.js Security team Meeting: Thursday 19 March 2026, 14:00–15:00 "
        "America/New_York (18:00 UTC)",
        "- Node.js Security team Meeting: Thursday 02 April 2026, 14:00–15:00 "
        "America/New_York (18:00 UTC)",
    ]
    assert post.when == datetime(2026, 3, 5, 19, tzinfo=UTC)


def test_next_without_a_meeting_shows_the_next_one_with_links_and_ics(database: Database) -> None:
    effects = chat_for(database, WG).slash("alice", "next")
    (post,) = [e for e in effects if isinstance(e, Post)]
    assert post.text.startswith("Next meeting: Node.js Security team Meeting\n"
                                "When: Thursday 05 March 2026, 14:00–15:00 America/New_York")
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in post.text
    assert "https://outlook.office.com/calendar/deeplink/compose?" in post.text
    assert "  Tokyo          Fri 06 Mar 2026 04:00" in post.text
    assert post.attachment is not None and post.attachment.filename == "security-wg.ics"
    # No public web address: the calendar links stay in the text (as buttons, their 600+
    # characters would be refused by Discord).
    assert [b.label for b in post.buttons] == ["Join the meeting"]
    assert "Subscribe to the calendar" not in post.text


def test_next_with_a_public_address_has_short_calendar_buttons_and_the_feed(
        database: Database) -> None:
    settings = Settings(groups=[WG], web=WebSettings(public_url="https://gavel.example.org/"))
    effects = Chat(MeetingBot(database, settings), start=NOW).slash("alice", "next")
    (post,) = [e for e in effects if isinstance(e, Post)]
    join, google, outlook = post.buttons
    assert (join.label, join.url) == ("Join the meeting", "https://zoom.us/j/1")
    assert (google.label, outlook.label) == ("Google Calendar", "Outlook")
    base = google.url.removesuffix("/20260305T190000Z/google")
    assert base.startswith("https://gavel.example.org/c/") and len(base) < 80
    assert outlook.url == f"{base}/20260305T190000Z/outlook"
    (feed,) = [line for line in post.text.splitlines() if line.startswith("Subscribe")]
    assert feed.startswith("Subscribe to the calendar: https://gavel.example.org/calendar/")
    # Two tokens: the feed URL, often shared, does not open the links that carry the join
    # link.
    assert feed.removesuffix(".ics").rsplit("/", 1)[1] != base.rsplit("/", 1)[1]


def test_next_during_a_meeting_still_moves_through_the_agenda(database: Database) -> None:
    chat = chat_for(database, WG)
    chat.say("alice", "#startmeeting")
    effects = chat.slash("alice", "next")
    texts = [e.text for e in effects if isinstance(e, Post)]
    assert any("Vulnerability Review" in t for t in texts)
    assert not any(t.startswith("Next meeting") for t in texts)


def test_a_broken_schedule_is_explained_to_whoever_asks(database: Database) -> None:
    broken = replace(WG, schedule=Schedule(rrule="FREQ=WEEKLY;BYDAY=XX",
                                           start="2026-01-08T14:00"))
    replies = private(chat_for(database, broken).slash("alice", "upcoming"))
    assert replies == [replies[0]]
    assert replies[0].startswith("The schedule cannot be used: group 'Security WG': "
                                 "schedule.rrule: 'FREQ=WEEKLY;BYDAY=XX' is not a valid RRULE")


def test_a_group_without_schedule_is_told_how_to_add_one(database: Database) -> None:
    replies = private(chat_for(database, Group(name="Docs WG")).slash("bob", "next"))
    assert replies == ["Docs WG has no schedule yet: set [groups.schedule] rrule, start and "
                       "timezone (or ics_url) in the config."]
