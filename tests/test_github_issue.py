"""The meeting issue: Node.js layout, never duplicated, only the marked agenda rewritten."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.github.agenda import fetch_agenda
from bot.github.meeting_issue import AGENDA_END, ensure_issue, ensure_meeting_issue
from bot.store import Database
from tests import github_support
from tests.conftest import Chat
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, LABEL, TOKEN, Sleeps, client, seed_agenda

fake, sleeps = github_support.fake, github_support.sleeps  # fixtures
ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TITLE = "Node.js Security team Meeting 2026-11-26"


def _issues(fake: FakeGitHub) -> list[dict]:
    return [i for i in fake.issues("nodejs/security-wg") if i["title"].startswith(TITLE[:20])]


def test_issue_is_laid_out_like_the_nodejs_meeting_issues(fake: FakeGitHub,
                                                          sleeps: Sleeps) -> None:
    seed_agenda(fake)
    github = client(fake, sleeps)
    url = ensure_meeting_issue(github, GROUP, START, fetch_agenda(github, GROUP))

    [issue] = _issues(fake)
    body = issue["body"]
    assert url == issue["html_url"] == "https://github.com/nodejs/security-wg/issues/8"
    assert issue["title"] == TITLE
    sections = [line for line in body.splitlines() if line.startswith("## ")]
    assert sections == ["## Time", "## Links", "## Invited", "## Observers/Guests",
                        "## Agenda", "## Joining the meeting", "## RSVP"]
    assert "**UTC Thu 26-Nov-2026 15:00 (03:00 PM)**:" in body
    assert "| US / Pacific  | Thu 26-Nov-2026 07:00 (07:00 AM) |" in body
    assert "| Chennai       | Thu 26-Nov-2026 20:30 (08:30 PM) |" in body
    assert "| Sydney        | Fri 27-Nov-2026 02:00 (02:00 AM) |" in body
    assert sum(1 for line in body.splitlines() if line.startswith("| ")) == 13
    assert ("https://www.timeanddate.com/worldclock/fixedtime.html?msg=Node.js%20Security"
            "%20team%20Meeting%202026-11-26&iso=20261126T1500&p1=1440&ah=1") in body
    assert "* Security wg team: @nodejs/security-wg" in body
    assert "### nodejs/node\n\n* Fix \\[CVE\\] in `http` parser [#101]" in body
    assert "* Link for participants: <https://zoom.us/j/123>" in body
    assert "* :+1: - Attending" in body and "* :confused: - Not sure yet" in body
    assert [(r.method, r.path) for r in fake.requests][-2:] == [
        ("GET", "/search/issues"), ("POST", "/repos/nodejs/security-wg/issues")]


def test_rerun_updates_only_the_marked_agenda_and_never_duplicates(
        fake: FakeGitHub, sleeps: Sleeps) -> None:
    seed_agenda(fake)
    github = client(fake, sleeps)
    ensure_meeting_issue(github, GROUP, START, fetch_agenda(github, GROUP))
    [issue] = _issues(fake)
    edited = issue["body"].replace("## Invited\n", "## Invited\n\n* Also: our guest Ann\n")
    edited += "\nNotes typed by a person.\n"
    fake._repos["nodejs/security-wg"].issues[issue["number"]].body = edited  # a person's edit
    fake.add_issue("nodejs/node", 140, "New agenda item", labels=[LABEL])

    outcome = ensure_issue(github, GROUP, START, fetch_agenda(github, GROUP))

    [after] = _issues(fake)
    assert outcome.action == "updated"
    assert "* New agenda item [#140](https://github.com/nodejs/node/issues/140)" in after["body"]
    assert "* Also: our guest Ann" in after["body"]
    assert (AGENDA_END + "\n\n## Joining the meeting\n\n* Link for participants: "
            "<https://zoom.us/j/123>\n") in after["body"]
    assert after["body"].endswith("Notes typed by a person.\n")


def test_unchanged_agenda_writes_nothing(fake: FakeGitHub, sleeps: Sleeps) -> None:
    seed_agenda(fake)
    github = client(fake, sleeps)
    ensure_meeting_issue(github, GROUP, START, fetch_agenda(github, GROUP))
    fake.reset_requests()
    outcome = ensure_issue(github, GROUP, START, fetch_agenda(github, GROUP))
    assert outcome.action == "unchanged"
    assert not [r for r in fake.requests if r.is_write]


def test_issue_remembered_in_the_database_becomes_the_minutes_link(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    github = client(fake, sleeps)
    url = ensure_meeting_issue(github, GROUP, START, [], database)
    fake.reset_requests()
    ensure_meeting_issue(github, GROUP, START, [], database)
    chat = Chat(MeetingBot(database, Settings(groups=[GROUP])), start=START)
    chat.say("alice", "#startmeeting")
    minutes = chat.minutes(chat.say("alice", "#endmeeting"))

    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/repos/nodejs/security-wg/issues/1")]  # by number, no search
    assert f"* **GitHub Issue**: {url}" in minutes


def test_gavel_issue_creates_then_updates(fake: FakeGitHub, tmp_path: Path) -> None:
    seed_agenda(fake)
    config = tmp_path / "gavel.toml"
    config.write_text(f"""
data_dir = "{tmp_path / 'data'}"
[github]
base_url = "{fake.base_url}"
[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
github_org = "nodejs"
agenda_label = "{LABEL}"
minutes_repo = "nodejs/security-wg"
[groups.schedule]
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
start = "2026-01-08T15:00"
""")
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "GAVEL_CONFIG": str(config)}
    argv = [sys.executable, "-m", "gavel", "issue", "Security WG", "--date", "2026-11-26"]
    first = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    fake.add_issue("nodejs/node", 150, "Another", labels=[LABEL])
    second = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert first.stdout == ("meeting issue created: "
                            "https://github.com/nodejs/security-wg/issues/8\n"), first.stderr
    assert second.stdout == ("meeting issue updated: "
                             "https://github.com/nodejs/security-wg/issues/8\n"), second.stderr
    [issue] = _issues(fake)
    assert issue["title"] == TITLE
    assert "**UTC Thu 26-Nov-2026 15:00 (03:00 PM)**" in issue["body"]
    assert "* Another [#150]" in issue["body"]


def test_a_mention_pings_nobody_from_the_issue_and_one_in_code_stays_as_typed(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    fake.add_issue("nodejs/node", 105, "Ask @nodejs/tsc, `see @alice later`", labels=[LABEL])
    github = client(fake, sleeps)
    chat = Chat(MeetingBot(database, Settings(groups=[GROUP])),
                start=datetime(2026, 11, 19, 15, 0, tzinfo=UTC))
    chat.say("alice", "#startmeeting")
    chat.say("alice", "#action alice to `see @alice later`")
    chat.say("alice", "#action alice to ask @alice``x`` or a@b.org")
    chat.say("alice", "#endmeeting")
    ensure_issue(github, GROUP, START, fetch_agenda(github, GROUP), database)

    [issue] = _issues(fake)
    body = issue["body"]
    # GitHub reads no mention in code: one outside is put in code, one inside is left be
    # (in `<code>` beside a code span, whose backticks would run into the span's).
    assert "* Ask `@nodejs/tsc`, `see @alice later` [#105]" in body
    assert "* alice: A-1 alice to `see @alice later`\n" in body
    assert "* alice: A-2 alice to ask <code>@alice</code>``x`` or a@b.org\n" in body
