"""Opening the database and bringing its schema up to date.

SQLite (a file in the data dir, WAL) is the default; PostgreSQL comes from a URL. Either
way the schema is built by the Alembic migrations in ``bot/migrations``, applied at start.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool

from bot.store.schema import metadata

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while a note is written; NORMAL still survives a killed
    # process (only a power cut may lose the last commits), and keeps a commit cheap.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a ``StoreError`` naming the URL when it cannot be one."""
    try:
        return _create_engine(normalise_url(url))
    except (ArgumentError, NoSuchModuleError, ImportError):
        shown = re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)  # never echo a password
        raise StoreError(f"database URL {shown!r}: not one Gavel can use: give "
                         "sqlite:///path/to/gavel.db or postgresql://user@host/db") from None
    except OSError as exc:
        raise StoreError(f"database {url}: cannot create its folder: {exc.strerror} "
                         f"({exc.filename}); check data_dir") from None


def _create_engine(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One connection shared by every thread: a memory database lives in its connection.
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        return engine
    if url.startswith("sqlite:///"):
        if not url.startswith("sqlite:///file:"):  # a plain path, not an SQLite URI
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``."""
    from alembic import command

    try:
        with exclusive(engine, "migrate"):
            command.upgrade(_alembic_config(engine), revision)
    except (OperationalError, ProgrammingError) as exc:
        raise StoreError(describe_database_error(engine, exc)) from None


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """One process at a time, across every process on this database, for ``name``.

    For work that must not be done twice but cannot be a single conditional write (the
    schema's creation; opening a GitHub issue): an advisory lock on PostgreSQL, a file lock
    beside a SQLite file. The second process waits, then finds the work done.
    """
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            yield  # a memory database has one process by construction
            return
        import fcntl

        slug = "".join(c if c.isalnum() else "-" for c in name)
        with open(f"{database}.{slug}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def create_schema_directly(engine: Engine) -> None:
    """Build the schema from the table definitions, for throwaway memory databases.

    ``tests/test_migrations.py`` checks that the migrations build exactly this schema.
    """
    metadata.create_all(engine)


def describe_database_error(engine: Engine, exc: Exception) -> str:
    where = engine.url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    low = detail.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        hint = "the database is read-only: check the file's permissions and its folder's"
    elif "locked" in low:
        hint = "the database is locked by another process: stop it, or use PostgreSQL"
    elif "unable to open" in low:
        hint = "the database file cannot be opened: check the data_dir setting"
    elif "connection" in low or "could not" in low:
        hint = "cannot reach the database server: is it running, and is the URL right?"
    else:
        hint = detail
    return f"database {where}: {hint} ({detail})"


def is_memory(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "",
                                                                                 ":memory:")


def open_engine(url: str) -> Engine:
    """An engine with an up-to-date schema, or a ``StoreError`` saying what is wrong."""
    engine = create_database_engine(url)
    try:
        if is_memory(engine):
            create_schema_directly(engine)
        else:
            upgrade(engine)
    except OperationalError as exc:
        raise StoreError(describe_database_error(engine, exc)) from None
    return engine


@contextmanager
def translated_errors(engine: Engine) -> Iterator[None]:
    """Turn driver errors into a ``StoreError`` that says what to do."""
    try:
        yield
    except OperationalError as exc:
        raise StoreError(describe_database_error(engine, exc)) from None
