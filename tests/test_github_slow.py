"""A slow GitHub never holds the database: commands ask it before their transaction opens.

On SQLite there is one writer: a `#startmeeting` that waited for GitHub's agenda inside its
transaction made a `#info` in another channel fail with "database is locked". The fake
GitHub here keeps the request waiting until the test releases it, so "slow" is as slow as
needed without any sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import text

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.effects import Effect
from bot.events import Place
from bot.github.action_issues import ActionIssues
from bot.github.agenda import GitHubAgenda
from bot.github.publishing import Publisher
from bot.store import Database
from tests import github_support
from tests.conftest import Chat, acked, posts, private
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
        bot: MeetingBot, fake: FakeGitHub, already_running: bool,
        line: str, held_path: str, shown: str) -> None:
    other = Chat(bot, Place("console", "other-wg"))
    other.say("bob", "#startmeeting Other meeting")
    here = Chat(bot, Place("console", "security-wg"))
    if already_running:
        here.say("alice", "#startmeeting")
    answered = _while_github_thinks(bot, fake, here, other, line, held_path,
                                    lambda: True)
    assert answered, f"{line} got no answer"
    [listing] = private(here.say("alice", "#agenda"))
    assert shown in listing
    minutes = other.minutes(other.say("bob", "#endmeeting"))
    assert "saved while GitHub thinks" in minutes



def _minutes_saved(chat: Chat) -> bool:
    """The meeting has ended and its minutes are in the store, for any reader to see."""
    with chat.bot.database.transaction() as store:
        meeting = store.last_ended_meeting(chat.place)
        return meeting is not None and bool(store.minutes_of(meeting.id))


def _action_listed(chat: Chat) -> bool:
    return "alice to write the advisory" in "".join(private(chat.slash("bob", "actions all")))


@pytest.mark.parametrize(("line", "held_path", "saved", "answer"), [
    ("#endmeeting", "/repos/nodejs/security-wg/pulls", _minutes_saved,
     "Minutes pull request opened: "),
    ("#action alice to write the advisory", "/repos/nodejs/security-wg/issues",
     _action_listed, "Action A-1 (alice): "),
])
def test_github_is_asked_after_the_commit_while_other_channels_carry_on(
        database: Database, fake: FakeGitHub, sleeps: Sleeps, line: str,
        held_path: str, saved: Callable[[Chat], bool], answer: str) -> None:
    """Publishing the minutes and opening an action's issue wait for the turn's commit:
    what GitHub is asked about is saved first, and nothing is locked while it answers."""
    group = replace(GROUP, actions_repo="nodejs/security-wg",
                    agenda_label="")
    settings = Settings(groups=[group])
    github = client(fake, sleeps)
    bot = MeetingBot(database, settings, publisher=Publisher(github, database, settings),
                     action_tracker=ActionIssues(github, database, settings))
    other = Chat(bot, Place("console", "other-wg"))
    other.say("bob", "#startmeeting Other meeting")
    here = Chat(bot, Place("console", "security-wg"))
    here.say("alice", "#startmeeting")
    answered = _while_github_thinks(bot, fake, here, other, line, held_path,
                                    lambda: saved(Chat(bot, here.place)))

    assert any(text.startswith(answer) for text in posts(answered)), posts(answered)
    assert "saved while GitHub thinks" in other.minutes(other.say("bob", "#endmeeting"))


def _while_github_thinks(bot: MeetingBot, fake: FakeGitHub, here: Chat, other: Chat,
                         line: str, held_path: str, saved: Callable[[], bool]) -> list[Effect]:
    """``line`` said in ``here`` while GitHub holds its request at ``held_path``: checks
    that nothing is locked (PostgreSQL), that ``saved()`` holds and that another channel's
    note is saved meanwhile; then GitHub answers and ``line``'s effects are returned."""
    slow = fake.hold(held_path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            asking = pool.submit(here.say, "alice", line)
            assert slow.arrived.wait(60), f"{line} never asked GitHub"
            if bot.database.engine.dialect.name == "postgresql":
                assert _locks_on_meetings(bot.database) == 0
            assert saved()
            noted = pool.submit(other.say, "bob", "#info saved while GitHub thinks")
            assert acked(noted.result(timeout=60))
        finally:
            slow.release()
        return asking.result(timeout=60)
