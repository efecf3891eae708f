"""The console bot as a real process: unattended transcripts, and `kill -9` mid-meeting
losing nothing that was confirmed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

TRANSCRIPT = Path(__file__).parent / "transcripts" / "security-wg-2023-01-19.txt"


class ConsoleProcess:
    """`gavel run` on a pipe, read line by line with a deadline."""

    def __init__(self, cwd: Path, database_url: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gavel", "--database", database_url, "run",
             "--user", "rafael"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=cwd, env=env, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, fragment: str, timeout: float = 30) -> list[str]:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {fragment!r} in {seen}") from None
            seen.append(line)
            if fragment in line:
                return seen

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()


def test_a_transcript_on_stdin_runs_a_whole_meeting_and_writes_minutes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gavel", "run"], stdin=TRANSCRIPT.open(),
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"})
    assert result.returncode == 0, result.stderr
    assert "Meeting ended: Node.js  Security WorkGroup Meeting" in result.stdout
    [saved] = list((tmp_path / "data" / "minutes").rglob("*.md"))
    minutes = saved.read_text()
    assert "### nodejs/nodejs-dependency-vuln-assessments" in minutes
    assert "    * Native modules support" in minutes


def test_kill_9_mid_meeting_loses_no_confirmed_note(tmp_path: Path, database_url: str) -> None:
    first = ConsoleProcess(tmp_path, database_url)
    first.expect("Console ready")
    first.send("#startmeeting Crash test")
    first.expect("Meeting started: Crash test")
    for n in range(1, 21):
        first.send(f"ulises: #info note number {n}")
        first.expect("✓ saved")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=30)

    second = ConsoleProcess(tmp_path, database_url)
    second.expect("Resuming meeting")
    second.send("#info after the restart")
    second.expect("✓ saved")
    second.send("#endmeeting")
    output = "\n".join(second.expect("--- end ---"))
    second.send("/quit")
    assert second.process.wait(timeout=30) == 0
    for n in range(1, 21):
        assert f"gavel> - note number {n}\n" in output + "\n"
    assert "gavel> - after the restart" in output
