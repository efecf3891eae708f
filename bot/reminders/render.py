"""Rendering each meeting's reminders once, however many reminders and channels it has.

A reminder's links, zone table and ``.ics`` file depend only on the group and the meeting,
and writing them (the ``.ics`` VTIMEZONE above all) cost milliseconds of CPU a reminder:
at a few hundred reminders due in the same second that alone made them late. The service
keeps one ``ReminderRenderer``: the series file is written once per group, the meeting's
parts once per meeting; only the lead line, the late notice and the agenda (which changes
on GitHub) are made per reminder.

Entries remember the ``Group`` object they were made from, so a reloaded configuration
never reuses them; ``clear`` (called at each refresh) drops the rest, so a moved meeting
or an edited schedule is rendered afresh and the cache never outgrows one refresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta

from bot.calendars.ics import series_calendar
from bot.calendars.public_links import PublicLinks
from bot.config import Group
from bot.effects import Post
from bot.events import Place
from bot.ports import AgendaSource
from bot.reminders.text import (
    AGENDA_FROM,
    MeetingParts,
    meeting_parts,
    reminder_post,
    series_of,
)
from bot.schedules.recurrence import Occurrence

PartsKey = tuple[str, Occurrence]


class ReminderRenderer:
    """A bounded, thread-safe cache of ``MeetingParts`` (and series files) per meeting."""

    def __init__(self, size: int = 40_000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._parts: OrderedDict[PartsKey, tuple[Group, PublicLinks | None, MeetingParts]] = \
            OrderedDict()
        self._series: dict[str, tuple[Group, str | None]] = {}

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._series.clear()

    def post(self, group: Group, place: Place, occurrence: Occurrence, offset: timedelta,
             late: bool = False, agenda_source: AgendaSource | None = None,
             public: PublicLinks | None = None, memory: tuple[str, ...] = ()) -> Post:
        return reminder_post(group, place, occurrence, offset, late, agenda_source,
                             parts=self.parts(group, occurrence, public), memory=memory)

    def ready_post(self, group: Group, place: Place, occurrence: Occurrence, offset: timedelta,
                   late: bool = False, agenda_source: AgendaSource | None = None,
                   public: PublicLinks | None = None, memory: tuple[str, ...] = ()
                   ) -> Post | None:
        """The post if it needs no slow work (its meeting's parts are cached and it has no
        agenda to read from GitHub); None otherwise. Safe to call in the event loop."""
        if agenda_source is not None and offset >= AGENDA_FROM and group.labels:
            return None
        with self._lock:
            found = self._parts.get((group.name, occurrence))
        if found is None or found[0] is not group or found[1] != public:
            return None
        return reminder_post(group, place, occurrence, offset, late, agenda_source,
                             parts=found[2], memory=memory)

    def parts(self, group: Group, occurrence: Occurrence, public: PublicLinks | None = None
              ) -> MeetingParts:
        key = (group.name, occurrence)
        with self._lock:
            found = self._parts.get(key)
            if found is not None and found[0] is group and found[1] == public:
                self._parts.move_to_end(key)
                return found[2]
        made = meeting_parts(group, occurrence, self._series_file(group), public)
        with self._lock:
            self._parts[key] = (group, public, made)
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)
        return made

    def _series_file(self, group: Group) -> str | None:
        """The group's series ``.ics`` (None when it has no RRULE), written once."""
        with self._lock:
            found = self._series.get(group.name)
        if found is not None and found[0] is group:
            return found[1]
        series = series_of(group)
        content = series_calendar(series) if series else None
        with self._lock:
            if len(self._series) >= self.size:
                self._series.clear()
            self._series[group.name] = (group, content)
        return content
