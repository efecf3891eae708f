"""The Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.store import Database
from bot.store.schema import metadata


def test_migrations_match_the_declared_tables(database_url: str) -> None:
    database = Database.open(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        database.close()
    assert differences == []


def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    Database.open(database_url).close()
    Database.open(database_url).close()
