"""The console (a real process) and the replay read ``nick: text`` the same way, for a nick
in any script; a console line that does nothing is answered, never silently dropped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from adapters.replay import replay
from bot.config import Settings
from tests.conftest import SECURITY_WG
from tests.test_console_process import ConsoleProcess

UNICODE_MEETING = ["rafael: #startmeeting Unicode", "محمد: #here", "李雷: #agreed 同意",
                   "प्रिया: #info नमस्ते", "می‌خواهم: #here", "José: #action 李雷 to translate"]


def test_the_console_takes_any_unicode_nick(tmp_path: Path, database_url: str) -> None:
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send(UNICODE_MEETING[0])
    console.expect("Meeting started: Unicode")
    for line in UNICODE_MEETING[1:]:
        console.send(line)
        console.expect("✓ saved")
    console.send("#endmeeting")
    minutes = "\n".join(console.expect("--- end ---"))
    assert "gavel> * محمد\n" in minutes
    assert "gavel> * می‌خواهم\n" in minutes
    assert "gavel> - Agreed: 同意\n" in minutes
    assert "gavel> - नमस्ते\n" in minutes
    assert "gavel> * 李雷\ngavel>   * 李雷 to translate" in minutes  # owner: a nick that spoke
    console.send("/quit")
    assert console.process.wait(timeout=30) == 0


def test_a_console_line_that_does_nothing_is_answered(tmp_path: Path,
                                                      database_url: str) -> None:
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send("#endmeeting")
    console.expect("(to rafael) No meeting is running in this channel, so #endmeeting did "
                   "nothing. Start one with #startmeeting [title].")
    console.send("محمد: #info too early")
    console.expect("(to محمد) No meeting is running in this channel, so #info did nothing.")
    console.send("hello, is anyone here?")
    console.expect("Not recorded (rafael): no meeting is running here. Type #startmeeting "
                   "to begin, #help for commands.")
    console.send("/frobnicate now")
    console.expect("Unknown console command /frobnicate: the console knows /as NICK, "
                   "/meeting <command>, /quit.")
    console.send("/quit")
    assert console.process.wait(timeout=30) == 0


def test_the_console_speaks_only_as_a_nick(tmp_path: Path, database_url: str) -> None:
    """``/as`` takes one nick, as ``nick: text`` does: a name with a space could never be
    addressed in a line, and ``/as`` alone is not an unknown command."""
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send("/as")
    console.expect("/as needs a nick: a nick is one word, as in 'alice: #here'; type /as NICK "
                   "(e.g. /as alice). Still speaking as rafael.")
    console.send("/as bad nick")
    console.expect("'bad nick' is not a nick: a nick is one word, as in 'alice: #here'; type "
                   "/as NICK (e.g. /as alice). Still speaking as rafael.")
    console.send("/as 李雷")
    console.expect("Now speaking as 李雷.")
    console.send("#startmeeting Nicks")
    console.expect("Chair: 李雷.")
    console.send("/quit now")
    assert console.process.wait(timeout=30) == 0


def test_a_replayed_log_reads_unicode_nicks_like_the_console() -> None:
    result = replay(UNICODE_MEETING, Settings(groups=[SECURITY_WG]), SECURITY_WG,
                    date(2024, 3, 7))
    assert result.problems == []
    assert "* محمد\n" in result.minutes
    assert "- Agreed: 同意\n" in result.minutes
    assert "* 李雷\n  * 李雷 to translate" in result.minutes
