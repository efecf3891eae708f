"""Slack's OAuth ``state`` rows (one per install attempt), for the Slack adapter's state
store: issued under a rate limit, swept when expired, consumed once.

The table is slack_sdk's (``slack_oauth_states``, made by it when OAuth is on); it is
declared here with the same columns so the adapter writes no SQL and ``bot`` imports no
Slack SDK. Its ``expire_at`` is a naive ``DateTime`` holding UTC, as slack_sdk keeps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, func, select

if TYPE_CHECKING:
    from bot.store.repository import Database, Store

# Apart from Gavel's own metadata: migrations and ``create_schema_directly`` leave it alone.
slack_metadata = MetaData()
oauth_states = Table(
    "slack_oauth_states", slack_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


def create_state_table(database: Database) -> None:
    """Make the states table if it is missing (as slack_sdk's own store would)."""
    slack_metadata.create_all(database.engine)


def issue_state(store: Store, state: str, now: datetime, lifetime: timedelta,
                per_minute: int) -> int | None:
    """Sweep expired states, then keep ``state`` until ``now + lifetime``, unless
    ``per_minute`` were already issued in the last minute: then the count issued, and
    nothing kept. ``now`` is naive UTC."""
    store.write(delete(oauth_states).where(oauth_states.c.expire_at <= now))
    recent = int(store.connection.execute(
        select(func.count()).select_from(oauth_states).where(
            oauth_states.c.expire_at > now + lifetime - timedelta(minutes=1))).scalar_one())
    if recent >= per_minute:
        return recent
    store.write(oauth_states.insert().values(state=state, expire_at=now + lifetime))
    return None


def consume_state(store: Store, state: str, now: datetime) -> bool:
    """True once for a live ``state``; the row goes either way. ``now`` is naive UTC."""
    removed = store.write(delete(oauth_states).where(oauth_states.c.state == state,
                                                     oauth_states.c.expire_at > now))
    return bool(removed.rowcount)
