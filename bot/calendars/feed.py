"""The subscription feed of a group: its upcoming meetings as an ``.ics`` file, served at
``/calendar/<feed token>.ics`` and written by ``gavel ics GROUP``.

Building it only reads: an RRULE group's meetings come from its rule, a feed group's from
what the planner stored. The join link is left out unless the group sets
``feed_join_link``: a feed URL ends up in shared calendars, a passcode should not.
"""

from __future__ import annotations

from datetime import datetime

from bot.calendars.ics import meetings_calendar
from bot.config import Group
from bot.schedules.upcoming import upcoming_meetings
from bot.store import Database

FEED_SIZE = 100


def group_feed(database: Database, group: Group, now: datetime) -> str:
    """Raises ``ScheduleError`` when the group's schedule is broken."""
    with database.transaction() as store:
        meetings = upcoming_meetings(store, group, now, FEED_SIZE, write=False)
    return meetings_calendar(group, meetings, stamp=now, join=group.feed_join_link)
