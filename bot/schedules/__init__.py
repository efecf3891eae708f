"""Schedules: when each group meets, the meetings and reminders that follows from it.

``recurrence`` turns a group's config into occurrences, ``materialise`` stores them a
horizon ahead with their reminder rows; ``bot.store.reminder_rows`` holds the row claim
that makes each reminder post at most once, whichever process fires it.
"""

from bot.schedules.recurrence import Occurrence, ScheduleError

__all__ = ["Occurrence", "ScheduleError"]
