"""CLI mistakes get one line saying what is wrong and what to do, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG = """[[groups]]
name = "Security WG"
[groups.schedule]
rrule = "FREQ=WEEKLY;BYDAY=TH"
start = "2026-01-08T14:00"
timezone = "UTC"
"""


def gavel(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "gavel.toml"
    config.write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if k not in ("GAVEL_CONFIG", "GAVEL_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "gavel", "--config", str(config),
                           *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=60)


def test_ics_output_into_a_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.ics"
    result = gavel(tmp_path, "ics", "Security WG", "-o", str(target))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"gavel ics: cannot write {target}: No such file or directory (give -o a file in a "
        "folder that exists, or -o - for stdout)")
    written = gavel(tmp_path, "ics", "Security WG", "-o", str(tmp_path / "x.ics"))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "x.ics").read_text().startswith("BEGIN:VCALENDAR")


def test_a_log_named_for_a_day_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    log = tmp_path / "2023-02-30.log"
    log.write_text("[15:00] <rafael> #startmeeting\n[15:01] <rafael> #endmeeting\n")
    result = gavel(tmp_path, "replay", str(log))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "the date in its name is not a day" in result.stderr
    assert "--date YYYY-MM-DD" in result.stderr
