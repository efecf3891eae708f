"""From a group's ``[groups.schedule]`` to the instants it meets.

Occurrences are computed on wall-clock time in the group's zone (dateutil's RRULE on naive
datetimes) and only then turned into instants with ``zoneinfo``: a meeting at 14:00 New York
stays at 14:00 New York across daylight-saving changes. Two nights need care:

- spring forward: 02:30 does not exist; like RFC 5545 we read it with the offset from
  before the gap, so it lands at 03:30 local time;
- fall back: 01:30 happens twice; like RFC 5545 we take the first one (``fold=0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

if TYPE_CHECKING:  # annotations only
    from bot.config import Group, Schedule


class ScheduleError(Exception):
    """A group's schedule cannot be used: says which group, which key, and what is wrong."""

    def __init__(self, group: str, key: str, problem: str) -> None:
        super().__init__(f"group {group!r}: {key}: {problem}")
        self.group = group
        self.key = key
        self.problem = problem


@cache
def zone_named(name: str) -> ZoneInfo:
    """``ZoneInfo(name)``, kept for good: zoneinfo holds only eight zones strongly, and a
    reminder's zone table has twelve, so without this each reminder re-read tz files from
    disk. Names come from the config, so the cache stays small; unknown names raise and
    are not cached."""
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting of a group: an instant (UTC), its end, and the zone it is planned in."""

    start: datetime
    end: datetime
    zone: str
    title: str = ""

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(zone_named(self.zone))


def zone_of(group: Group, key: str, name: str) -> ZoneInfo:
    try:
        return zone_named(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(group.name, key, f"unknown time zone {name!r} (use an IANA name "
                            "such as 'America/New_York' or 'UTC')") from None


def check_zones(group: Group) -> None:
    """The zones of the group's time table must exist too."""
    for n, name in enumerate(group.zones):
        zone_of(group, f"zones[{n}]", name)


def _wall_clock(group: Group, key: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ScheduleError(group.name, key, f"{value!r} is not a local date and time like "
                            "'2026-01-08T14:00'") from None
    if parsed.tzinfo is not None:
        raise ScheduleError(group.name, key, f"{value!r} has a UTC offset; give the wall-clock "
                            "time and set schedule.timezone instead")
    return parsed


def _local_date(group: Group, key: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScheduleError(group.name, key, f"{value!r} is not a date like '2026-12-24'") \
            from None


def to_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant (gap: offset before it; overlap: first)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class RecurringSchedule:
    """A checked RRULE schedule: everything needed to list occurrences or write an .ics."""

    group: Group
    rule_text: str  # without the "RRULE:" prefix
    first: datetime  # naive wall clock
    zone: ZoneInfo
    duration: timedelta
    skips: frozenset[date]
    moves: dict[date, datetime]  # original local date -> new wall-clock time

    @property
    def rule(self) -> rrule:
        return rrulestr(self.rule_text, dtstart=self.first)  # type: ignore[return-value]

    def between(self, start: datetime, end: datetime) -> list[Occurrence]:
        """Occurrences starting in [start, end) (aware instants), moves and skips applied."""
        # Search the rule on wall-clock time with a day of margin either side, then filter
        # on instants: the margin covers every UTC offset.
        lo = start.astimezone(self.zone).replace(tzinfo=None) - timedelta(days=2)
        hi = end.astimezone(self.zone).replace(tzinfo=None) + timedelta(days=2)
        found: list[Occurrence] = []
        for wall in self.rule.between(lo, hi, inc=True):
            day = wall.date()
            if day in self.skips:
                continue
            wall = self.moves.get(day, wall)
            instant = to_instant(wall, self.zone)
            if start <= instant < end:
                found.append(self._occurrence(instant))
        # A meeting moved from outside the searched window into it.
        for original, wall in self.moves.items():
            instant = to_instant(wall, self.zone)
            if start <= instant < end and not lo.date() <= original <= hi.date():
                found.append(self._occurrence(instant))
        return sorted(set(found), key=lambda o: o.start)

    def _occurrence(self, instant: datetime) -> Occurrence:
        return Occurrence(instant, instant + self.duration, self.zone.key,
                          self.group.meeting_title)


def recurring_schedule(group: Group) -> RecurringSchedule:
    """Check a group's RRULE schedule, or raise a ``ScheduleError`` naming the key."""
    schedule = group.schedule
    assert schedule is not None and schedule.rrule
    zone = zone_of(group, "schedule.timezone", schedule.timezone)
    if not schedule.start:
        raise ScheduleError(group.name, "schedule.start", "needed with schedule.rrule: the "
                            "first meeting's local date and time, like '2026-01-08T14:00'")
    first = _wall_clock(group, "schedule.start", schedule.start)
    rule_text = schedule.rrule.strip().removeprefix("RRULE:")
    try:
        rule = rrulestr(rule_text, dtstart=first)
        if not isinstance(rule, rrule):
            raise ValueError("give one RRULE, not a set")
        rule.after(first, inc=True)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(group.name, "schedule.rrule", f"{schedule.rrule!r} is not a valid "
                            f"RRULE ({exc}); example: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH'") \
            from None
    skips = frozenset(_skipped_day(group, rule, f"schedule.skip[{n}]", v)
                      for n, v in enumerate(schedule.skip))
    moves: dict[date, datetime] = {}
    for original, target in schedule.moves.items():
        key = f"schedule.moves.{original}"
        day = _local_date(group, key, original)
        start_of_day = datetime.combine(day, datetime.min.time())
        if not rule.between(start_of_day, start_of_day + timedelta(days=1), inc=True):
            raise ScheduleError(group.name, key, f"there is no meeting on {original} to move")
        moves[day] = _wall_clock(group, key, target)
    return RecurringSchedule(group, rule_text, first, zone,
                             timedelta(minutes=schedule.duration_minutes), skips, moves)


def _skipped_day(group: Group, rule: rrule, key: str, value: str) -> date:
    """A skip must name a day the group meets: one that matches nothing (a typo, a date
    from an older rule) would leave the meeting somebody meant to cancel in place."""
    day = _local_date(group, key, value)
    start_of_day = datetime.combine(day, datetime.min.time())
    if any(wall.date() == day for wall in
           rule.between(start_of_day, start_of_day + timedelta(days=1), inc=True)):
        return day
    nearest = [wall.date().isoformat() for wall in
               (rule.before(start_of_day), rule.after(start_of_day)) if wall is not None]
    raise ScheduleError(group.name, key, f"{day} is not a meeting day of this schedule"
                        + (f" (the nearest are {' and '.join(nearest)})" if nearest else ""))


def check_skips(group: Group) -> None:
    """The skip dates of a group's RRULE schedule, checked when the config is loaded.

    Only skips: the rest of a schedule is checked per group when it is planned, so one
    group's broken rule does not stop the others; a rule too broken to read leaves its
    skips to that check as well.
    """
    schedule = group.schedule
    if schedule is None or not schedule.rrule or not schedule.skip:
        return
    try:
        recurring_schedule(group)
    except ScheduleError as exc:
        if exc.key.startswith("schedule.skip"):
            raise


def has_schedule(group: Group) -> bool:
    return group.schedule is not None and bool(group.schedule.rrule or group.schedule.ics_url)


def check_source(group: Group, schedule: Schedule) -> None:
    if schedule.rrule and schedule.ics_url:
        raise ScheduleError(group.name, "schedule", "give schedule.rrule or schedule.ics_url, "
                            "not both")
