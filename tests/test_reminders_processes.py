"""Real bot processes (``gavel reminder-loop``) on one database, with a fake clock the
test sets: killed across a due time and restarted, and two processes racing a week."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.store.database import normalise_url

ROOT = Path(__file__).resolve().parents[1]


def write_config(path: Path, groups: list[str]) -> Path:
    path.write_text("\n".join(groups), encoding="utf-8")
    return path


def group_toml(name: str, start: str, rrule: str, reminders: str, grace: int,
               channel: str, duration: int = 60) -> str:
    return f"""
[[groups]]
name = "{name}"
reminders = {reminders}
[groups.schedule]
rrule = "{rrule}"
start = "{start}"
timezone = "UTC"
duration_minutes = {duration}
horizon_days = 9
grace_minutes = {grace}
[[groups.channels]]
platform = "console"
channel = "{channel}"
"""


def loop_process(config: Path, database_url: str, sink: Path, fake_time: datetime,
                 speed: float, anchor: float, worker: str, until: datetime | None = None,
                 extra: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "adapters.cli", "--config", str(config), "--database",
               database_url, "reminder-loop", "--sink-file", str(sink), "--worker", worker,
               "--fake-time", fake_time.isoformat(), "--speed", str(speed),
               "--anchor", str(anchor), *extra]
    if until is not None:
        command += ["--until", until.isoformat()]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def posts(sink: Path) -> list[dict[str, str]]:
    if not sink.exists():
        return []
    return [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]


def finish(process: subprocess.Popen[str], timeout: float = 60) -> str:
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return err


def _lead(text: str) -> str:
    """"Coming up in 1 hour" or "Starting now", past a late reminder's first line."""
    line = next(line for line in text.splitlines() if not line.startswith("(Late"))
    return line.split(": ")[0]


def count_reminder_rows(database_url: str) -> int:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM reminders")).scalar_one()
    except Exception:
        return 0
    finally:
        engine.dispose()


def test_killed_across_a_due_time_then_restarted_posts_once_late(database_url: str,
                                                                 tmp_path: Path) -> None:
    config = write_config(tmp_path / "gavel.toml", [group_toml(
        "Security WG", "2026-01-08T15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", '["1h"]', 60,
        "security-wg")])
    sink = tmp_path / "posts.jsonl"
    # The bot runs at 13:30 (the reminder is due at 14:00) at one fake minute a second...
    first = loop_process(config, database_url, sink, datetime(2026, 1, 8, 13, 30, tzinfo=UTC),
                         60, time.time(), "first")
    deadline = time.time() + 20
    while count_reminder_rows(database_url) == 0 and time.time() < deadline:
        time.sleep(0.1)
    assert count_reminder_rows(database_url) > 0
    first.send_signal(signal.SIGKILL)  # ...and dies long before 14:00.
    first.communicate()
    assert posts(sink) == []
    # Back at 14:20, inside the hour of grace; then restarted once more.
    for worker in ("second", "third"):
        back = datetime(2026, 1, 8, 14, 20, tzinfo=UTC)
        finish(loop_process(config, database_url, sink, back, 120, time.time(), worker,
                            until=back + timedelta(minutes=2)))
    (post,) = posts(sink)
    assert post["text"].startswith("(Late reminder: the bot was away when it was due.)\n"
                                   "Coming up in 1 hour: Security WG Meeting")
    assert post["when"] == "2026-01-08T15:00:00+00:00"
    assert post["channel"] == "security-wg"


def test_back_after_the_grace_the_reminder_is_logged_not_posted(database_url: str,
                                                                tmp_path: Path) -> None:
    config = write_config(tmp_path / "gavel.toml", [group_toml(
        "Security WG", "2026-01-08T15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", '["1h"]', 15,
        "security-wg")])
    sink = tmp_path / "posts.jsonl"
    before = datetime(2026, 1, 8, 13, 0, tzinfo=UTC)
    finish(loop_process(config, database_url, sink, before, 120, time.time(), "first",
                        until=before + timedelta(minutes=1)))
    back = datetime(2026, 1, 8, 14, 30, tzinfo=UTC)  # 30 minutes late; grace is 15
    err = finish(loop_process(config, database_url, sink, back, 120, time.time(), "second",
                              until=back + timedelta(minutes=2)))
    assert posts(sink) == []
    assert "group 'Security WG': reminder for the meeting of 2026-01-08 15:00 not posted" in err
    assert "past the 15 min grace period" in err


def test_two_processes_over_a_simulated_week_post_every_reminder_once(
        database_url: str, tmp_path: Path) -> None:
    groups = [group_toml(f"Group {n:02}", f"2026-01-05T{n:02}:00", "FREQ=DAILY",
                         '["1h", "0m"]', 24 * 60, f"channel-{n:02}", duration=600)
              for n in range(20)]
    config = write_config(tmp_path / "gavel.toml", groups)
    start = datetime(2026, 1, 4, 21, 0, tzinfo=UTC)
    until = start + timedelta(days=7)
    speed = 7 * 24 * 3600 / 10  # the week in 10 seconds
    anchor = time.time() + 3  # both processes are up before the fake week begins
    sinks = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    options = ("--refresh-seconds", "21600", "--lease-seconds", str(4 * 3600))
    processes = [loop_process(config, database_url, sink, start, speed, anchor, f"bot-{n}",
                              until=until, extra=options) for n, sink in enumerate(sinks)]
    for process in processes:
        finish(process, timeout=90)
    seen = [(p["channel"], p["when"], _lead(p["text"])) for sink in sinks for p in posts(sink)]
    expected = []
    for n in range(20):
        for day in range(5, 12):
            meeting = datetime(2026, 1, day, n, 0, tzinfo=UTC)
            for offset, lead in ((timedelta(hours=1), "Coming up in 1 hour"),
                                 (timedelta(0), "Starting now")):
                if start <= meeting - offset < until:
                    expected.append((f"channel-{n:02}", meeting.isoformat(), lead))
    assert len(expected) == 280
    assert sorted(seen) == sorted(expected)  # each exactly once, none missing
    assert all(posts(sink) for sink in sinks), "both processes took part"
