"""The time-zone table of a reminder: one meeting instant in each of the group's zones.

Chat platforms show ``Post.when`` in the reader's own zone; the table is for planning
with colleagues elsewhere (and for the console and e-mail, which cannot localise).
"""

from __future__ import annotations

from datetime import datetime

from bot.config import NODEJS_ZONES, Group
from bot.schedules.recurrence import zone_named


def group_zones(group: Group) -> list[tuple[str, str]]:
    """(label, IANA name) pairs: the group's ``zones``, or the twelve Node.js zones."""
    if not group.zones:
        return list(NODEJS_ZONES)
    labels = {zone: label for label, zone in NODEJS_ZONES}
    return [(labels.get(zone, zone), zone) for zone in group.zones]


def zone_rows(group: Group, instant: datetime) -> list[tuple[str, str]]:
    """(label, "Thu 08 Jan 2026 11:00") for each zone of the group."""
    rows = []
    for label, zone in group_zones(group):
        local = instant.astimezone(zone_named(zone))
        rows.append((label, local.strftime("%a %d %b %Y %H:%M")))
    return rows


def zone_table_text(group: Group, instant: datetime) -> str:
    rows = zone_rows(group, instant)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"  {label.ljust(width)}  {local}" for label, local in rows)
