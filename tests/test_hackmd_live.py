"""The meeting's live HackMD note, in process: created ahead once, written from the chat
batched and rate-limited, people's text kept, and the minutes pull request made from it.

HackMD is the fake on 127.0.0.1 (tests/fakes/hackmd.py) reached by our real client;
GitHub the fake reached by PyGithub; time a stepped clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.commands.handler import MeetingBot
from bot.config import Group, HackMDSettings, Links, Schedule, Settings
from bot.github.publishing import Publisher
from bot.hackmd.client import HackMD, HackMDProblem, NoteGone, RateLimited
from bot.hackmd.live import LiveWriter
from bot.hackmd.minutes_source import NoteMinutes
from bot.hackmd.notes_ahead import create_due_notes
from bot.schedules.clock import SteppedClock
from bot.store import Database
from tests.conftest import Chat
from tests.fakes.github import FakeGitHub
from tests.fakes.hackmd import FakeHackMD
from tests.github_support import TOKEN, Sleeps, client

HACKMD_TOKEN = "hackmd-test-token"
START = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # a Thursday: the group meets then

GROUP = Group(
    name="Security WG", title="Node.js Security team Meeting", hackmd_team="nodejs",
    minutes_repo="nodejs/security-wg", standing_items=["Vulnerability Review"],
    links=Links(join="https://zoom.us/j/123"),
    schedule=Schedule(rrule="FREQ=WEEKLY;BYDAY=TH", start="2026-01-08T15:00"),
)


@pytest.fixture
def hackmd() -> Iterator[FakeHackMD]:
    with FakeHackMD(HACKMD_TOKEN, teams=("nodejs",)) as fake:
        yield fake


def settings_for(fake: FakeHackMD, min_write: float = 0.0) -> Settings:
    return Settings(groups=[GROUP], hackmd=HackMDSettings(api_url=fake.api_url,
                                                            min_write_seconds=min_write))


def meeting_chat(database: Database, settings: Settings) -> Chat:
    return Chat(MeetingBot(database, settings), start=START - timedelta(minutes=5))


def test_the_client_reports_hackmd_refusals_plainly(hackmd: FakeHackMD) -> None:
    good = HackMD(HACKMD_TOKEN, hackmd.api_url)
    with pytest.raises(HackMDProblem, match="HACKMD_API_TOKEN"):
        HackMD("wrong", hackmd.api_url).create_note("t", "x")
    with pytest.raises(NoteGone):
        good.read_note("nope")
    with pytest.raises(NoteGone):
        good.create_note("t", "x", team="not-my-team")
    hackmd.rate_limit_next(42)
    with pytest.raises(RateLimited) as limited:
        good.create_note("t", "x")
    assert limited.value.retry_after == 42
    with pytest.raises(HackMDProblem, match="at most 100000"):
        good.create_note("t", "x" * 100_001)
    note = good.create_note("t", "hello", team="nodejs")
    assert good.read_note(note.id).content == "hello"
    assert "wrong" not in repr(good) and HACKMD_TOKEN not in repr(good)


def test_the_note_is_created_ahead_with_the_agenda_and_only_once(
        database: Database, hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    too_early = create_due_notes(database, settings, api, None, START - timedelta(days=3), "a")
    assert too_early == [] and hackmd.notes == {}
    first = create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    again = create_due_notes(database, settings, api, None, START - timedelta(hours=2), "b")
    assert [o.action for o in first] == ["created"]
    assert again == []  # the note is known: nothing to do, not even a question to HackMD
    note = hackmd.only_note()
    assert note.team == "nodejs"
    assert "# Node.js Security team Meeting 2026-03-05" in note.content
    assert "* Vulnerability Review" in note.content
    assert [c.method for c in hackmd.calls] == ["POST"]


def test_a_failed_creation_is_tried_again_next_round(database: Database,
                                                     hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    hackmd.fail_with(500)
    [failed] = create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    assert failed.action.startswith("failed: ") and "500" in failed.action
    hackmd.recover()
    [made] = create_due_notes(database, settings, api, None, START - timedelta(days=1), "b")
    assert made.action == "created" and len(hackmd.notes) == 1


def test_chat_lines_reach_the_note_and_peoples_text_survives(database: Database,
                                                             hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    clock = SteppedClock(START - timedelta(days=1))
    create_due_notes(database, settings, api, None, clock.now(), "a")
    writer = LiveWriter(database, settings, api, clock, "a")
    chat = meeting_chat(database, settings)
    chat.say("alice", "#startmeeting")
    chat.say("bob", "#here Bob")
    chat.say("alice", "#info First point from the chat")
    assert writer.sync_once() == 1
    note_id = hackmd.only_note().id
    assert "First point from the chat" in hackmd.only_note().content
    assert "* Bob" in hackmd.only_note().content
    hackmd.edit(note_id, lambda text: text.replace(
        "## Q&A, Other", "## Q&A, Other\n\nCarol (typed in HackMD): we need a threat model"))
    chat.say("alice", "#action bob to draft the advisory")
    chat.say("alice", "#topic upcoming")
    chat.say("alice", "#info No meeting on Dec 24")
    writer.sync_once()
    content = hackmd.only_note().content
    assert "Carol (typed in HackMD): we need a threat model" in content
    assert "bob to draft the advisory" in content
    assert "Upcoming Meetings:\n* No meeting on Dec 24" in content
    with database.transaction() as store:
        [meeting] = store.meetings()
    assert meeting.links["minutes_doc"] == f"https://hackmd.io/{note_id}"


def test_an_outage_loses_nothing_and_the_chat_never_waits(database: Database,
                                                          hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    clock = SteppedClock(START - timedelta(days=1))
    create_due_notes(database, settings, api, None, clock.now(), "a")
    writer = LiveWriter(database, settings, api, clock, "a")
    chat = meeting_chat(database, settings)
    chat.say("alice", "#startmeeting")
    hackmd.fail_with(500)
    for n in range(3):
        chat.say("alice", f"#info said during the outage {n}")
        assert writer.sync_once() == 0
    assert not any("outage" in note.content for note in hackmd.notes.values())
    hackmd.recover()
    assert writer.sync_once() == 1
    content = hackmd.only_note().content
    assert all(f"said during the outage {n}" in content for n in range(3))


def test_writes_are_batched_and_a_429_pauses_them(database: Database,
                                                  hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd, min_write=10)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    clock = SteppedClock(START - timedelta(days=1))
    create_due_notes(database, settings, api, None, clock.now(), "a")
    writer = LiveWriter(database, settings, api, clock, "a")
    chat = meeting_chat(database, settings)
    chat.say("alice", "#startmeeting")
    clock.set(START)
    assert writer.sync_once() == 1
    chat.say("alice", "#info one")
    chat.say("alice", "#info two")
    assert writer.sync_once() == 0  # within 10 s of the last write: held back
    clock.set(START + timedelta(seconds=10))
    hackmd.rate_limit_next(120)
    assert writer.sync_once() == 0
    calls = len(hackmd.calls)
    clock.set(START + timedelta(seconds=60))
    assert writer.sync_once() == 0 and len(hackmd.calls) == calls  # paused: not even asked
    clock.set(START + timedelta(seconds=131))
    assert writer.sync_once() == 1  # both lines in one write
    content = hackmd.only_note().content
    assert "* one" in content and "* two" in content
    assert [c.method for c in hackmd.calls].count("PATCH") == 2


def _publishing(database: Database, settings: Settings, gh: FakeGitHub) -> MeetingBot:
    publisher = Publisher(client(gh, Sleeps()), database, settings)
    publisher.minutes_source = NoteMinutes(database, settings,
                                           HackMD(HACKMD_TOKEN, settings.hackmd.api_url))
    return MeetingBot(database, settings, publisher=publisher)


def test_minutes_come_from_the_note_people_edited(database: Database,
                                                  hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    with FakeGitHub(token=TOKEN) as gh:
        gh.add_repo("nodejs/security-wg")
        chat = Chat(_publishing(database, settings, gh), start=START)
        chat.say("alice", "#startmeeting")
        chat.say("alice", "#info from the chat")
        note_id = hackmd.only_note().id
        hackmd.edit(note_id, lambda t: t + "\nDave wrote this in HackMD, cc @nodejs/tsc\n")
        chat.say("alice", "#endmeeting")
        [pull] = gh.pulls("nodejs/security-wg")
        text = gh.file("nodejs/security-wg", "meetings/2026-03-05.md", pull["head"]["ref"])
        assert text is not None
        assert "from the chat" in text and "Dave wrote this in HackMD" in text
        assert "gavel:" not in text
        [comment] = gh.comments("nodejs/security-wg", pull["number"])
        assert "Made from the HackMD note as people left it" in comment["body"]
        assert "1 line(s) added" in comment["body"]
        # The sample of what people wrote pings nobody from the comment.
        assert "\n> Dave wrote this in HackMD, cc `@nodejs/tsc`" in comment["body"]
        # A late edit, and publishing again: the same pull request follows it.
        hackmd.edit(note_id, lambda t: t + "\nA late correction\n")
        chat.slash("alice", "publish")
        assert len(gh.pulls("nodejs/security-wg")) == 1
        text = gh.file("nodejs/security-wg", "meetings/2026-03-05.md", pull["head"]["ref"])
        assert text is not None and "A late correction" in text


def test_minutes_come_from_the_chat_when_nobody_edited_the_note(database: Database,
                                                                hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    writer = LiveWriter(database, settings, api, SteppedClock(START), "a")
    with FakeGitHub(token=TOKEN) as gh:
        gh.add_repo("nodejs/security-wg")
        chat = Chat(_publishing(database, settings, gh), start=START)
        chat.say("alice", "#startmeeting")
        chat.say("alice", "#info from the chat")
        writer.sync_once()  # Gavel's own writes are not people's edits
        minutes = chat.minutes(chat.say("alice", "#endmeeting"))
        [pull] = gh.pulls("nodejs/security-wg")
        assert gh.file("nodejs/security-wg", "meetings/2026-03-05.md",
                       pull["head"]["ref"]) == minutes
        [comment] = gh.comments("nodejs/security-wg", pull["number"])
        assert "Made from the chat alone: nobody edited the HackMD note" in comment["body"]


def test_a_meeting_claimed_by_another_process_is_left_to_it(database: Database,
                                                            hackmd: FakeHackMD) -> None:
    from bot.store.hackmd_rows import claim_note

    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    now = START - timedelta(days=1)
    with database.transaction() as store:
        assert claim_note(store, GROUP.name, "2026-03-05", "other-replica", now)
    [outcome] = create_due_notes(database, settings, api, None, now, "me")
    assert outcome.action == "claimed elsewhere" and hackmd.notes == {}
    # The other replica died before HackMD answered: after the claim expires, it is taken.
    [outcome] = create_due_notes(database, settings, api, None, now + timedelta(minutes=11),
                                 "me")
    assert outcome.action == "created" and len(hackmd.notes) == 1


def test_the_meeting_issue_links_the_note(database: Database, hackmd: FakeHackMD) -> None:
    from bot.github.meeting_issue import ensure_issue

    settings = settings_for(hackmd)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    with FakeGitHub(token=TOKEN) as gh:
        gh.add_repo("nodejs/security-wg")
        github = client(gh, Sleeps())
        # The issue opened first: the next refresh links the note made since.
        first = ensure_issue(github, GROUP, START, [], database)
        assert "hackmd.io" not in _issue(gh, first.number)["body"]
        create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
        ensure_issue(github, GROUP, START, [], database)
        note_url = f"https://hackmd.io/{hackmd.only_note().id}"
        assert f"* Minutes doc: <{note_url}>" in _issue(gh, first.number)["body"]
        # The note made first: the issue opens with the link.
        later = START + timedelta(days=7)
        [made] = create_due_notes(database, settings, api, None, later - timedelta(days=1), "a")
        second = ensure_issue(github, GROUP, later, [], database)
        assert f"* Minutes doc: <{made.url}>" in _issue(gh, second.number)["body"]


async def test_reminders_link_the_note(database: Database, hackmd: FakeHackMD) -> None:
    from bot.config import ChannelBinding
    from bot.reminders.loop import ReminderService
    from tests.test_reminders import FAST, ListSink, running

    group = replace(GROUP, reminders=["1h"], channels=[
        ChannelBinding(platform="slack", channel="C1")])
    settings = Settings(groups=[group], hackmd=HackMDSettings(api_url=hackmd.api_url))
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    [made] = create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    sink = ListSink()
    clock = SteppedClock(START - timedelta(hours=1, seconds=5))
    service = ReminderService(database, settings, {"slack": sink}, clock, policy=FAST)
    async with running([service], clock) as loops:
        await loops.step(START - timedelta(hours=1))
    [post] = sink.posts
    assert "Join: https://zoom.us/j/123\nMinutes doc (HackMD): " + made.url in post.text


def test_the_last_lines_before_endmeeting_reach_the_note(database: Database,
                                                         hackmd: FakeHackMD) -> None:
    settings = settings_for(hackmd, min_write=10)
    api = HackMD(HACKMD_TOKEN, hackmd.api_url)
    clock = SteppedClock(START)
    create_due_notes(database, settings, api, None, START - timedelta(days=1), "a")
    writer = LiveWriter(database, settings, api, clock, "a")
    chat = meeting_chat(database, settings)
    chat.say("alice", "#startmeeting")
    assert writer.sync_once() == 1
    chat.say("alice", "#info the very last point")
    chat.say("alice", "#endmeeting")
    assert writer.sync_once() == 0  # within the write interval: held back...
    clock.set(START + timedelta(seconds=10))
    assert writer.sync_once() == 1  # ...and written although the meeting has ended
    assert "the very last point" in hackmd.only_note().content
    calls = len(hackmd.calls)
    clock.set(START + timedelta(seconds=30))
    assert writer.sync_once() == 0 and len(hackmd.calls) == calls  # then left alone


def _issue(gh: FakeGitHub, number: int) -> dict[str, Any]:
    """The security-wg issue numbered ``number``, as the fake holds it."""
    return next(i for i in gh.issues("nodejs/security-wg") if i["number"] == number)
