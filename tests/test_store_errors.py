"""A database that cannot be written gets a clear message, a non-zero exit, and nothing
half-written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

TRANSCRIPT = "#startmeeting Test\n#info one\n#endmeeting\n"


def run_console(tmp_path: Path, database: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gavel", "--database", f"sqlite:///{database}", "run",
         "--user", "alice"],
        input=stdin, capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"},
    )


def test_a_database_on_a_read_only_mount_is_refused_clearly(tmp_path: Path) -> None:
    # Root ignores file modes, so make SQLite itself open the file read-only via its URI.
    database = tmp_path / "gavel.db"
    assert run_console(tmp_path, database, "").returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "gavel", "--database",
         f"sqlite:///file:{database}?mode=ro&uri=true", "run", "--user", "alice"],
        input=TRANSCRIPT, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stdout
    assert "gavel: database" in result.stderr and "read-only" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from meetings").fetchone() == (0,)


def test_a_locked_database_is_refused_clearly_and_nothing_is_half_written(tmp_path: Path
                                                                           ) -> None:
    database = tmp_path / "gavel.db"
    assert run_console(tmp_path, database, "").returncode == 0
    holder = sqlite3.connect(database, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_console(tmp_path, database, TRANSCRIPT)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    assert "locked by another process" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from meetings").fetchone() == (0,)
        assert connection.execute("select count(*) from notes").fetchone() == (0,)


def test_a_database_url_gavel_cannot_use_is_named_without_its_password(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gavel", "--database", "mysql://gavel:s3cret@db/gavel",
         "meetings"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert "database URL 'mysql://gavel:***@db/gavel': not one Gavel can use" in result.stderr
    assert "s3cret" not in result.stderr


def test_a_data_dir_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    config = tmp_path / "gavel.toml"
    config.write_text(f'data_dir = "{tmp_path / "blocker" / "data"}"\n')
    result = subprocess.run([sys.executable, "-m", "gavel", "--config", str(config),
                             "meetings"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=60)
    assert result.returncode == 1
    assert "cannot create its folder" in result.stderr and "check data_dir" in result.stderr
