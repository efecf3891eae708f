"""The coming meetings of a group. An RRULE group's are computed from its rule (and, in a
chat command, its plan stored, so the answer is right even before the reminder loop has
run); a feed group shows what the loop last read from its feed."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Group
from bot.schedules.materialise import store_plans
from bot.schedules.plan import plan_group
from bot.schedules.recurrence import Occurrence
from bot.store import Store
from bot.store.reminder_rows import meetings_between

LOOK_AHEAD = timedelta(days=800)


def upcoming_meetings(store: Store, group: Group, now: datetime,
                      count: int = 5, write: bool = True) -> list[Occurrence]:
    """Raises ``ScheduleError`` when the group's schedule is broken. ``write=False`` only
    reads (the anonymous calendar feed: a GET must never write)."""
    if group.schedule is not None and group.schedule.rrule:
        plan = plan_group(group, now)
        if write:
            store_plans(store, [plan], now)
        assert plan.series is not None
        found: list[Occurrence] = []
        step = timedelta(days=120)
        begin = now
        while len(found) < count and begin < now + LOOK_AHEAD:
            found += plan.series.between(begin, min(begin + step, now + LOOK_AHEAD))
            begin += step
        return found[:count]
    return [m.occurrence for m in meetings_between(store, now, now + LOOK_AHEAD,
                                                   group.name)[:count]]
