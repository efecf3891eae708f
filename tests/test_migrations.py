"""The Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.store import Database
from bot.store.database import (
    MIGRATIONS,
    create_database_engine,
    migration_heads,
    schema_is_current,
    upgrade,
)
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
