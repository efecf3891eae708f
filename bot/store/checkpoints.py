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
import weakref

from sqlalchemy import Engine

log = logging.getLogger(__name__)

# Automatic checkpoints left to SQLite only past this many pages of log (~16 MiB), should
# the thread fall behind, fail or be gone; SQLite's default is 1,000. A process that never
# makes ``EVERY`` commits of its own (a command-line write) leaves its log to the next
# checkpoint, or to SQLite's when its last connection closes.
BACKSTOP_PAGES = 4_000
# What a log that grew past the usual size is cut back to once checkpointed (bytes).
LOG_SIZE_LIMIT = 8 * 1024 * 1024
# Commits between two checkpoints: a few pages each, so a log of well under 1,000 pages.
EVERY = 200


class Checkpointer:
    """One database's checkpoints, in a thread started when the first one is due (a
    process that commits little never starts it). The thread holds the checkpointer only
    weakly: a database dropped without ``close`` lets its engine go, and the thread ends."""

    def __init__(self, engine: Engine, every: int = EVERY) -> None:
        self.engine = engine
        self.every = every
        self.done = 0  # checkpoints run (tests wait on it)
        self._commits = 0
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._finished = threading.Condition()
        self._stopped = False  # closed, or given up after a failure
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A transaction that may have written committed: wake the thread once every
        ``every`` of them. Never raises: the commit has happened, whatever happens here."""
        with self._lock:
            self._commits += 1
            if self._commits < self.every or self._stopped:
                return
            self._commits = 0
            if self._thread is None and not self._start():
                return
        self._due.set()

    def _start(self) -> bool:
        thread = threading.Thread(target=_run, args=(weakref.ref(self), self._due),
                                  name="gavel-checkpoints", daemon=True)
        try:
            thread.start()
        except RuntimeError as exc:  # (no thread to be had: a process limit)
            self._give_up(f"no thread for them ({exc})")
            return False
        self._thread = thread
        weakref.finalize(self, self._due.set)  # (wakes the thread to see it is gone)
        return True

    def wait_for(self, count: int, timeout: float) -> bool:
        """Whether ``count`` checkpoints have run, waiting up to ``timeout`` seconds."""
        with self._finished:
            return self._finished.wait_for(lambda: self.done >= count, timeout)

    def close(self) -> None:
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._due.set()
        if thread is not None and thread.is_alive():
            thread.join(timeout=10)

    def _give_up(self, why: str) -> None:
        self._stopped = True
        log.warning("background WAL checkpoints stopped: %s; SQLite makes them itself past "
                    "%d pages of log", why, BACKSTOP_PAGES)

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint (it copies what no reader still needs, and waits for
        nobody); a failure stops the thread's, with one line in the log."""
        try:
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.fetchall()
                cursor.close()
            finally:
                connection.close()
        except Exception as exc:  # (a file this process may only read, a full disk)
            self._give_up(f"a checkpoint failed ({exc})")
        with self._finished:
            self.done += 1
            self._finished.notify_all()


def _run(checkpointer: weakref.ref[Checkpointer], due: threading.Event) -> None:
    while True:
        due.wait()
        due.clear()
        if (current := checkpointer()) is None or current._stopped:
            return
        current.checkpoint()
        del current  # (only the weak reference is kept while waiting)
