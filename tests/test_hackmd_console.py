"""Acceptance (issue 15): a console meeting with a group that keeps its minutes in HackMD.

The bot runs as people run it (``gavel run`` on the console, in a subprocess) against the
fake HackMD and the fake GitHub. The test waits on what the fakes show (their notes and
request logs), never on a clock: the note exists before the meeting with the agenda;
chat lines reach it; a person's edit between two chat lines survives; HackMD failing for
a while loses nothing; ``#endmeeting`` opens a pull request holding both. And two
processes on PostgreSQL create one note per meeting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import postgres_schema_url
from tests.fakes.github import FakeGitHub
from tests.fakes.hackmd import FakeHackMD
from tests.github_support import LABEL, TOKEN

ROOT = Path(__file__).resolve().parents[1]
HACKMD_TOKEN = "hackmd-console-token"


def _zone_and_meeting() -> tuple[str, str, str]:
    """A zone where it is late morning now, and today's meeting there at 13:00 local:
    the meeting is hours ahead and on the same local day as the console's lines."""
    now = datetime.now(UTC)
    offset = 11 - now.hour  # local hour 11 (Etc/GMT zones run from -12 to +14)
    zone = "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    local = now + timedelta(hours=offset)
    return zone, f"{local:%Y-%m-%d}T13:00", f"{local:%Y-%m-%d}"


def _config(tmp_path: Path, database_url: str, hackmd: FakeHackMD, github: FakeGitHub) -> Path:
    zone, start, _ = _zone_and_meeting()
    config = tmp_path / "gavel.toml"
    config.write_text(f"""
data_dir = "{tmp_path / 'data'}"
database_url = "{database_url}"
[github]
base_url = "{github.base_url}"
[hackmd]
api_url = "{hackmd.api_url}"
poll_seconds = 0.05
min_write_seconds = 0
timeout_seconds = 300
[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
github_org = "nodejs"
agenda_label = "{LABEL}"
minutes_repo = "nodejs/security-wg"
minutes_path = "meetings/{{date}}.md"
timezone = "{zone}"
issue_days_ahead = 1
hackmd_team = "nodejs"
reminders = []
[groups.schedule]
rrule = "FREQ=DAILY"
start = "{start}"
timezone = "{zone}"
[[groups.channels]]
platform = "console"
channel = "security-wg"
""")
    return config


def _github() -> FakeGitHub:
    github = FakeGitHub(token=TOKEN)
    github.start()
    github.add_repo("nodejs/security-wg")
    github.add_repo("nodejs/node")
    github.add_issue("nodejs/node", 101, "Fix the parser", labels=[LABEL], is_pr=True)
    return github


def _env(config: Path) -> dict[str, str]:
    return {**os.environ, "GITHUB_TOKEN": TOKEN, "HACKMD_API_TOKEN": HACKMD_TOKEN,
            "GAVEL_CONFIG": str(config)}


class Console:
    """``gavel run`` on the console, typed into line by line."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gavel", "run", "--user", "alice"], cwd=ROOT,
            env=_env(config), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.output: list[str] = []
        self.errors: list[str] = []
        self._readers = [threading.Thread(target=self._drain, args=(stream, into), daemon=True)
                         for stream, into in ((self.process.stdout, self.output),
                                              (self.process.stderr, self.errors))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _drain(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def quit(self) -> str:
        self.type("/quit")
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=120) == 0, "".join(self.errors)
        for reader in self._readers:
            reader.join(timeout=10)
        return "".join(self.output)


def test_a_console_meeting_writes_the_hackmd_note_and_publishes_it(tmp_path: Path) -> None:
    with FakeHackMD(HACKMD_TOKEN, teams=("nodejs",)) as hackmd:
        github = _github()
        try:
            config = _config(tmp_path, f"sqlite:///{tmp_path / 'gavel.db'}", hackmd, github)
            console = Console(config)
            # Before the meeting: the note, with the agenda from GitHub.
            hackmd.wait_for(lambda f: len(f.notes) == 1)
            note = hackmd.only_note()
            _, _, date = _zone_and_meeting()
            assert f"# Node.js Security team Meeting {date}" in note.content
            assert "Fix the parser [nodejs/node#101]" in note.content
            assert note.team == "nodejs"

            console.type("#startmeeting")
            console.type("bob: #here Bob")
            console.type("#info First line from the chat")
            hackmd.wait_for(lambda f: "First line from the chat" in f.only_note().content)
            hackmd.edit(note.id, lambda text: text.replace(
                "## Q&A, Other", "## Q&A, Other\n\nCarol typed this in HackMD"))
            console.type("#info Second line from the chat")
            hackmd.wait_for(lambda f: "Second line from the chat" in f.only_note().content)
            assert "Carol typed this in HackMD" in hackmd.only_note().content

            hackmd.fail_with(500)
            console.type("#action bob to write the advisory")
            console.type("#info Said while HackMD was down")
            hackmd.wait_for(lambda f: sum(c.status == 500 for c in f.calls) >= 3)
            hackmd.recover()
            hackmd.wait_for(lambda f: "Said while HackMD was down" in f.only_note().content)
            content = hackmd.only_note().content
            assert "bob to write the advisory" in content
            assert "Carol typed this in HackMD" in content

            console.type("#endmeeting")
            output = console.quit()
            [pull] = github.pulls("nodejs/security-wg")
            minutes = github.file("nodejs/security-wg", f"meetings/{date}.md",
                                  pull["head"]["ref"])
            assert minutes is not None
            for line in ("First line from the chat", "Second line from the chat",
                         "Said while HackMD was down", "Carol typed this in HackMD",
                         "* Bob"):
                assert line in minutes
            [comment] = github.comments("nodejs/security-wg", pull["number"])
            assert "Made from the HackMD note as people left it" in comment["body"]
            assert f"gavel> Minutes pull request opened: {pull['html_url']}" in output
            assert HACKMD_TOKEN not in output + "".join(console.errors)
        finally:
            github.stop()


def test_two_processes_on_postgresql_create_one_note_per_meeting(tmp_path: Path) -> None:
    schema = postgres_schema_url()
    database_url = next(schema)
    try:
        with FakeHackMD(HACKMD_TOKEN, teams=("nodejs",)) as hackmd:
            github = _github()
            try:
                config = _config(tmp_path, database_url, hackmd, github)
                once = [sys.executable, "-m", "gavel.service.jobs.hackmd_notes", "--once"]
                release = hackmd.hold_creations()
                first = subprocess.Popen(once, cwd=ROOT, env=_env(config),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
                hackmd.wait_for(lambda f: f.held == 1)  # its creation is in flight
                second = subprocess.run(once, cwd=ROOT, env=_env(config), capture_output=True,
                                        text=True, timeout=120)
                release.set()
                out, err = first.communicate(timeout=120)
                assert first.returncode == 0 and second.returncode == 0, err + second.stderr
                _, _, date = _zone_and_meeting()
                assert f"Security WG {date}: claimed elsewhere" in second.stdout
                assert f"Security WG {date}: created" in out
                assert len(hackmd.notes) == 1 and hackmd.held == 1
                again = subprocess.run(once, cwd=ROOT, env=_env(config), capture_output=True,
                                       text=True, timeout=120)
                assert again.returncode == 0 and len(hackmd.notes) == 1
            finally:
                github.stop()
    finally:
        schema.close()
