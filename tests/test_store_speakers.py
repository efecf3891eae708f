"""Who spoke and how much, as the minutes' speaker list and the action owners read it,
within one transaction that goes on logging lines (a replayed log is one transaction)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.events import Place
from bot.store import Database
from tests.conftest import postgres_schema_url

AT = datetime(2024, 3, 7, 14, 0, tzinfo=UTC)


def test_lines_logged_after_a_count_are_counted_in_the_next(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        for who in ("rafael", "joyce", "rafael"):
            store.log_line(meeting.id, AT, who, who, "hello")
        assert store.lines_said(meeting.id) == [("rafael", "rafael", 2), ("joyce", "joyce", 1)]
        for _ in range(3):
            store.log_line(meeting.id, AT, "pedro", "pedro", "late, sorry")
        store.log_line(meeting.id, AT, "joyce", "joyce", "msg", message_id="9", change="edit")
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    with database.transaction() as store:  # what was committed reads the same afresh
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]


def test_a_tie_goes_to_whoever_spoke_first(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        store.log_line(meeting.id, AT, "ulises", "ulises", "first")
        assert store.lines_said(meeting.id) == [("ulises", "ulises", 1)]
        store.log_line(meeting.id, AT, "marco", "marco", "second")
        store.log_line(meeting.id, AT, "diogo", "diogo", "third")
        assert [who for who, _, _ in store.lines_said(meeting.id)] == ["ulises", "marco", "diogo"]


def test_later_transactions_count_the_lines_said_since_and_never_a_rolled_back_one(
        database: Database, database_url: str) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        for who in ("rafael", "joyce", "rafael"):
            store.log_line(meeting.id, AT, who, who, "hello")
        assert store.lines_said(meeting.id) == [("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    with database.transaction() as store:
        for _ in range(3):
            store.log_line(meeting.id, AT, "pedro", "pedro", "late, sorry")
        store.log_line(meeting.id, AT, "joyce", "joyce", "msg", message_id="9", change="edit")
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    try:
        with database.transaction() as store:
            for _ in range(5):
                store.log_line(meeting.id, AT, "marco", "marco", "never said")
            assert store.lines_said(meeting.id)[0] == ("marco", "marco", 5)
            raise RuntimeError("the event failed")
    except RuntimeError:
        pass
    with database.transaction() as store:
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    other = Database.open(database_url)  # another process on the same database
    try:
        with other.transaction() as store:
            for _ in range(3):
                store.log_line(meeting.id, AT, "joyce", "Joyce", "from elsewhere")
    finally:
        other.close()
    with database.transaction() as store:
        store.log_line(meeting.id, AT, "ulises", "ulises", "hi")
        assert store.lines_said(meeting.id) == [
            ("joyce", "joyce", 4), ("pedro", "pedro", 3), ("rafael", "rafael", 2),
            ("ulises", "ulises", 1)]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from postgres_schema_url()


def _full_count(url: str, meeting_id: int) -> list[tuple[str, str, int]]:
    """The lines said as a process that never counted before reads them: the whole
    transcript, counted by the database."""
    fresh = Database.open(url)
    try:
        with fresh.transaction() as store:
            return store.lines_said(meeting_id)
    finally:
        fresh.close()


def test_a_line_committed_after_a_later_one_is_still_counted_on_postgresql(
        postgres_url: str) -> None:
    """Two bot processes on one PostgreSQL meeting: one's ``#action`` has written its line
    and is still at work when the other logs a chat line; the ``#action`` writes another
    line and commits, and an ``#action`` elsewhere counts before the chat line commits.
    Whatever the order, every ``#action``'s owners count every line said by then."""
    here, there = Database.open(postgres_url), Database.open(postgres_url)
    watcher = create_engine(postgres_url)
    try:
        with here.transaction() as store:
            meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG",
                                          "2024-03-07", AT, "rafael")
            for who in ("rafael", "joyce", "rafael"):
                store.log_line(meeting.id, AT, who, who, "hello")
        with here.transaction() as store:  # here keeps this count between transactions
            assert store.lines_said(meeting.id) == [("rafael", "rafael", 2),
                                                    ("joyce", "joyce", 1)]

        chat_line = _ChatLine(here, meeting.id)
        with there.transaction() as action:
            for _ in range(3):
                action.log_line(meeting.id, AT, "pedro", "pedro", "#action pedro to review")
            action.lines_said(meeting.id)  # (its lines are written now)
            pedro = action.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            chat_line.start()
            _until_waiting_or_written(watcher, pedro, chat_line)
            action.log_line(meeting.id, AT, "pedro", "pedro", "#action pedro to merge")
            action.lines_said(meeting.id)
        assert chat_line.written.wait(60), "the chat line was never written"
        with here.transaction() as store:  # an #action while the chat line is uncommitted
            assert store.lines_said(meeting.id) == _full_count(postgres_url, meeting.id)
        chat_line.commit.set()
        chat_line.join()

        expected = [("pedro", "pedro", 4), ("rafael", "rafael", 2), ("joyce", "joyce", 2)]
        assert _full_count(postgres_url, meeting.id) == expected
        with here.transaction() as store:
            assert store.lines_said(meeting.id) == expected
        with there.transaction() as store:
            assert store.lines_said(meeting.id) == expected
    finally:
        here.close()
        there.close()
        watcher.dispose()


class _ChatLine(threading.Thread):
    """A chat line in its own transaction: written (``written`` is set once it is), then
    committed when the test says so (``commit``)."""

    def __init__(self, database: Database, meeting_id: int) -> None:
        super().__init__()
        self.database, self.meeting_id = database, meeting_id
        self.written, self.commit = threading.Event(), threading.Event()

    def run(self) -> None:
        with self.database.transaction() as store:
            store.log_line(self.meeting_id, AT, "joyce", "joyce", "I can help")
            store.flush()
            self.written.set()
            self.commit.wait(60)


def _until_waiting_or_written(watcher: Engine, pid: int, chat_line: _ChatLine) -> None:
    """Until ``chat_line`` waits for the transaction of backend ``pid`` or is written
    without waiting (asked of the database, so no sleep decides the order)."""
    with watcher.connect() as connection:
        while not chat_line.written.is_set() and not connection.execute(
                text("SELECT count(*) FROM pg_stat_activity "
                     "WHERE :pid = ANY(pg_blocking_pids(pid))"), {"pid": pid}).scalar_one():
            connection.rollback()  # (the activity is read afresh in each transaction)
