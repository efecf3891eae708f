"""Real bot processes (``gavel reminder-loop --step-clock``) on one database, each with a
fake clock that only the test moves: killed across a due time and restarted, two
processes racing a week, and a dry run that must leave the store as it found it."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


HANG_GUARD = 120.0  # real seconds; only ever reached if a process hangs


class LoopProcess:
    """``gavel reminder-loop --step-clock``: a real process whose fake clock stands still
    until the test moves it. It says ``ready`` once it has planned (and handled what was
    already due), and ``at T`` once everything due by ``T`` is handled, so the test waits
    on what the process did, never on how many real seconds it was given."""

    def __init__(self, config: Path, database_url: str | None, sink: Path, start: datetime,
                 worker: str, extra: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", "gavel", "--config", str(config)]
        if database_url is not None:
            command += ["--database", database_url]
        command += ["reminder-loop", "--sink-file", str(sink), "--worker", worker,
                    "--step-clock", "--fake-time", start.isoformat(), *extra]
        self.stderr_path = sink.parent / f"{worker}.stderr"
        with self.stderr_path.open("w") as stderr:  # a file: a full pipe would block it
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=stderr, text=True, bufsize=1,
                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.expect(f"ready {start.isoformat()}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("<end of output>")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")

    def expect(self, line: str) -> None:
        try:
            got = self._lines.get(timeout=HANG_GUARD)
        except queue.Empty:
            got = "<nothing: the process hangs>"
        assert got == line, f"expected {line!r}, got {got!r}; stderr:\n{self.stderr}"

    def send(self, instant: datetime) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(instant.isoformat() + "\n")
        self.process.stdin.flush()

    def step(self, instant: datetime) -> None:
        """Move the clock to ``instant`` and wait until all that is due by then is done."""
        self.send(instant)
        self.expect(f"at {instant.isoformat()}")

    def finish(self) -> str:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=HANG_GUARD)
        assert self.process.returncode == 0, self.stderr
        return self.stderr

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=HANG_GUARD)
        if self.process.stdin is not None:
            self.process.stdin.close()


def posts(sink: Path) -> list[dict[str, str]]:
    if not sink.exists():
        return []
    return [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]


def _lead(text: str) -> str:
    """"Coming up in 1 hour" or "Starting now", past a late reminder's first line."""
    line = next(line for line in text.splitlines() if not line.startswith("(Late"))
    return line.split(": ")[0]


def test_killed_across_a_due_time_then_restarted_posts_once_late(database_url: str,
                                                                 tmp_path: Path) -> None:
    config = write_config(tmp_path / "gavel.toml", [group_toml(
        "Security WG", "2026-01-08T15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", '["1h"]', 60,
        "security-wg")])
    sink = tmp_path / "posts.jsonl"
    # The bot runs at 13:30 (the reminder is due at 14:00), plans, and dies before 14:00.
    first = LoopProcess(config, database_url, sink, datetime(2026, 1, 8, 13, 30, tzinfo=UTC),
                        "first")
    first.kill()
    assert posts(sink) == []
    # Back at 14:20, inside the hour of grace; then restarted once more.
    back = datetime(2026, 1, 8, 14, 20, tzinfo=UTC)
    for worker in ("second", "third"):
        process = LoopProcess(config, database_url, sink, back, worker)
        process.step(back + timedelta(minutes=2))
        process.finish()
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
    first = LoopProcess(config, database_url, sink, before, "first")
    first.step(before + timedelta(minutes=1))
    first.finish()
    back = datetime(2026, 1, 8, 14, 30, tzinfo=UTC)  # 30 minutes late; grace is 15
    err = LoopProcess(config, database_url, sink, back, "second").finish()
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
    sinks = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    options = ("--refresh-seconds", "21600")
    first, second = (LoopProcess(config, database_url, sink, start, f"bot-{n}", extra=options)
                     for n, sink in enumerate(sinks))
    # Hour by hour through the week. Every third hour both clocks move at once and the
    # processes race for that hour's reminders; otherwise one, then the other, goes first.
    hours = int((until - start) / timedelta(hours=1))
    for hour in range(1, hours + 1):
        instant = start + timedelta(hours=hour)
        if hour % 3 == 0:
            for process in (first, second):
                process.send(instant)
            for process in (first, second):
                process.expect(f"at {instant.isoformat()}")
        else:
            leader, follower = (first, second) if hour % 3 == 1 else (second, first)
            leader.step(instant)
            follower.step(instant)
    for process in (first, second):
        process.finish()
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
    assert not [p for sink in sinks for p in posts(sink) if p["text"].startswith("(Late")]


def store_snapshot(database_url: str) -> list[tuple[object, ...]]:
    """Every planned meeting and reminder row, as the live bot will read them."""
    from sqlalchemy import create_engine, text

    from bot.store.database import normalise_url

    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for table in ("scheduled_meetings", "reminders")
                    for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    finally:
        engine.dispose()


async def test_a_dry_run_leaves_the_store_as_it_was_and_the_live_bot_still_posts(
        database_url: str, tmp_path: Path) -> None:
    from bot.config_file import load_settings
    from bot.reminders.loop import ReminderService
    from bot.schedules.clock import SteppedClock
    from bot.store import Database
    from bot.store import reminder_rows as rows
    from tests.test_reminders import ListSink

    config = write_config(tmp_path / "gavel.toml", [group_toml(
        "Security WG", "2026-01-08T15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", '["1h"]', 60,
        "security-wg")])
    settings = load_settings(config)
    # The live bot has planned the meeting: its 14:00 reminder is in the store, pending.
    planned_at = datetime(2026, 1, 8, 13, 0, tzinfo=UTC)
    live = ReminderService(Database.open(database_url), settings, {"console": ListSink()},
                           SteppedClock(planned_at), worker="live")
    live.start()
    await live.refresh()
    await live.stop()
    live.database.close()
    before = store_snapshot(database_url)
    assert any(row for row in before if "security-wg" in row)
    # A dry run over the due time, on the configured store (no --database named)...
    sink = tmp_path / "dry-run.jsonl"
    dry = LoopProcess(config, None, sink, planned_at, "dry-run",
                      env={"GAVEL_DATABASE_URL": database_url})
    dry.step(datetime(2026, 1, 8, 14, 0, tzinfo=UTC))
    err = dry.finish()
    assert [p["text"].splitlines()[0] for p in posts(sink)] == [
        "Coming up in 1 hour: Security WG Meeting"]  # it shows what would be posted...
    assert store_snapshot(database_url) == before  # ...and leaves the store as it was.
    # The live bot, there at the due time, still posts the reminder.
    database = Database.open(database_url)
    try:
        clock = SteppedClock(datetime(2026, 1, 8, 13, 59, tzinfo=UTC))
        listening = ListSink()
        bot = ReminderService(database, settings, {"console": listening}, clock, worker="live")
        bot.start()
        await bot.refresh()
        clock.set(datetime(2026, 1, 8, 14, 0, tzinfo=UTC))
        await bot.settle(clock.now())
        await bot.stop()
        assert [p.text.splitlines()[0] for p in listening.posts] == [
            "Coming up in 1 hour: Security WG Meeting"]
        with database.transaction() as store:
            (row,) = rows.reminders_of(store)
        assert row.sent_at is not None and not row.late
    finally:
        database.close()
    assert "dry run on a" in err and "scratch" in err  # and it said so
