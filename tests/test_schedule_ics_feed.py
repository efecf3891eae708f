"""Schedules read from an ICS feed over HTTP (as the Node.js tooling reads LFX's), and
what happens when the feed is down or garbage: that group is reported, others go on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.config import Group, Schedule, Settings
from bot.schedules.materialise import materialise
from bot.store import Database
from bot.store import reminder_rows as rows

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//LFX//Meetings//EN
BEGIN:VEVENT
UID:sec-1@lfx
DTSTAMP:20260101T000000Z
SUMMARY:Node.js Security WG Meeting
DTSTART;TZID=America/New_York:20260108T140000
DTEND;TZID=America/New_York:20260108T150000
RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH
END:VEVENT
BEGIN:VEVENT
UID:tsc-1@lfx
DTSTAMP:20260101T000000Z
SUMMARY:Node.js TSC Meeting
DTSTART:20260107T160000Z
DTEND:20260107T170000Z
RRULE:FREQ=WEEKLY
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def feed_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/calendar.ics":
                body, status = FEED.encode(), 200
            elif self.path == "/garbage.ics":
                body, status = b"<html>Sign in to continue</html>", 200
            else:
                body, status = b"gone", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def feed_group(name: str, url: str, filter_: str = "Security WG") -> Group:
    return Group(name=name, reminders=["1h"],
                 schedule=Schedule(ics_url=url, ics_filter=filter_, timezone="UTC"))


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored(database: Database, name: str) -> list[datetime]:
    with database.transaction() as store:
        return [m.starts_at for m in rows.meetings_between(store, NOW,
                                                           NOW + timedelta(days=60), name)]


def test_feed_events_matching_the_filter_become_meetings(database: Database,
                                                         feed_server: str) -> None:
    group = feed_group("Security WG", f"{feed_server}/calendar.ics")
    report = materialise(database, Settings(groups=[group]), NOW)
    assert report.errors == []
    assert stored(database, "Security WG") == [
        datetime(2026, 1, 8, 19, tzinfo=UTC), datetime(2026, 1, 22, 19, tzinfo=UTC)]


def test_unreachable_and_malformed_feeds_are_reported_and_others_carry_on(
        database: Database, feed_server: str) -> None:
    good = feed_group("Security WG", f"{feed_server}/calendar.ics")
    missing = feed_group("Missing WG", f"{feed_server}/nope.ics")
    garbage = feed_group("Garbage WG", f"{feed_server}/garbage.ics")
    down = feed_group("Down WG", "http://127.0.0.1:9/calendar.ics")
    report = materialise(database, Settings(groups=[missing, garbage, good, down]), NOW)
    messages = sorted(str(e) for e in report.errors)
    assert len(messages) == 3
    # Only scheme and host: a private calendar URL carries its secret in the path.
    assert messages[0].startswith("group 'Down WG': schedule.ics_url: cannot fetch "
                                  "http://127.0.0.1:9/…:")
    assert messages[1].startswith(f"group 'Garbage WG': schedule.ics_url: {feed_server}"
                                  "/… is not a valid iCalendar feed")
    assert messages[2] == (f"group 'Missing WG': schedule.ics_url: cannot fetch "
                           f"{feed_server}/…: HTTP 404 Not Found")
    assert not any("garbage.ics" in m or "nope.ics" in m for m in messages)
    assert len(stored(database, "Security WG")) == 2


def test_a_feed_outage_keeps_the_meetings_read_before(database: Database,
                                                      feed_server: str) -> None:
    materialise(database, Settings(groups=[feed_group("Security WG",
                                                      f"{feed_server}/calendar.ics")]), NOW)
    report = materialise(database, Settings(groups=[feed_group(
        "Security WG", "http://127.0.0.1:9/calendar.ics")]), NOW)
    assert [e.key for e in report.errors] == ["schedule.ics_url"]
    assert len(stored(database, "Security WG")) == 2
