"""SQLite's WAL checkpoints, off the command path.

In WAL mode each commit appends to the ``-wal`` file, and by default the commit that takes
it past 1,000 pages then copies the log back into the database and syncs it: a few
milliseconds, paid by whichever command happened to commit then. Over a 5,000-line
meeting that was a dozen commands of any kind, and it alone took their wall-clock p99
from ~2 ms to 5–7 ms (``bench/bench_live.py``, with and without automatic checkpoints).
So the store's connections checkpoint only as a backstop (``BACKSTOP_PAGES``), and this
thread does it every ``every`` commits instead, with a PASSIVE checkpoint: it copies what
no reader still needs, never waits for a reader or the writer, and never makes them wait.
A commit's durability does not depend on checkpoints: it is in the log once committed.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

# Automatic checkpoints left to SQLite only past this many pages of log (~40 MiB), should
# the thread fall behind or be gone; SQLite's default is 1,000.
BACKSTOP_PAGES = 10_000
# Commits between two checkpoints: a few pages each, so a log of well under 1,000 pages.
EVERY = 200


class Checkpointer:
    """One database's checkpoints, in a thread started when the first one is due (a
    process that commits little never starts it)."""

    def __init__(self, engine: Engine, every: int = EVERY) -> None:
        self.engine = engine
        self.every = every
        self.done = 0  # checkpoints run (tests wait on it)
        self._commits = 0
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._finished = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A transaction committed: wake the thread once every ``every`` commits."""
        with self._lock:
            self._commits += 1
            if self._commits < self.every or self._closing:
                return
            self._commits = 0
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="gavel-checkpoints",
                                                daemon=True)
                self._thread.start()
        self._due.set()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Whether ``count`` checkpoints have run, waiting up to ``timeout`` seconds."""
        with self._finished:
            return self._finished.wait_for(lambda: self.done >= count, timeout)

    def close(self) -> None:
        with self._lock:
            self._closing = True
            thread = self._thread
        self._due.set()
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            if self._closing:
                return
            try:
                self._checkpoint()
            except Exception as exc:  # the backstop still bounds the log
                log.warning("a WAL checkpoint failed (%s); SQLite will make one itself", exc)
            with self._finished:
                self.done += 1
                self._finished.notify_all()

    def _checkpoint(self) -> None:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.fetchall()
            cursor.close()
        finally:
            connection.close()
