"""Per-group tokens: the secret part of a group's public URLs (its calendar feed, its
short calendar links, its web archive).

A token is made once, at random, the first time something needs it, and kept: a
subscribed calendar must keep working. Several processes may ask at once, so the row is
inserted "if absent" and then read back, and all of them agree on the winner's token.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Insert, Table, select

from bot.store.schema import group_tokens

if TYPE_CHECKING:
    from bot.store.repository import Store

FEED = "feed"
LINKS = "links"
ARCHIVE = "archive"  # the web archive of a group's meetings
TOKEN_BYTES = 20  # 160 bits: not to be guessed, nor enumerated by anonymous GETs


def token_for(store: Store, group_name: str, purpose: str) -> str:
    """The group's token for ``purpose``, made now if it has none yet (a write)."""
    found = _stored(store, group_name, purpose)
    if found is not None:
        return found
    store.write(insert_if_absent(store, group_tokens), {
        "group_name": group_name, "purpose": purpose,
        "token": secrets.token_urlsafe(TOKEN_BYTES), "created_at": datetime.now(UTC)})
    made = _stored(store, group_name, purpose)
    assert made is not None
    return made


def insert_if_absent(store: Store, table: Table) -> Insert:
    """``INSERT .. ON CONFLICT DO NOTHING`` in the store's database dialect. The dialects are
    imported here: loading the PostgreSQL one costs a SQLite process's every start."""
    if store.connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing()


def tokens(store: Store, purpose: str) -> dict[str, str]:
    """Every group's token for ``purpose`` (group name -> token); reads only."""
    query = select(group_tokens.c.group_name, group_tokens.c.token).where(
        group_tokens.c.purpose == purpose)
    return {row.group_name: row.token for row in store.connection.execute(query)}


def _stored(store: Store, group_name: str, purpose: str) -> str | None:
    return store.connection.execute(select(group_tokens.c.token).where(
        group_tokens.c.group_name == group_name,
        group_tokens.c.purpose == purpose)).scalar_one_or_none()
