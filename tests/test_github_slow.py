"""A slow GitHub never holds the database: commands ask it before their transaction opens.

On SQLite there is one writer: a `#startmeeting` that waited for GitHub's agenda inside its
transaction made a `#info` in another channel fail with "database is locked". The fake
GitHub here keeps the request waiting until the test releases it, so "slow" is as slow as
needed without any sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.events import Place
from bot.github.agenda import GitHubAgenda
from bot.store import Database
from tests import github_support
from tests.conftest import Chat, acked, private
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, Sleeps, client, seed_agenda

fake, sleeps = github_support.fake, github_support.sleeps  # fixtures


@pytest.fixture
def bot(database: Database, fake: FakeGitHub, sleeps: Sleeps) -> Iterator[MeetingBot]:
    seed_agenda(fake)
    fake.add_issue("nodejs/node", 120, "Looked up title", labels=[])
    yield MeetingBot(database, Settings(groups=[GROUP]),
                     agenda_source=GitHubAgenda(client(fake, sleeps)))


def _locks_on_meetings(database: Database) -> int:
    """PostgreSQL: how many other sessions hold a lock on the meetings table right now."""
    with database.engine.connect() as connection:
        return int(connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE relation = 'meetings'::regclass "
            "AND pid <> pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize(("already_running", "line", "held_path", "shown"), [
    (False, "#startmeeting", "/search/issues", "Permission model (nodejs/node#102)"),
    (True, "#agenda add nodejs/node#120", "/repos/nodejs/node/issues/120",
     "Looked up title (nodejs/node#120)"),
])
def test_a_note_in_another_channel_is_saved_while_github_is_slow(
        bot: MeetingBot, fake: FakeGitHub, database_url: str, already_running: bool,
        line: str, held_path: str, shown: str) -> None:
    other = Chat(bot, Place("console", "other-wg"))
    other.say("bob", "#startmeeting Other meeting")
    here = Chat(bot, Place("console", "security-wg"))
    if already_running:
        here.say("alice", "#startmeeting")
    slow = fake.hold(held_path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            asking = pool.submit(here.say, "alice", line)
            assert slow.arrived.wait(60), f"{line} never asked GitHub"
            if database_url.startswith("postgresql"):
                assert _locks_on_meetings(bot.database) == 0
            noted = pool.submit(other.say, "bob", "#info saved while GitHub thinks")
            assert acked(noted.result(timeout=60))
        finally:
            slow.release()
        answered = asking.result(timeout=60)

    assert answered, f"{line} got no answer"
    [listing] = private(here.say("alice", "#agenda"))
    assert shown in listing
    minutes = other.minutes(other.say("bob", "#endmeeting"))
    assert "saved while GitHub thinks" in minutes
