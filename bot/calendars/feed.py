"""The subscription feed of a group: its upcoming meetings as an ``.ics`` file, served at
``/calendar/<group>.ics`` and written by ``gavel ics GROUP``."""

from __future__ import annotations

from datetime import datetime

from bot.calendars.ics import group_slug, meetings_calendar
from bot.config import Group, Settings
from bot.schedules.upcoming import upcoming_meetings
from bot.store import Database

FEED_SIZE = 100


def group_by_slug(settings: Settings, slug: str) -> Group | None:
    """``security-wg`` or ``Security WG`` -> that group."""
    wanted = group_slug(slug)
    return next((g for g in settings.groups if group_slug(g.name) == wanted), None)


def group_feed(database: Database, group: Group, now: datetime) -> str:
    """Raises ``ScheduleError`` when the group's schedule is broken."""
    with database.transaction() as store:
        meetings = upcoming_meetings(store.connection, group, now, FEED_SIZE)
    return meetings_calendar(group, meetings, stamp=now)
