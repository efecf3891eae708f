"""Opening the database and bringing its schema up to date.

SQLite (a file in the data dir, WAL) is the default; PostgreSQL comes from a URL. Either
way the schema is built by the Alembic migrations in ``bot/migrations``, applied at start.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool

from bot.store.checkpoints import BACKSTOP_PAGES, LOG_SIZE_LIMIT
from bot.store.schema import declare_postgresql_options, metadata

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
    # Checkpoints are made by a thread of the store's (``bot.store.checkpoints``), not by
    # whichever command's commit fills the log.
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={LOG_SIZE_LIMIT}")
    cursor.close()


def is_read_only(engine: Engine) -> bool:
    """Whether the engine opened its SQLite file for reading only (``_read_only_url``)."""
    return event.contains(engine, "connect", _tune_read_only_sqlite)


def checkpoints_in_background(engine: Engine) -> bool:
    """Whether the engine is a SQLite file in WAL mode opened for writing, whose
    checkpoints ``Checkpointer`` makes."""
    return event.contains(engine, "connect", _tune_sqlite)


def _tune_scratch_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Thrown away at the end: nothing to survive a crash for, so no waiting for the disk;
    # the journal stays (in memory) because a savepoint's rollback needs it.
    cursor.execute("PRAGMA journal_mode=MEMORY")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A replay appends rows and reads the notes once at the end: a page cache of 256 KiB
    # instead of SQLite's 2 MiB costs it no measurable time (the file's pages stay in the
    # system's cache: a 200k-line log reads and writes ~300 pages more than with 512 KiB,
    # ~1 ms) and keeps 1.75 MiB out of the process's peak. (128 KiB would save 0.14 MiB
    # more at 20k lines for ~1,400 more reads and writes at 200k.)
    cursor.execute("PRAGMA cache_size=-256")
    cursor.close()


def _tune_read_only_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _read_only_url(url: str) -> str:
    """For a database file in a folder this process cannot write (a read-only mount, a
    backup, another user's folder): an SQLite URI that opens it for reading, or "".

    A WAL database is opened by creating its ``-shm`` file beside it, which such a folder
    refuses, so every command failed, even a listing. Read-only, it still answers
    ``gavel meetings`` and ``gavel minutes``; a write is refused as read-only
    (``describe_database_error``). With no ``-wal``/``-shm`` present no process has it
    open for writing, so it is opened as immutable (SQLite then needs no ``-shm``).
    """
    path = Path(make_url(url).database or "")
    if not path.is_file() or os.access(path.parent, os.W_OK):
        return ""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    flags = "mode=ro" if wal.exists() and shm.exists() else "mode=ro&immutable=1"
    return f"sqlite:///file:{quote(str(path.absolute()))}?{flags}&uri=true"


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a ``StoreError`` naming the URL when it cannot be one."""
    try:
        return _create_engine(normalise_url(url))
    except (ArgumentError, NoSuchModuleError, ImportError):
        shown = re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)  # never echo a password
        raise StoreError(f"database URL {shown!r}: not one Gavel can use: give "
                         "sqlite:///path/to/gavel.db or postgresql://user@host/db") from None


def make_data_dir(data_dir: str) -> None:
    """Create the data folder the default SQLite database lives in (first start).

    Only the default place is created: a database URL someone typed names a file in a
    folder that must already exist (see ``_check_sqlite_folder``)."""
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"data_dir {data_dir}: cannot create its folder: {exc.strerror} "
                         f"({exc.filename}); check data_dir (or $GAVEL_DATA_DIR)") from None


def _check_sqlite_folder(url: str) -> None:
    """A mistyped path must not become a fresh, empty database in a new folder."""
    folder = Path(make_url(url).database or "").parent.absolute()
    if not folder.is_dir():
        raise StoreError(
            f"database {url}: the folder {folder} does not exist: fix the path in the "
            "database URL (an absolute path has four slashes: sqlite:////srv/gavel/gavel.db) "
            "or create the folder first")


