"""Action items that follow people from meeting to meeting: ids per group, #done, #drop,
#reassign, the open ones at #startmeeting, in /meeting actions and in the minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.effects import PrivateReply
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
