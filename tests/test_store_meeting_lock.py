"""PostgreSQL: a meeting's writers take turns from their first read of the meeting (its row
locked then, to the commit), so lines said counted between transactions stay exact across
processes and no two of a meeting's writers can wait for each other (see
``SpeakerTallies``). The order of events is set by waiting on PostgreSQL's own state (who
waits for whom), never on time."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.events import Place
from bot.store import Database
from bot.store.dialect_rows import queue
from tests.conftest import POSTGRES_URL, SECURITY_WG, Chat, postgres_schema_url

AT = datetime(2024, 3, 7, 14, 0, tzinfo=UTC)
PLACE = Place("console", "wg")
# Polls of pg_stat_activity before giving up: far more than a backend needs to start
# waiting, each a round trip to the server (no sleep decides anything).
POLLS = 200_000


@pytest.fixture(params=["server default", "server defaults to SERIALIZABLE"])
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's schema, on a server as installed or on one whose default isolation is
    SERIALIZABLE (set for the session, as a role's or database's setting would): the
    store sets READ COMMITTED itself, which the exact counts need."""
    for url in postgres_schema_url():
        if request.param != "server default":
            url += "%20-cdefault_transaction_isolation%3Dserializable"
        yield url


@pytest.fixture
def watcher(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def _full_count(url: str, meeting_id: int) -> list[tuple[str, str, int]]:
    """The lines said as a process that never counted before reads them: the whole
    transcript, counted by the database."""
    fresh = Database.open(url)
    try:
        with fresh.reading() as store:
            return store.lines_said(meeting_id)
    finally:
        fresh.close()


def _every_process_counts(url: str, meeting_id: int, databases: tuple[Database, ...],
                          expected: list[tuple[str, str, int]]) -> None:
    """The lines said as a fresh process counts them whole, and as each of ``databases``
    (a process that kept its count between transactions) counts them now, are
    ``expected``."""
    assert _full_count(url, meeting_id) == expected
    for database in databases:
        with database.transaction() as store:
            assert store.lines_said(meeting_id) == expected


def _backend(store_connection: Connection) -> int:
    return int(store_connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _waiting_for(watcher: Engine, pid: int, gave_up: Callable[[], bool]) -> int:
    """The backend that waits for a lock held by backend ``pid`` (the first found), asked
    of PostgreSQL until one does; fails if ``gave_up`` says the waiter ended instead."""
    with watcher.connect() as connection:
        for _ in range(POLLS):
            waiter = connection.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND :pid = ANY(pg_blocking_pids(pid)) LIMIT 1"), {"pid": pid}).scalar()
            connection.rollback()  # (the activity is read afresh in each transaction)
            if waiter is not None:
                return int(waiter)
            assert not gave_up(), "the transaction ended without waiting for the lock"
    raise AssertionError(f"nobody waited for backend {pid}")


class _Running(threading.Thread):
    """``work`` in a thread, its result or error kept for the test."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as error:  # (handed to the test)
            self.error = error

    def outcome(self) -> Any:
        self.join(120)
        assert not self.is_alive(), "still running"
        if self.error is not None:
            raise self.error
        return self.result


def test_a_writer_that_waited_for_another_is_counted_by_every_process(
        postgres_url: str, watcher: Engine) -> None:
    """Two bot processes on one meeting: one's ``#action`` holds the meeting while the
    other's chat line starts, so the chat line waits at its first step; the ``#action``
    writes another line and commits, and a count taken while the chat line is still
    uncommitted, and every count after it commits, is the whole transcript's."""
    here, there = Database.open(postgres_url), Database.open(postgres_url)
    try:
        with here.transaction() as store:
            meeting = store.start_meeting(PLACE, "Security WG", "WG", "2024-03-07", AT, "rafael")
            for who in ("rafael", "joyce", "rafael"):
                store.log_line(meeting.id, AT, who, who, "hello")
        for database in (here, there):  # each process keeps its count between transactions
            with database.transaction() as store:
                assert store.lines_said(meeting.id) == [("rafael", "rafael", 2),
                                                        ("joyce", "joyce", 1)]

        written, commit = threading.Event(), threading.Event()

        def chat_line() -> None:
            with here.transaction() as store:
                running = store.running_meeting(PLACE)  # waits for the #action
                assert running is not None
                store.log_line(running.id, AT, "joyce", "joyce", "I can help")
                # counted with the lines of the #action it waited for
                assert store.lines_said(running.id) == [("pedro", "pedro", 4),
                                                        ("rafael", "rafael", 2),
                                                        ("joyce", "joyce", 2)]
                written.set()
                assert commit.wait(120)

        chat = _Running(chat_line)
        with there.transaction() as action:
            assert action.running_meeting(PLACE) is not None  # the lock, first
            for _ in range(3):
                action.log_line(meeting.id, AT, "pedro", "pedro", "#action pedro to review")
            action.lines_said(meeting.id)  # (its lines are written now)
            chat.start()
            _waiting_for(watcher, _backend(action.connection), lambda: not chat.is_alive())
            assert not written.is_set()
            action.log_line(meeting.id, AT, "pedro", "pedro", "#action pedro to merge")
            assert action.lines_said(meeting.id) == [("pedro", "pedro", 4),
                                                     ("rafael", "rafael", 2),
                                                     ("joyce", "joyce", 1)]
        assert written.wait(120), "the chat line was never written"
        with here.reading() as store:  # an #action's count while the chat line is uncommitted
            assert store.lines_said(meeting.id) == [("pedro", "pedro", 4),
                                                    ("rafael", "rafael", 2),
                                                    ("joyce", "joyce", 1)]
        commit.set()
        chat.outcome()

        _every_process_counts(postgres_url, meeting.id, (here, there), [
            ("pedro", "pedro", 4), ("rafael", "rafael", 2), ("joyce", "joyce", 2)])
    finally:
        here.close()
        there.close()


def test_a_topic_and_a_queue_leaving_in_turn_never_deadlock(
        postgres_url: str, watcher: Engine) -> None:
    """The deadlock that sent back the lock taken at the first line's write: ``#topic``
    updates the meeting row and then empties the speaker queue, while a ``q-`` deletes its
    queue row and then needs the meeting row for its line. Two bot processes, the real
    handler: the ``#topic`` is held (a queue row locked by the test) after it took the
    meeting and updated it; the ``q-`` then waits, and must wait at its first step, for
    the meeting, before it touches the queue. Both commit once the ``#topic`` may go on."""
    settings = Settings(groups=[SECURITY_WG])
    first, second = Database.open(postgres_url), Database.open(postgres_url)
    try:
        chair = Chat(MeetingBot(first, settings), PLACE)
        other = Chat(MeetingBot(second, settings), PLACE)
        chair.say("rafael", "#startmeeting", message_id="a1")
        chair.say("joyce", "q+", message_id="a2")
        other.say("pedro", "q+", message_id="b1")
        with first.reading() as store:
            meeting = store.running_meeting(PLACE)
            assert meeting is not None
            assert [who for who, _, _ in queue(store, meeting.id)] == ["joyce", "pedro"]
        for database in (first, second):  # each process counts and keeps its count
            with database.transaction() as store:
                assert store.lines_said(meeting.id) == [
                    ("rafael", "rafael", 1), ("joyce", "joyce", 1), ("pedro", "pedro", 1)]

        with watcher.connect() as holder:  # holds joyce's queue row: #topic stops there
            holder.execute(text("SELECT id FROM speaker_queue WHERE who = 'joyce' "
                                "FOR UPDATE")).all()
            topic = _Running(lambda: chair.say("rafael", "#topic 1", message_id="a3"))
            topic.start()
            topic_pid = _waiting_for(watcher, _backend(holder), lambda: not topic.is_alive())
            with watcher.connect() as look:  # it holds the meeting row, updated
                assert look.execute(text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND c.relname = 'meetings' AND l.mode = "
                    "'RowExclusiveLock'"), {"pid": topic_pid}).scalar_one() == 1
            leave = _Running(lambda: other.say("pedro", "q-", message_id="b2"))
            leave.start()
            leave_pid = _waiting_for(watcher, topic_pid, lambda: not leave.is_alive())
            with watcher.connect() as look:  # at its first step: it holds no queue row
                assert look.execute(text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND c.relname = 'speaker_queue'"),
                    {"pid": leave_pid}).scalar_one() == 0
            holder.rollback()  # the #topic goes on, then the q-
        topic_effects = topic.outcome()
        leave.outcome()

        assert any("Topic:" in getattr(e, "text", "") for e in topic_effects)
        with first.reading() as store:
            assert queue(store, meeting.id) == []  # the topic emptied it; q- found it empty
            lines = store.connection.execute(text(
                "SELECT author_id, text FROM transcript WHERE meeting_id = :m ORDER BY id"),
                {"m": meeting.id}).all()
        assert [tuple(line) for line in lines] == [
            ("rafael", "#startmeeting"), ("joyce", "q+"), ("pedro", "q+"),
            ("rafael", "#topic 1"), ("pedro", "q-")]  # ids in the order they committed
        _every_process_counts(postgres_url, meeting.id, (first, second), [
            ("rafael", "rafael", 2), ("pedro", "pedro", 2), ("joyce", "joyce", 1)])
    finally:
        first.close()
        second.close()


def test_a_speakers_name_is_the_same_however_the_lines_were_counted() -> None:
    """Someone renamed mid-meeting ("alice", then "Alice"): a process that counted their
    lines as they came and one that reads the transcript whole (another replica, or the
    same bot after a restart) show the same name, on a database whose collation is not
    byte order (ICU's en-US, as many servers are set up), where SQL's ``max`` of the two
    spellings differs from Python's."""
    name = f"t_icu_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE template0 "
                                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    along, whole = Database.open(url), Database.open(url)
    try:
        with along.transaction() as store:
            meeting = store.start_meeting(PLACE, "Security WG", "WG", "2024-03-07", AT, "u1")
            store.log_line(meeting.id, AT, "u1", "alice", "hello")
        with along.transaction() as store:  # an #action: the count is kept from here on
            assert store.lines_said(meeting.id) == [("u1", "alice", 1)]
        with along.transaction() as store:
            assert store.running_meeting(PLACE) is not None
            store.log_line(meeting.id, AT, "u1", "Alice", "renamed")
        with along.reading() as counted, whole.reading() as read:
            assert counted.lines_said(meeting.id) == read.lines_said(meeting.id)
            assert read.lines_said(meeting.id) == [("u1", "alice", 2)]
    finally:
        along.close()
        whole.close()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
