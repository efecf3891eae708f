"""Action items that follow people from meeting to meeting: ids per group, #done, #drop,
#reassign, the open ones at #startmeeting, in /meeting actions and in the minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import ChannelBinding, Group, Settings
from bot.effects import PrivateReply
from bot.events import Author, Event, EventKind, Place
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat, posts, private

ROOT = Path(__file__).resolve().parents[1]


def run_console(tmp_path: Path, database_url: str, lines: str) -> str:
    """One run of ``gavel run`` on the console (its own process: each run is a restart)."""
    env = {k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "gavel", "--database", database_url, "run",
         "--user", "rafael"], input=lines + "/quit\n", capture_output=True, text=True,
        cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def minutes_in(output: str) -> str:
    start = output.index("gavel> --- ")
    return output[start:output.index("gavel> --- end ---", start)]


def test_three_meetings_in_a_row_across_restarts(tmp_path: Path, database_url: str) -> None:
    first = run_console(tmp_path, database_url, """\
#startmeeting Security WG
alice: #here
bob: hello
carol: hi
alice: #action alice to review the CVE report
#action bob to write the docs
#action carol to update the website
#endmeeting
""")
    assert "gavel> Action A-1 (alice): alice to review the CVE report" in first
    assert "gavel> Action A-2 (bob): bob to write the docs" in first
    assert "gavel> Action A-3 (carol): carol to update the website" in first

    second = run_console(tmp_path, database_url, """\
#startmeeting Security WG
alice: #done A-1 sent upstream
bob: #done A-3
#reassign A-2 @carol
#endmeeting
""")
    assert "gavel> - alice: A-1 alice to review the CVE report" in second
    assert "gavel> - bob: A-2 bob to write the docs" in second
    assert "gavel> A-1 done: alice to review the CVE report (sent upstream)" in second
    assert "(to bob) Only its owner (carol) or a chair can close A-3." in second
    assert "gavel> A-2 reassigned to carol: bob to write the docs" in second
    minutes = minutes_in(second)
    assert "## Carried-over actions" in minutes
    assert "* A-1 (alice): alice to review the CVE report — done (sent upstream)" in minutes
    assert "* A-2 (carol): bob to write the docs — reassigned to carol" in minutes
    assert "* A-3 (carol): carol to update the website — still open" in minutes

    third = run_console(tmp_path, database_url, """\
