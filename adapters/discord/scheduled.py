"""Guild scheduled events for a group's coming meetings (``[discord] scheduled_events``).

The schedule computes occurrences; ``sync_scheduled_events`` makes the guild's events
match them with as few requests as it can: an event whose start is unchanged is left
alone (or edited if its title, end or location changed), an occurrence that moved takes
over a leftover event (edited: people who marked "interested" keep it), and only what is
left over is created or deleted. Discord has no recurring events in discord.py, so each
occurrence is its own event. Events are always ``external`` (a location, usually the
call link) with ``guild_only`` privacy, the only level Discord accepts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict

import discord

from bot.store import Database
from bot.store import discord_rows as state

log = logging.getLogger("gavel.discord.events")

NAME_LIMIT = 100
LOCATION_LIMIT = 100
DESCRIPTION_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One coming meeting: (title, start, end, location), instants aware."""

    title: str
    start: datetime
    end: datetime
    location: str


@dataclass
class SyncReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Wanted(TypedDict):
    """What an event should show; typed so each key meets discord.py's own signature."""

    name: str
    start_time: datetime
    end_time: datetime
    location: str


class _Description(TypedDict, total=False):
    """Only sent when there is one: an absent key leaves the event's text alone."""

    description: str


def _description(description: str) -> _Description:
    return {"description": _cut(description, DESCRIPTION_LIMIT)} if description else {}


def _wanted(occurrence: Occurrence) -> _Wanted:
    return {
        "name": _cut(occurrence.title, NAME_LIMIT),
        "start_time": occurrence.start.astimezone(UTC),
        "end_time": occurrence.end.astimezone(UTC),
        "location": _cut(occurrence.location or "See the meeting channel", LOCATION_LIMIT),
    }


def _differs(event: discord.ScheduledEvent, wanted: _Wanted) -> bool:
    return (event.name != wanted["name"] or event.start_time != wanted["start_time"]
            or event.end_time != wanted["end_time"] or event.location != wanted["location"])


async def sync_scheduled_events(guild: discord.Guild, group_name: str,
                                occurrences: Sequence[Occurrence], database: Database,
                                *, description: str = "",
                                now: datetime | None = None) -> SyncReport:
    """Create, update and delete ``guild``'s events for ``group_name`` to match."""
    now = now or datetime.now(UTC)
    report = SyncReport()
    coming = sorted((o for o in occurrences if o.start > now), key=lambda o: o.start)
    known_ids = await asyncio.to_thread(_our_event_ids, database, str(guild.id), group_name)
    live = {e.id: e for e in await guild.fetch_scheduled_events()}
    ours: list[discord.ScheduledEvent] = []
    for event_id in known_ids:
        event = live.get(int(event_id))
        if event is None or event.status is not discord.EventStatus.scheduled:
            # Deleted by someone, started or over: no longer ours to manage.
            await asyncio.to_thread(_forget, database, event_id)
            continue
        ours.append(event)

    by_start = {e.start_time: e for e in ours}
    unmatched: list[Occurrence] = []
    for occurrence in coming:
        event = by_start.pop(occurrence.start.astimezone(UTC), None)
        if event is None:
            unmatched.append(occurrence)
            continue
        await _update(event, occurrence, report, description)
    leftovers = sorted(by_start.values(), key=lambda e: e.start_time)
    description_arg = _description(description)
    for occurrence in unmatched:
        if leftovers:  # the meeting moved: move its event
            event = leftovers.pop(0)
            await _update(event, occurrence, report, description)
            await asyncio.to_thread(_remember, database, guild.id, group_name, event.id,
                                    occurrence.start)
            continue
        created = await guild.create_scheduled_event(
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            reason=f"Gavel: {group_name} meeting",
            **_wanted(occurrence),
            **description_arg,
        )
        report.created.append(created.id)
        await asyncio.to_thread(_remember, database, guild.id, group_name, created.id,
                                occurrence.start)
    for event in leftovers:  # no longer on the schedule
        await event.delete(reason=f"Gavel: {group_name} meeting no longer scheduled")
        report.deleted.append(event.id)
        await asyncio.to_thread(_forget, database, str(event.id))
    log.info("scheduled events for %s in guild %s: %d created, %d updated, %d deleted",
             group_name, guild.id, len(report.created), len(report.updated),
             len(report.deleted))
    return report


async def _update(event: discord.ScheduledEvent, occurrence: Occurrence, report: SyncReport,
                  description: str) -> None:
    wanted = _wanted(occurrence)
    if not _differs(event, wanted):
        report.unchanged.append(event.id)
        return
    await event.edit(entity_type=discord.EntityType.external,
                     privacy_level=discord.PrivacyLevel.guild_only,
                     **wanted, **_description(description))
    report.updated.append(event.id)


def _our_event_ids(database: Database, guild_id: str, group_name: str) -> list[str]:
    with database.transaction() as store:
        return state.our_events(store, guild_id, group_name)


def _remember(database: Database, guild_id: int, group_name: str, event_id: int,
              start: datetime) -> None:
    with database.transaction() as store:
        state.remember_event(store, str(guild_id), group_name, str(event_id), start)


def _forget(database: Database, event_id: str) -> None:
    with database.transaction() as store:
        state.forget_event(store, event_id)
