"""Reminder offsets: ``"24h"``, ``"1h"``, ``"0m"``, ``"1d12h"``, ``"90m"`` before a meeting."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

from bot.config import Group
from bot.schedules.recurrence import Occurrence, ScheduleError

_OFFSET = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)


def parse_offsets(group: Group) -> list[timedelta]:
    offsets = []
    for n, text in enumerate(group.reminders):
        match = _OFFSET.fullmatch(text.strip())
        if not text.strip() or match is None or not any(match.groups()):
            if text.strip() == "0":
                offsets.append(timedelta(0))
                continue
            raise ScheduleError(group.name, f"reminders[{n}]", f"{text!r} is not an offset "
                                "like '24h', '1h', '30m', '1d12h' or '0m' (at the start)")
        days, hours, minutes = (int(g or 0) for g in match.groups())
        offsets.append(timedelta(days=days, hours=hours, minutes=minutes))
    return offsets


def describe_offset(offset: timedelta) -> str:
    """``24h`` -> "in 24 hours", for the reminder's first line."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "starting now"
    if minutes % (24 * 60) == 0 and minutes >= 48 * 60:
        return f"in {minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "in 1 hour" if hours == 1 else f"in {hours} hours"
    if minutes < 60:
        return "in 1 minute" if minutes == 1 else f"in {minutes} minutes"
    return f"in {minutes // 60} h {minutes % 60} min"


def check_offsets(group: Group, offsets: list[timedelta], occurrences: list[Occurrence]) -> None:
    """An offset longer than the gap between two meetings would announce the wrong one."""
    starts = [o.start for o in occurrences]
    gaps = [b - a for a, b in pairwise(starts)]
    if not gaps:
        return
    shortest = min(gaps)
    for n, offset in enumerate(offsets):
        if offset > shortest:
            raise ScheduleError(group.name, f"reminders[{n}]", f"{group.reminders[n]!r} before "
                                f"a meeting is longer than the {_span(shortest)} between "
                                "meetings: the reminder would come before the previous meeting")


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"
