"""A SQLite store's write-ahead log is copied back into the database file by the store's
own thread, every few hundred commits, not by the commit of whichever command fills it
(that copy and its sync cost that command several ms: ``bench/bench_live.py``)."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.events import Place
from bot.store import Database

AT = datetime(2024, 3, 7, 14, 0, tzinfo=UTC)


def _in_the_file_alone(path: Path, copy: Path) -> tuple[int, int]:
    """(meetings, transcript lines) that the database file holds without its log, as a
    backup that copies only the file would (none, nor any table, before a checkpoint)."""
    shutil.copyfile(path, copy)
    connection = sqlite3.connect(copy)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        return tuple(  # type: ignore[return-value]
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if table in tables else 0 for table in ("meetings", "transcript"))
    finally:
        connection.close()


def test_the_log_is_checkpointed_by_the_store_and_not_by_a_command(tmp_path: Path) -> None:
    path = tmp_path / "gavel.db"
    database = Database.open(f"sqlite:///{path}")
    try:
        checkpoints = database.checkpoints
        assert checkpoints is not None
        # Spaced out further than the default, so that the log outgrows SQLite's own
        # threshold (1,000 pages; a line's commit writes 2-3) before the first is due.
        checkpoints.every = 500
        before = _in_the_file_alone(path, tmp_path / "before.db")
        with database.transaction() as store:
            meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG",
                                          "2024-03-07", AT, "rafael")
        for n in range(checkpoints.every - 2):  # one commit short of the first checkpoint
            with database.transaction() as store:
                store.log_line(meeting.id, AT, "rafael", "rafael", f"line {n}")
        # Far more pages than SQLite's own threshold would let a commit leave in the log,
        # and none of them checkpointed by the commits themselves.
        assert _in_the_file_alone(path, tmp_path / "short.db") == before
        assert checkpoints.done == 0
        with database.transaction() as store:
            store.log_line(meeting.id, AT, "joyce", "joyce", "the last line")
        assert checkpoints.wait_for(1, timeout=300), "no checkpoint was made"
        assert _in_the_file_alone(path, tmp_path / "after.db") == (
            1, checkpoints.every - 1)
    finally:
        database.close()


def test_a_store_dropped_without_closing_lets_its_checkpoint_thread_end(
        tmp_path: Path) -> None:
    """A process that opens many stores (a test run, a script) and drops them unclosed
    keeps no thread, engine or open file per store."""
    database = Database.open(f"sqlite:///{tmp_path / 'gavel.db'}")
    checkpoints = database.checkpoints
    assert checkpoints is not None
    checkpoints.every = 3
    others = set(threading.enumerate())  # (other tests' stores may still be open)
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG",
                                      "2024-03-07", AT, "rafael")
    for n in range(2):
        with database.transaction() as store:
            store.log_line(meeting.id, AT, "rafael", "rafael", f"line {n}")
    assert checkpoints.wait_for(1, timeout=300)
    [thread] = [t for t in threading.enumerate() if t.name == "gavel-checkpoints"
                and t not in others]
    del database, checkpoints, store
    gc.collect()
    thread.join(timeout=300)
    assert not thread.is_alive()
