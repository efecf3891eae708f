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


LATIN_1 = (b"[14:00:00] <jos\xe9> #startmeeting caf\xe9\n"
           b"[14:00:01] <jos\xe9> #info na\xefve \x80 \x81\n"
           b"[14:00:03] <jos\xe9> #endmeeting\n")


def test_a_latin_1_log_is_read_as_windows_1252_and_said_so(tmp_path: Path) -> None:
    log = tmp_path / "2024-01-04.log"
    log.write_bytes(LATIN_1)
    result = gavel_replay(log, "--template", "meetbot")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# café 2024-01-04\n\nMeeting started by josé ")
    # 0x80 is the euro sign in Windows-1252; 0x81, which it leaves undefined, is U+0081
    # (then shown as nothing: the minutes drop control characters).
    assert "naïve € (josé, 14:00)" in result.stdout
    assert "\ufffd" not in result.stdout
    assert result.stderr == (f"{log}: lines 1, 2 and 1 more are not UTF-8: "
                             "read as Windows-1252\n")


def test_a_log_of_utf_8_and_latin_1_lines_reads_each_line_as_it_was_written(
        tmp_path: Path) -> None:
    log = tmp_path / "2024-01-04.log"
    log.write_bytes("[14:00:00] <josé> #startmeeting café\n".encode()
                    + b"[14:00:01] <jos\xe9> #info na\xefve\n"
                    + "[14:00:02] <josé> #info déjà vu\n".encode()
                    + b"[14:00:03] <jos\xe9> #endmeeting\n")
    result = gavel_replay(log, "--template", "meetbot")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# café 2024-01-04\n")
    assert "naïve (josé, 14:00)" in result.stdout
    assert "déjà vu (josé, 14:00)" in result.stdout
    assert "* josé (4)" in result.stdout  # one person, however the line spelt the nick
    assert result.stderr == f"{log}: lines 2 and 4 are not UTF-8: read as Windows-1252\n"


def test_a_utf_16_log_with_its_byte_order_mark_is_read_as_utf_16(tmp_path: Path) -> None:
    text = ("[14:00:00] <josé> #startmeeting café\r\n[14:00:01] <josé> #info naïve 😀\r\n"
            "[14:00:03] <josé> #endmeeting\r\n")
    expected = None
    for encoding, mark in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                           ("utf-8", b"\xef\xbb\xbf")):
        log = tmp_path / f"2024-01-04-{encoding}.log"
        log.write_bytes(mark + text.encode(encoding))
        result = gavel_replay(log, "--template", "meetbot")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.stdout.startswith("# café 2024-01-04\n"), (encoding, result.stdout)
        assert "naïve 😀 (josé, 14:00)" in result.stdout
        expected = expected or result.stdout
        assert result.stdout == expected


def test_a_utf_8_log_reads_as_a_text_file_reads_it(tmp_path: Path) -> None:
    from adapters.log_file import open_log

    path = tmp_path / "x.log"
    text = "\ufeffa\r\nb\rc\nd\x0be\x85f\u2028g😀\nlast"
    path.write_bytes(text.encode())
    with open_log(path) as log, open(path, encoding="utf-8-sig") as text_file:
        assert list(log) == list(text_file)
        assert log.not_utf8_note() == ""
