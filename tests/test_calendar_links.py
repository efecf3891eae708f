"""Add-to-calendar links decoded field by field, and .ics files that calendar apps read
back to exactly the meetings the scheduler computes."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import icalendar
import recurring_ical_events

from bot.calendars.ics import meetings_calendar, series_calendar
from bot.calendars.links import calendar_links
from bot.config import Group, Links, Schedule
from bot.schedules.recurrence import recurring_schedule

SECURITY = Group(
    name="Security WG", title="Node.js Security team Meeting", minutes_repo="nodejs/security-wg",
    links=Links(join="https://zoom.us/j/123?pwd=a&b"),
    schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start="2026-01-08T14:00",
                      timezone="America/New_York", duration_minutes=60,
                      skip=["2026-12-24"], moves={"2026-03-05": "2026-03-06T02:30"}),
)


def fields(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


def occurrence_on(day: str):  # type: ignore[no-untyped-def]
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    found = recurring_schedule(SECURITY).between(start, start.replace(day=start.day + 1))
    assert len(found) == 1
    return found[0]


def test_google_calendar_link_fields() -> None:
    occurrence = occurrence_on("2026-07-09")
    base, query = fields(calendar_links(SECURITY, occurrence, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH")
                         .google)
    assert base == "https://calendar.google.com/calendar/render"
    assert query == {
        "action": "TEMPLATE",
        "text": "Node.js Security team Meeting",
        "dates": "20260709T180000Z/20260709T190000Z",  # 14:00 New York in summer = 18:00 UTC
        "details": "Join: https://zoom.us/j/123?pwd=a&b\n"
                   "Minutes and agenda: https://github.com/nodejs/security-wg",
        "location": "https://zoom.us/j/123?pwd=a&b",
        "ctz": "America/New_York",
        "recur": "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    }


def test_outlook_link_fields() -> None:
    occurrence = occurrence_on("2026-01-22")
    base, query = fields(calendar_links(SECURITY, occurrence).outlook)
    assert base == "https://outlook.office.com/calendar/deeplink/compose"
    assert query["path"] == "/calendar/action/compose"
    assert query["rru"] == "addevent"
    assert query["subject"] == "Node.js Security team Meeting"
    assert query["startdt"] == "2026-01-22T19:00:00Z"  # winter: 14:00 EST = 19:00 UTC
    assert query["enddt"] == "2026-01-22T20:00:00Z"
    assert query["location"] == "https://zoom.us/j/123?pwd=a&b"
    assert query["body"].startswith("Join: https://zoom.us/j/123?pwd=a&b")


def test_timeanddate_link_fields() -> None:
    _, query = fields(calendar_links(SECURITY, occurrence_on("2026-01-22")).timeanddate)
    assert query == {"msg": "Node.js Security team Meeting", "iso": "20260122T1900",
                     "p1": "1440", "ah": "1"}


def test_series_ics_read_back_gives_the_scheduler_occurrences() -> None:
    schedule = recurring_schedule(SECURITY)
    text = series_calendar(schedule)
    calendar = icalendar.Calendar.from_ical(text)
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/New_York" in text
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH" in text
    begin, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)
    read_back = sorted(e["DTSTART"].dt.astimezone(UTC)
                       for e in recurring_ical_events.of(calendar).between(begin, end))
    expected = [o.start for o in schedule.between(begin, end)]
    assert read_back == expected
    assert datetime(2026, 12, 24, 19, tzinfo=UTC) not in read_back  # skipped
    assert datetime(2026, 3, 6, 7, 30, tzinfo=UTC) in read_back  # moved to 02:30 EST
    assert datetime(2026, 3, 5, 19, tzinfo=UTC) not in read_back


def test_feed_ics_lists_each_meeting_with_uid_stamp_and_zone() -> None:
    schedule = recurring_schedule(SECURITY)
    begin, end = datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 4, 20, tzinfo=UTC)
    meetings = schedule.between(begin, end)
    calendar = icalendar.Calendar.from_ical(meetings_calendar(SECURITY, meetings))
    events = list(calendar.walk("VEVENT"))
    assert [e["DTSTART"].dt.astimezone(UTC) for e in events] == [m.start for m in meetings]
    assert all(e["DTSTART"].params["TZID"] == "America/New_York" for e in events)
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert all("DTSTAMP" in e for e in events)
    assert calendar["VERSION"] == "2.0" and "Gavel" in str(calendar["PRODID"])
