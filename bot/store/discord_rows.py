"""The Discord adapter's own rows: command-tree hashes per guild, scheduled events made.

Kept here, beside the schema that defines their tables, so that only ``bot/store`` writes
SQL; the adapter calls these with a ``Store`` from ``Database.transaction()``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from bot.store import Store
from bot.store.schema import discord_command_syncs, discord_scheduled_events


def synced_hashes(store: Store) -> dict[str, str]:
    rows = store.connection.execute(
        select(discord_command_syncs.c.guild_id, discord_command_syncs.c.tree_hash))
    return {r.guild_id: r.tree_hash for r in rows}


def record_sync(store: Store, guild_id: str, tree_hash: str, at: datetime) -> None:
    done = store.connection.execute(
        update(discord_command_syncs).where(discord_command_syncs.c.guild_id == guild_id)
        .values(tree_hash=tree_hash, synced_at=at))
    if not done.rowcount:
        store.write(insert(discord_command_syncs).values(
            guild_id=guild_id, tree_hash=tree_hash, synced_at=at))


def our_events(store: Store, guild_id: str, group_name: str) -> list[str]:
    rows = store.connection.execute(
        select(discord_scheduled_events.c.event_id).where(
            discord_scheduled_events.c.guild_id == guild_id,
            discord_scheduled_events.c.group_name == group_name)
        .order_by(discord_scheduled_events.c.starts_at))
    return [r.event_id for r in rows]


def remember_event(store: Store, guild_id: str, group_name: str, event_id: str,
                   starts_at: datetime) -> None:
    store.write(delete(discord_scheduled_events).where(
        discord_scheduled_events.c.event_id == event_id))
    store.write(insert(discord_scheduled_events).values(
        event_id=event_id, guild_id=guild_id, group_name=group_name,
        starts_at=starts_at.astimezone(UTC)))


def forget_event(store: Store, event_id: str) -> None:
    store.write(delete(discord_scheduled_events).where(
        discord_scheduled_events.c.event_id == event_id))
