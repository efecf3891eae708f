"""Schedules read from an ICS feed (how the Node.js tooling reads its LFX calendar).

The feed holds every project's meetings; ``ics_filter`` keeps the events whose summary
contains it. Recurrences, exceptions and moved instances are expanded by
recurring-ical-events, so a moved meeting in the feed moves here too.
"""

from __future__ import annotations

import urllib.parse
from datetime import UTC, date, datetime, timedelta

from bot.config import Group
from bot.schedules.recurrence import Occurrence, ScheduleError, zone_of

FETCH_TIMEOUT_SECONDS = 15


def shown_url(url: str) -> str:
    """A feed URL fit for logs: private calendar links carry their secret in the path or
    query, so only the scheme and host are shown."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # never the user:password part either
    return f"{parts.scheme}://{host}/…" if host else "the feed URL"


def fetch_feed(group: Group) -> str:
    """The feed's text; a ``ScheduleError`` naming ``schedule.ics_url`` when unreachable."""
    assert group.schedule is not None
    url = group.schedule.ics_url
    if not url.startswith(("http://", "https://", "file://")):
        raise ScheduleError(group.name, "schedule.ics_url", f"{url!r} is not an http(s) URL")
    import urllib.error  # here, not at the top: only a fetch needs them (the replay never)
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "gavel-calendar/1"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise ScheduleError(group.name, "schedule.ics_url",
                            f"cannot fetch {shown_url(url)}: HTTP {exc.code} {exc.reason}"
                            ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScheduleError(group.name, "schedule.ics_url",
                            f"cannot fetch {shown_url(url)}: {reason}") from None


def feed_occurrences(group: Group, text: str, start: datetime, end: datetime) -> list[Occurrence]:
    """The feed's events matching the filter that start in [start, end)."""
    schedule = group.schedule
    assert schedule is not None
    zone = zone_of(group, "schedule.timezone", schedule.timezone)
    import icalendar  # here, not at the top: most commands never read a feed
    import recurring_ical_events

    try:
        if "BEGIN:VCALENDAR" not in text:
            raise ValueError("no BEGIN:VCALENDAR")
        calendar = icalendar.Calendar.from_ical(text)
        events = recurring_ical_events.of(calendar).between(start - timedelta(days=1),
                                                            end + timedelta(days=1))
    except Exception as exc:  # the parsers raise many kinds; all mean "bad feed"
        raise ScheduleError(group.name, "schedule.ics_url",
                            f"{shown_url(schedule.ics_url)} is not a valid iCalendar feed "
                            f"({type(exc).__name__}: {exc})") from None
    wanted = schedule.ics_filter.casefold()
    found: dict[datetime, Occurrence] = {}
    for event in events:
        summary = str(event.get("SUMMARY", ""))
        if wanted and wanted not in summary.casefold():
            continue
        begin = event.get("DTSTART").dt
        if isinstance(begin, date) and not isinstance(begin, datetime):
            continue  # an all-day event is no meeting time
        finish = event.get("DTEND").dt if event.get("DTEND") is not None else None
        if begin.tzinfo is None:  # floating time: the group's zone
            begin = begin.replace(tzinfo=zone)
            finish = finish.replace(tzinfo=zone) if isinstance(finish, datetime) else None
        instant = begin.astimezone(UTC)
        if not isinstance(finish, datetime):
            finish = instant + timedelta(minutes=schedule.duration_minutes)
        if start <= instant < end:
            found[instant] = Occurrence(instant, finish.astimezone(UTC), zone.key,
                                        summary or group.meeting_title)
    return sorted(found.values(), key=lambda o: o.start)
