"""`gavel replay` on logs from old clients and odd files: what it says about a line shows
the line's control characters instead of sending them to the terminal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bot.text import visible

# What a terminal acts on (tab and line feed aside): C0, DEL, C1.
ACTING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def gavel_replay(log: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gavel", "replay", str(log), *args],
                          capture_output=True, text=True, cwd=log.parent, timeout=60)


def test_visible_shows_what_a_terminal_would_act_on() -> None:
    assert visible("plain café\ttab") == "plain café\ttab"
    assert visible("\x1b[2J\x1b]0;pwned\x07 hi") == "\\x1b[2J\\x1b]0;pwned\\x07 hi"
    assert visible("\x00\x7f\x9b\n\ud800") == "\\x00\\x7f\\x9b\\x0a\\ud800"
    assert visible("a\\x1b") == "a\\x1b"  # typed as text: as typed


def test_replay_problems_show_control_characters_escaped(tmp_path: Path) -> None:
    log = tmp_path / "2024-03-07.log"
    log.write_text("[14:00] <rafael> #startmeeting\n"
                   "\x1b[2J\x1b]0;pwned\x07 hello\n"
                   "\x9b31m\x7f\x00 tab\there\n"
                   "[14:01] <rafael> #info hello\n", encoding="utf-8")
    for args in ((), ("--format", "json")):
        result = gavel_replay(log, *args)
        assert result.returncode == 0, result.stderr
        assert not ACTING.search(result.stderr), repr(result.stderr)
        assert not ACTING.search(result.stdout), repr(result.stdout)
        assert ("line 2: not a chat line in a known format (skipped): "
                "\\x1b[2J\\x1b]0;pwned\\x07 hello\n") in result.stderr
        assert ("line 3: not a chat line in a known format (skipped): "
                "\\x9b31m\\x7f\\x00 tab\there\n") in result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert any("\\x1b[2J" in p["problem"] for p in problems), problems


def test_a_binary_file_is_reported_without_raw_bytes(tmp_path: Path) -> None:
    log = tmp_path / "2024-03-07.log"
    log.write_bytes(bytes(range(256)) * 4)
    result = gavel_replay(log)
    assert result.returncode == 1
    assert "no chat line in a known format" in result.stderr
    assert not ACTING.search(result.stderr), repr(result.stderr)
