"""A group's plan for the coming weeks: its occurrences, reminder offsets and channels.

Planning is pure (no database); the feed text of an ICS group is fetched beforehand. Any
problem raises a ``ScheduleError`` that names the group and the key, so the caller can
report it and carry on with the other groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Group
from bot.schedules.ics_feed import feed_occurrences
from bot.schedules.offsets import check_offsets, parse_offsets
from bot.schedules.recurrence import (
    Occurrence,
    RecurringSchedule,
    ScheduleError,
    check_source,
    check_zones,
    recurring_schedule,
)

# Where reminders of a group with no channel binding go: the console's default channel.
CONSOLE_BINDING = ("console", "", "console")


@dataclass(frozen=True)
class GroupPlan:
    group: Group
    occurrences: list[Occurrence]  # starting in [now, now + horizon)
    offsets: list[timedelta]
    bindings: list[tuple[str, str, str]]  # (platform, workspace, channel)
    series: RecurringSchedule | None  # None for a feed
    horizon: timedelta

    @property
    def rrule(self) -> str:
        return self.series.rule_text if self.series else ""


def bindings_of(group: Group) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = [(b.platform, b.workspace, b.channel)
                                         for b in group.channels]
    return found or [CONSOLE_BINDING]


def plan_group(group: Group, now: datetime, feed_text: str | None = None,
               horizon: timedelta | None = None) -> GroupPlan:
    schedule = group.schedule
    if schedule is None or not (schedule.rrule or schedule.ics_url):
        raise ScheduleError(group.name, "schedule", "no schedule.rrule or schedule.ics_url")
    check_source(group, schedule)
    check_zones(group)
    offsets = parse_offsets(group)
    horizon = horizon or timedelta(days=schedule.horizon_days)
    # Look far enough ahead to see two meetings in a row when an offset is long.
    window_end = now + horizon + max(offsets, default=timedelta(0)) + timedelta(days=1)
    series: RecurringSchedule | None = None
    if schedule.rrule:
        series = recurring_schedule(group)
        seen = series.between(now, window_end)
    else:
        if feed_text is None:
            raise ScheduleError(group.name, "schedule.ics_url", "the feed was not read")
        seen = feed_occurrences(group, feed_text, now, window_end)
    check_offsets(group, offsets, seen)
    upcoming = [o for o in seen if o.start < now + horizon]
    return GroupPlan(group, upcoming, offsets, bindings_of(group), series, horizon)
