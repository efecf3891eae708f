"""``.ics`` files: a group's recurring series (one VEVENT with RRULE, EXDATE for skipped
dates and an overriding VEVENT per moved meeting), or a list of single meetings (the
subscription feed). Both carry VTIMEZONE blocks, so calendar apps keep the wall-clock time
across daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from bot.calendars.links import event_details
from bot.config import Group
from bot.schedules.recurrence import Occurrence, RecurringSchedule

if TYPE_CHECKING:  # imported where used: loading icalendar costs every command otherwise
    from icalendar import Event, Timezone

PRODID = "-//Gavel//Gavel meeting bot//EN"


def group_slug(name: str) -> str:
    """``Security WG`` -> ``security-wg``: the name in file names and feed URLs."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "group"


def _uid(group: Group, start: datetime) -> str:
    return f"{group_slug(group.name)}-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}@gavel"


def _event(group: Group, start: datetime, end: datetime, title: str, uid: str,
           stamp: datetime, join: bool = True) -> Event:
    from icalendar import Event

    return Event.new(summary=title or group.meeting_title, start=start, end=end, uid=uid,
                     stamp=stamp, description=event_details(group, join) or None,
                     location=(group.links.join if join else "") or None)


def series_calendar(schedule: RecurringSchedule, stamp: datetime | None = None) -> str:
    """The whole recurring series, as one file to import."""
    group = schedule.group
    stamp = stamp or datetime.now(UTC)
    first = schedule.first.replace(tzinfo=schedule.zone)
    uid = f"{group_slug(group.name)}-series@gavel"
    series = _event(group, first, first + schedule.duration, group.meeting_title, uid, stamp)
    from icalendar import vRecur

    series.add("rrule", vRecur.from_ical(schedule.rule_text))
    rule = schedule.rule
    excluded = set(schedule.skips) | set(schedule.moves)
    for day in sorted(excluded):
        midnight = datetime.combine(day, datetime.min.time())
        for wall in rule.between(midnight, midnight + timedelta(days=1), inc=False):
            series.add("exdate", wall.replace(tzinfo=schedule.zone))
    events = [series]
    for day, wall in sorted(schedule.moves.items()):
        moved = wall.replace(tzinfo=schedule.zone)
        events.append(_event(group, moved, moved + schedule.duration, group.meeting_title,
                             f"{group_slug(group.name)}-moved-{day:%Y%m%d}@gavel", stamp))
    return _calendar(group, events)


def meetings_calendar(group: Group, occurrences: Iterable[Occurrence],
                      stamp: datetime | None = None, join: bool = True) -> str:
    """Single meetings (the upcoming ones), each its own VEVENT in the group's zone;
    without the join link when ``join`` is false (the public feed)."""
    stamp = stamp or datetime.now(UTC)
    events = []
    for occurrence in occurrences:
        local = occurrence.local_start
        end = occurrence.end.astimezone(local.tzinfo)
        events.append(_event(group, local, end, occurrence.title, _uid(group, occurrence.start),
                             stamp, join))
    return _calendar(group, events)


def _calendar(group: Group, events: list[Event]) -> str:
    # A fixed UID per group: the same series is the same calendar (and icalendar's
    # default, a fresh uuid4, is a system call per file).
    from icalendar import Calendar

    calendar = Calendar.new(prodid=PRODID, subcomponents=events, name=group.meeting_title,
                            uid=f"{group_slug(group.name)}-calendar@gavel")
    # What ``add_missing_timezones`` does, but with each zone's VTIMEZONE built once:
    # building it walks decades of transitions (milliseconds a zone), and it does not
    # depend on the events.
    known = [zone for zone in map(_vtimezone, sorted(calendar.get_missing_tzids())) if zone]
    calendar.subcomponents[len(calendar.timezones):len(calendar.timezones)] = known
    return calendar.to_ical().decode("utf-8")


@cache
def _vtimezone(tzid: str) -> Timezone | None:
    """The VTIMEZONE of ``tzid`` over icalendar's default span, or None if unknown.

    Shared between calendars: they are serialised at once and never changed."""
    from icalendar import Timezone

    try:
        return Timezone.from_tzid(tzid)
    except ValueError:
        return None
