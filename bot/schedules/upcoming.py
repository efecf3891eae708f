"""The coming meetings of a group, as stored (an RRULE group is planned on the spot, so
the answer is right even before the reminder loop has run; a feed group shows what the
loop last read from its feed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from bot.config import Group
from bot.schedules.materialise import store_plans
from bot.schedules.plan import plan_group
from bot.schedules.rows import ScheduledMeeting, meetings_between


def upcoming_meetings(connection: Connection, group: Group, now: datetime,
                      count: int = 5) -> list[ScheduledMeeting]:
    """Raises ``ScheduleError`` when the group's schedule is broken."""
    if group.schedule is not None and group.schedule.rrule:
        store_plans(connection, [plan_group(group, now)], now)
    return meetings_between(connection, now, now + timedelta(days=800), group.name)[:count]