def _create_engine(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One connection shared by every thread: a memory database lives in its connection.
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        return engine
    if url.startswith("sqlite:///"):
        if not url.startswith("sqlite:///file:"):  # a plain path, not an SQLite URI
            _check_sqlite_folder(url)
            read_only = _read_only_url(url)
            if read_only:
                engine = create_engine(read_only, connect_args={"check_same_thread": False})
                event.listen(engine, "connect", _tune_read_only_sqlite)
                return engine
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if url.startswith("postgresql"):
        declare_postgresql_options()
        # Set, not left to the server's default: the speaker tallies are exact only if each
        # statement sees what committed before it (``SpeakerTallies``); a server, database
        # or role defaulting to REPEATABLE READ would let a writer that waited for its
        # meeting count from a snapshot taken before the wait, and skip those lines for good.
        return create_engine(url, pool_pre_ping=True, isolation_level="READ COMMITTED")
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
    from alembic.util.exc import CommandError

    try:
        with exclusive(engine, "migrate"):
            command.upgrade(_alembic_config(engine), revision)
    except (OperationalError, ProgrammingError) as exc:
        raise StoreError(describe_database_error(engine, exc)) from None
    except CommandError as exc:
        # Typically a database stamped by a newer Gavel (a rollback, an older replica).
        if "Can't locate revision" in str(exc):
            raise StoreError(
                "the database was upgraded by a newer Gavel than this one: run that "
                "version (or a newer one) against it") from None
        raise StoreError(f"could not migrate the database: {exc}") from None


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


def migration_heads() -> set[str]:
    """The newest revisions in ``bot/migrations/versions``, from each file's ``revision``
    and ``down_revision`` lines: what Alembic's ``ScriptDirectory`` finds, but without
    importing Alembic and every migration, which cost each start ~110 ms of CPU
    (``tests/test_migrations.py`` checks that both agree)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found["down_revision"])
        parents.update(down if isinstance(down, tuple) else [down] if down else [])
    return revisions - parents


def schema_is_current(engine: Engine) -> bool:
    """Whether the database already has the newest schema: then there is nothing to
    migrate and no lock to take, so a read-only database still serves reads. The stamp
    is read as Alembic reads it (its ``alembic_version`` table); a database without one
    is not current, and the upgrade meets whatever else is wrong and describes it."""
    try:
        with engine.connect() as connection:
            current = {row[0] for row in connection.execute(
                text("SELECT version_num FROM alembic_version"))}
    except (OperationalError, ProgrammingError):
        return False
    return current == migration_heads()


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
        path = f"{database}.{slug}.lock"
        try:
            lock = open(path, "a")  # noqa: SIM115 (closed below, after the unlock)
        except OSError as exc:
            raise StoreError(_lock_problem(path, exc)) from None
        with lock:
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


def _lock_problem(path: str, exc: OSError) -> str:
    folder = Path(path).parent
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = ("is on a read-only file system" if exc.errno == errno.EROFS
                else "cannot be written by this user")
        return (f"the data folder {folder} {what}, so Gavel cannot create {Path(path).name} "
                "to update the database: make the folder writable for the user running "
                "Gavel, or point data_dir ($GAVEL_DATA_DIR) or --database at a writable place")
    return f"cannot create the lock file {path}: {exc.strerror}"


def create_schema_directly(engine: Engine) -> None:
    """Build the schema from the table definitions, for throwaway memory databases.

    ``tests/test_migrations.py`` checks that the migrations build exactly this schema.
    """
    metadata.create_all(engine)


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(unquote(database.removeprefix("file:")))


def describe_database_error(engine: Engine, exc: Exception) -> str:
    file = _sqlite_file(engine)
    where = str(file) if file else engine.url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    low = detail.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        what = "the database is read-only"
        if file is not None and not os.access(file.parent, os.W_OK):
            what = f"the database is read-only (its folder {file.parent} cannot be written)"
        hint = (f"{what}: make the file and its folder writable for the user running Gavel "
                "(reading commands such as gavel meetings still work)")
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
        elif not schema_is_current(engine):
            upgrade(engine)
    except OperationalError as exc:
        raise StoreError(describe_database_error(engine, exc)) from None
    return engine


def open_scratch_engine(path: Path) -> Engine:
    """A fresh SQLite file with the current schema, for one process's throwaway work."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _tune_scratch_sqlite)
    try:
        # The file is new (its caller's own folder), so no table can exist yet: asking
        # SQLite about each of them first (``create_all``'s ``checkfirst``) only costs
        # ~0.3 MiB of reflection caches and 22 queries.
        metadata.create_all(engine, checkfirst=False)
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
