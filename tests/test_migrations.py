"""The Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text

from bot.store import Database
from bot.store.database import (
    MIGRATIONS,
    create_database_engine,
    migration_heads,
    schema_is_current,
    upgrade,
)
from bot.store.schema import agenda_items, meetings, metadata


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


def test_the_start_finds_the_newest_migration_as_alembic_does() -> None:
    """The start reads the heads from the files (no Alembic import); they must be
    Alembic's own, or a new migration would never be applied."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert migration_heads() == set(ScriptDirectory.from_config(config).get_heads())


def test_a_database_one_migration_behind_is_upgraded_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_database_engine(url)
    (newest,) = migration_heads()
    upgrade(engine, f"{newest}-1")  # the schema as the previous release left it
    assert not schema_is_current(engine)
    engine.dispose()
    Database.open(url).close()
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            stamp = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert stamp == [(newest,)] and schema_is_current(engine)
    finally:
        engine.dispose()


def test_a_database_from_a_newer_gavel_is_refused_in_one_line(tmp_path: Path) -> None:
    """A rollback or an older replica meets a database a newer Gavel upgraded: it says so
    and stops, instead of a traceback or misreading rows it does not know."""
    from tests.test_cli import gavel

    database = tmp_path / "gavel.db"
    Database.open(f"sqlite:///{database}").close()
    engine = create_database_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = gavel(tmp_path, "--database", f"sqlite:///{database}", "meetings")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "upgraded by a newer Gavel than this one" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_agenda_items_stored_before_title_keys_are_found_by_title_after_the_upgrade(
        database_url: str) -> None:
    """0015 fills in every existing item's key (in batches), so a meeting running across
    the upgrade still finds its items by title; its downgrade leaves 0014's table."""
    engine = create_database_engine(database_url)
    try:
        upgrade(engine, "0014")
        with engine.begin() as connection:
            meeting_id = connection.execute(insert(meetings).values(
                group_name="WG", title="WG meeting", platform="console", workspace="",
                channel="wg", status="running", meeting_date="2026-03-02",
                started_at=datetime(2026, 3, 2, 15, tzinfo=UTC))).inserted_primary_key[0]
            titles = [f"Item {n}" for n in range(2100)] + [
                "Vulnerability Review - https://github.com/nodejs/security-wg", "Straße"]
            connection.execute(insert(agenda_items), [
                {"meeting_id": meeting_id, "position": place, "source": "adhoc",
                 "title": title} for place, title in enumerate(titles, 1)])
    finally:
        engine.dispose()
    database = Database.open(database_url)
    try:
        with database.transaction() as store:
            found = [store.agenda_item_named(meeting_id, name)
                     for name in ("item 2099", "VULNERABILITY REVIEW", "STRASSE", "item 2100")]
    finally:
        database.close()
    assert [item and item.title for item in found] == [
        "Item 2099", "Vulnerability Review - https://github.com/nodejs/security-wg", "Straße",
        None]
    engine = create_database_engine(database_url)
    try:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = engine
        command.downgrade(config, "0014")
        columns = [column["name"] for column in inspect(engine).get_columns("agenda_items")]
        indexes = [index["name"] for index in inspect(engine).get_indexes("agenda_items")]
    finally:
        engine.dispose()
    assert "title_key" not in columns and "agenda_items_by_title" not in indexes
