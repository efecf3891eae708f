"""The start-up rehearsal (``MeetingBot.warm_up``): every live command kind once, through
the real turn code, rolled back: nothing delivered, nothing after commit, no trace in the
database, and the next real meeting as if it never ran. (That it makes the first real
commands cheap is a timing, measured in ``bench/bench_live.py``, not asserted here.)"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select

from bot.commands.handler import MeetingBot
from bot.commands.rehearsal import LINES
from bot.config import Settings
from bot.effects import Effect
from bot.store import Database
from bot.store.schema import metadata
from tests.conftest import Chat, posts
from tests.test_console_process import ConsoleProcess

# No group configured: every channel runs the default group, the one the rehearsal runs
# as, so a rehearsed action would take the next meeting's number if anything were kept.
SETTINGS = Settings(groups=[])


class Recorder:
    """GitHub as the bot sees it (``ActionTracker``, ``MinutesPublisher``): the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def sync_now(self, group_name: str, action_ids: Iterable[int]) -> list[Effect]:
        self.calls.append(f"sync {group_name} {list(action_ids)}")
        return []

    def publish_now(self, meeting_id: int, pending_only: bool = False) -> list[Effect]:
        self.calls.append(f"publish {meeting_id}")
        return []


def rows(database: Database) -> dict[str, int]:
    with database.reading() as store:
        return {table.name: store.connection.execute(
            select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables}


def test_the_rehearsal_rehearses_the_live_command_kinds() -> None:
    said = {text.split()[0] for _, _, text in LINES if text}
    assert {"#startmeeting", "#here", "#topic", "#agenda", "#info", "s/draft/final/",
            "#action", "#agreed", "#undo", "q+", "q-", "#startvote", "+1"} <= said
    assert {what.name for what, _, _ in LINES} == {"MESSAGE", "EDIT", "DELETE"}
    assert "#endmeeting" not in said  # the minutes compile is not per command


def test_a_rehearsal_leaves_no_trace_and_calls_nothing(database: Database) -> None:
    github = Recorder()
    bot = MeetingBot(database, SETTINGS, publisher=github,
                     action_tracker=github)
    Chat(bot).say("rafael", "#info said before any meeting, so kept nowhere")
    before = rows(database)

    bot.warm_up()
    bot.warm_up()  # a second one works as the first

    assert rows(database) == before
    assert github.calls == []
    assert database.tallies.committed == {}  # its meeting's tally never published


def test_the_next_real_meeting_is_as_if_no_rehearsal_ran(database: Database) -> None:
    bot = MeetingBot(database, SETTINGS)
    first = Chat(bot)
    first.say("rafael", "#startmeeting")
    assert any("A-1" in p for p in posts(first.say("rafael", "#action ulises to fix it")))
    first.say("rafael", "#endmeeting")

    bot.warm_up()

    chat = Chat(bot)
    chat.say("rafael", "#startmeeting")
    chat.say("ulises", "#here")
    chat.say("ulises", "#info a real note")
    assert any("A-2" in p for p in posts(chat.say("ulises", "#action rafael to review it")))
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "a real note" in minutes
    assert "Rehearsal" not in minutes and "alice" not in minutes
    with database.reading() as store:
        assert [m.title for m in store.all_running_meetings()] == []


def test_a_command_during_the_rehearsal_waits_for_it_and_is_kept(tmp_path: Path) -> None:
    """A user's first line may come while the background rehearsal holds SQLite's write
    lock: it waits for the rollback, then is handled as usual, and only it is kept."""
    database = Database.open(f"sqlite:///{tmp_path / 'gavel.db'}")
    try:
        bot = MeetingBot(database, SETTINGS)
        chat = Chat(bot)
        rehearsing = bot.warm_up_in_background()
        assert rehearsing is not None
        started = posts(chat.say("rafael", "#startmeeting Straight away"))
        assert any("Meeting started: Straight away" in post for post in started)
        chat.say("rafael", "#action rafael to check the numbers")
        rehearsing.join(120)
        assert not rehearsing.is_alive()
        assert rows(database)["meetings"] == 1 and rows(database)["action_items"] == 1
    finally:
        database.close()


def test_a_piped_console_answers_its_first_line_at_once(tmp_path: Path) -> None:
    """Lines piped in come at once, so the console rehearses only for a terminal (a
    person reads the greeting first)."""
    database_url = f"sqlite:///{tmp_path / 'gavel.db'}"
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send("#startmeeting Straight away")  # the rehearsal may hold the write lock
    console.expect("Meeting started: Straight away")
    console.send("#action rafael to check the numbers")
    console.expect("A-1")
    console.send("/quit")
    assert console.process.wait(timeout=30) == 0
    database = Database.open(database_url)
    try:
        assert rows(database)["meetings"] == 1
        assert rows(database)["action_items"] == 1
    finally:
        database.close()