#startmeeting Security WG
carol: #done A-2
/meeting actions all
#endmeeting
""")
    started = third[third.index("Meeting started"):third.index("A-2 done")]
    assert "- carol: A-2 bob to write the docs" in started
    assert "- carol: A-3 carol to update the website" in started
    assert "A-1" not in started
    listed = third[third.index("(to rafael) Open actions"):third.index("--- ")]
    assert "A-3 carol to update the website" in listed
    assert "A-2" not in listed and "A-1" not in listed
    minutes = minutes_in(third)
    assert "* A-2 (carol): bob to write the docs — done" in minutes
    assert "* A-3 (carol): carol to update the website — still open" in minutes
    assert "A-1" not in minutes


def _chat(database: Database) -> Chat:
    return Chat(MeetingBot(database, Settings(groups=[SECURITY_WG])))


def test_only_the_owner_or_a_chair_closes_an_action_and_the_buttons_say_so(
        database: Database) -> None:
    chat = _chat(database)
    chat.say("rafaelgss", "#startmeeting")
    chat.say("alice", "hi")
    chat.say("bob", "hi")
    chat.say("alice", "#action alice to triage the report")
    chat.say("alice", "#action bob to fix the build")
    chat.say("rafaelgss", "#endmeeting")
    chat.clock += timedelta(days=3)

    mine = chat.slash("alice", "actions mine")
    [reply] = [e for e in mine if isinstance(e, PrivateReply)]
    assert "A-1 alice to triage the report" in reply.text and "A-2" not in reply.text
    assert [b.action for b in reply.buttons] == ["action-done:1"]
    everyone = chat.slash("alice", "actions")
    [reply] = [e for e in everyone if isinstance(e, PrivateReply)]
    assert "bob\n  A-2 bob to fix the build" in reply.text
    assert [b.label for b in reply.buttons] == ["Done A-1"]  # only what she may close
    assert private(chat.slash("alice", "actions @bob")) == [
        "Open actions (bob's):\nbob\n  A-2 bob to fix the build"]

    assert private(chat.press("alice", "action-done:2")) == [
        "Only its owner (bob) or a chair can close A-2."]
    assert posts(chat.press("bob", "action-done:2")) == ["A-2 done: bob to fix the build"]
    # Between meetings the group's configured chair may close anyone's action.
    assert posts(chat.slash("RafaelGSS", "drop A-1 no longer needed")) == [
        "A-1 dropped: alice to triage the report (no longer needed)"]
    assert private(chat.slash("alice", "actions all")) == ["No open actions (Security WG's)."]


def test_an_undone_or_deleted_action_line_is_no_action(database: Database) -> None:
    chat = _chat(database)
    chat.say("rafaelgss", "#startmeeting")
    chat.say("rafaelgss", "#action write the release notes")
    chat.say("rafaelgss", "#undo")
    chat.say("rafaelgss", "#action update the docs")  # message m4
    chat.delete("rafaelgss", "m4")
    chat.say("rafaelgss", "#action ship it")  # message m5
    chat.edit("rafaelgss", "m5", "#action ship it on Friday")
    assert private(chat.slash("rafaelgss", "actions")) == [
        "Open actions (Security WG's):\nUnassigned\n  A-3 ship it on Friday"]
    assert private(chat.slash("rafaelgss", "done A-1")) == [
        "A-1 was undone when it was noted: it is no action."]


def test_an_unknown_or_closed_action_gets_one_clear_line(database: Database) -> None:
    chat = _chat(database)
    chat.say("rafaelgss", "#startmeeting")
    chat.say("rafaelgss", "#action rafaelgss to merge")
    assert private(chat.say("rafaelgss", "#done A-9")) == [
        "There is no action A-9 in Security WG: /meeting actions all lists the open ones."]
    chat.say("rafaelgss", "#done A-1")
    assert private(chat.say("rafaelgss", "#done A-1")) == [
        "A-1 is already done: rafaelgss to merge"]
    assert private(chat.say("rafaelgss", "#done")) == [
        "Usage: #done A-17 [note] (the action's id, as in A-17)"]
    chat.say("rafaelgss", "#endmeeting")
    assert chat.say("rafaelgss", "#done is my favourite hashtag") == []  # idle chat


class SlackChat(Chat):
    """People on Slack: each speaks with their user id and the display name they chose,
    which anyone else may choose too."""

    def __init__(self, database: Database, names: dict[str, str]) -> None:
        group = Group(name="WG", title="Meeting", chairs=["UCHAIR"], channels=[
            ChannelBinding(platform="slack", workspace="T1", channel="C1")])
        super().__init__(MeetingBot(database, Settings(groups=[group])),
                         Place("slack", "C1", "T1"))
        self.names = names

    def _event(self, kind: EventKind, who: str, text: str, **extra: object) -> Event:
        self.clock += timedelta(seconds=15)
        return Event(kind, self.place, Author(who, self.names[who]), self.clock, text,
                     **extra)  # type: ignore[arg-type]


def _slack_chat(database: Database) -> SlackChat:
    return SlackChat(database, {"UCHAIR": "Chair", "UMAL": "Mallory", "UALICE": "Alice"})


def test_a_name_someone_claims_owns_no_action(database: Database) -> None:
    chat = _slack_chat(database)
    chat.say("UCHAIR", "#startmeeting")
    chat.say("UMAL", "#here Alice")  # Mallory calls herself Alice first
    chat.say("UALICE", "#here")  # the real Alice
    assert posts(chat.say("UCHAIR", "#action Alice to rotate the signing key")) == [
        "Action A-1 (Alice): Alice to rotate the signing key"]  # named as before
    chat.say("UCHAIR", "#reassign A-1 Alice")  # a typed name is no identity either
    chat.say("UCHAIR", "#endmeeting")

    assert private(chat.slash("UMAL", "actions mine")) == ["No open actions (your)."]
    refused = "Only its owner (Alice) or a chair can drop A-1."
    assert private(chat.say("UMAL", "#drop A-1 not needed")) == [refused]
    # Which Alice was meant no platform said: the name owns nothing, a chair decides.
    assert private(chat.say("UALICE", "#drop A-1 mine")) == [refused]
    assert posts(chat.say("UCHAIR", "#drop A-1 not needed")) == [
        "A-1 dropped: Alice to rotate the signing key (not needed)"]


def test_a_mention_or_a_platform_id_makes_the_real_owner(database: Database) -> None:
    chat = _slack_chat(database)
    chat.say("UCHAIR", "#startmeeting")
    chat.say("UMAL", "#here Alice")
    chat.say("UALICE", "#here")
    assert posts(chat.say("UCHAIR", "#action <@UALICE> to rotate the signing key",
                          mentions={"UALICE": "Alice"})) == [
        "Action A-1 (Alice): Alice to rotate the signing key"]
    chat.say("UCHAIR", "#action UALICE to renew the certificate")  # her id, typed
    chat.say("UCHAIR", "#endmeeting")

    assert private(chat.say("UMAL", "#drop A-1 not needed")) == [
        "Only its owner (Alice) or a chair can drop A-1."]
    assert private(chat.say("UMAL", "#done A-2")) == [
        "Only its owner (Alice) or a chair can close A-2."]
    assert posts(chat.say("UALICE", "#drop A-1 mine")) == [
        "A-1 dropped: Alice to rotate the signing key (mine)"]
    assert posts(chat.say("UALICE", "#done A-2")) == ["A-2 done: UALICE to renew the certificate"]


def test_two_people_with_one_display_name_own_nothing_by_it(database: Database) -> None:
    chat = SlackChat(database, {"UCHAIR": "Chair", "UA1": "Alex", "UA2": "Alex"})
    chat.say("UCHAIR", "#startmeeting")
    chat.say("UA1", "hello")
    chat.say("UA2", "hi")
    assert posts(chat.say("UCHAIR", "#action Alex to write the advisory")) == [
        "Action A-1 (Alex): Alex to write the advisory"]
    refused = ["Only its owner (Alex) or a chair can close A-1."]
    assert private(chat.say("UA1", "#done A-1")) == refused
    assert private(chat.say("UA2", "#done A-1")) == refused
    assert posts(chat.say("UCHAIR", "#done A-1")) == ["A-1 done: Alex to write the advisory"]


def test_on_the_console_the_nick_is_the_identity(database: Database) -> None:
    chat = _chat(database)
    chat.say("rafaelgss", "#startmeeting")
    chat.say("mallory", "#here alice")  # a name she chose: not alice's nick
    chat.say("alice", "#here")
    chat.say("bob", "hi")
    assert posts(chat.say("rafaelgss", "#action alice to rotate the signing key")) == [
        "Action A-1 (alice): alice to rotate the signing key"]
    chat.say("rafaelgss", "#action Bob to fix the build")  # nicks ignore case
    chat.say("rafaelgss", "#action @carol to update the website")
    chat.say("rafaelgss", "#reassign A-3 carol")  # carol has not spoken: her nick still
    chat.say("rafaelgss", "#endmeeting")

    assert private(chat.say("mallory", "#drop A-1 not needed")) == [
        "Only its owner (alice) or a chair can drop A-1."]
    assert posts(chat.say("alice", "#done A-1")) == [
        "A-1 done: alice to rotate the signing key"]
    assert posts(chat.say("bob", "#done A-2")) == ["A-2 done: Bob to fix the build"]
    assert posts(chat.say("carol", "#done A-3")) == ["A-3 done: @carol to update the website"]
