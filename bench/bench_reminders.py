"""Reminders at scale: 10,000 groups with two reminders each.

Prints (1) time and memory to plan and store the meetings and reminder rows, (2) time and
memory to set the APScheduler timers, (3) how late timers fire when all 20,000 reminders
fall due within about a minute and a half, each claimed in the database and "posted" to a
sink that discards it. Usage:

    .venv/bin/python bench/bench_reminders.py [--groups 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import ChannelBinding, Group, Schedule, Settings
from bot.effects import Effect
from bot.reminders.loop import ReminderPolicy, ReminderService
from bot.schedules.clock import ScaledClock
from bot.schedules.materialise import materialise
from bot.store import Database

ZONES = ["America/New_York", "Europe/Amsterdam", "Asia/Tokyo", "UTC", "America/Los_Angeles",
         "Asia/Kolkata", "Australia/Sydney"]
RULES = ["FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=1TH",
         "FREQ=WEEKLY;BYDAY=MO,WE"]


class NullSink:
    platform = "slack"

    async def deliver(self, effects: list[Effect]) -> None:
        return None


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def calendar_groups(count: int) -> list[Group]:
    """Realistic schedules: fortnightly, weekly, monthly, twice weekly, in seven zones."""
    return [Group(name=f"Group {n:05}", reminders=["24h", "1h"],
                  channels=[ChannelBinding(platform="slack", channel=f"C{n:05}")],
                  schedule=Schedule(rrule=RULES[n % len(RULES)], start="2026-01-05T14:00",
                                    timezone=ZONES[n % len(ZONES)], horizon_days=14))
            for n in range(count)]


def imminent_groups(count: int, first_start: datetime, spread: float) -> list[Group]:
    """Every group meets once within ``spread`` seconds after ``first_start``; reminders
    1 minute before and at the start, so 2 x ``count`` timers fire within ~spread + 60 s."""
    groups = []
    for n in range(count):
        start = first_start + timedelta(seconds=spread * n / count)
        groups.append(Group(
            name=f"Group {n:05}", reminders=["1m", "0m"],
            channels=[ChannelBinding(platform="slack", channel=f"C{n:05}")],
            schedule=Schedule(rrule="FREQ=DAILY", start=start.strftime("%Y-%m-%dT%H:%M:%S"),
                              timezone="UTC", horizon_days=1)))
    return groups


def open_database(url: str | None, tmp: str, name: str) -> Database:
    return Database.open(url or f"sqlite:///{Path(tmp) / name}")


async def plan_and_schedule(count: int, url: str | None, tmp: str) -> None:
    """Times are measured untraced; memory in a second, traced run (tracemalloc makes
    this allocation-heavy code several times slower)."""
    settings = Settings(groups=calendar_groups(count))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    database = open_database(url, tmp, "plan.db")
    began = time.perf_counter()
    report = materialise(database, settings, now)
    took = time.perf_counter() - began
    assert not report.errors, report.errors[:3]
    peak = None
    if url is None:  # the traced run plans into a second, fresh SQLite file
        traced = open_database(None, tmp, "plan-traced.db")
        peak = traced_peak(lambda: materialise(traced, settings, now))
        traced.close()
    print(f"materialise {count} groups (14 days, 2 reminders each): {took:.2f} s"
          + (f", peak traced memory {peak / 2**20:.0f} MiB (separate run)" if peak else ""))
    began = time.perf_counter()
    again = materialise(database, settings, now)
    print(f"re-materialise (nothing new): {time.perf_counter() - began:.2f} s")
    assert not again.errors

    async def set_timers(trace: bool) -> None:
        service = ReminderService(database, settings, {"slack": NullSink()}, ScaledClock(now),
                                  policy=ReminderPolicy(lookahead=timedelta(days=15)))
        service.start()
        if trace:
            tracemalloc.start()
        began = time.perf_counter()
        timers = await service.time_pending(now, now + timedelta(days=15))
        took = time.perf_counter() - began
        if trace:
            current, _ = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  held by them (traced run): {current / 2**20:.0f} MiB "
                  f"({current / max(timers, 1) / 1024:.1f} KiB a timer)")
        else:
            print(f"set {timers} APScheduler timers: {took:.2f} s")
        await service.stop()

    await set_timers(trace=False)
    await set_timers(trace=True)
    database.close()


def traced_peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def lateness(count: int, url: str | None, tmp: str, spread: float, lead: float) -> None:
    first = datetime.now(UTC) + timedelta(seconds=lead + 60)
    settings = Settings(groups=imminent_groups(count, first, spread))
    database = open_database(url, tmp, "fire.db")
    service = ReminderService(database, settings, {"slack": NullSink()},
                              policy=ReminderPolicy(refresh_every=timedelta(minutes=10)))
    began = time.perf_counter()
    task = asyncio.create_task(service.run())
    total = 2 * count
    while sum(service.stats.outcomes.values()) < total:
        await asyncio.sleep(0.5)
        if time.perf_counter() - began > spread + 600:
            print("timed out waiting for the timers", service.stats.outcomes)
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    database.close()
    print(f"{len(service.stats.lateness)} timers due within {spread + 60:.0f} s "
          f"({len(service.stats.lateness) / (spread + 60):.0f}/s on average); "
          f"outcomes {service.stats.outcomes}")
    print(f"  timer lateness (timer set -> it fired): {percentiles(service.stats.lateness)}")
    print(f"  post lateness (due -> post handed to the adapter, after claim and render): "
          f"{percentiles(service.stats.post_lateness)}")


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p = statistics.quantiles(ordered, n=100)
    return (f"p50 {p[49] * 1000:.0f} ms, p99 {p[98] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--database", help="database URL (default: a SQLite file)")
    parser.add_argument("--spread", type=float, default=30.0,
                        help="seconds over which the meetings of the lateness run start")
    parser.add_argument("--lead", type=float, default=15.0,
                        help="seconds from start-up to the first due reminder (the boot's "
                             "planning overlaps the firing when this is short)")
    parser.add_argument("--skip-planning", action="store_true",
                        help="only the lateness run")
    parser.add_argument("--skip-lateness", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_planning:
            asyncio.run(plan_and_schedule(args.groups, args.database, tmp))
        if not args.skip_lateness:
            asyncio.run(lateness(args.groups, args.database, tmp, args.spread, args.lead))
    print(f"max RSS of the process: {rss_mb():.0f} MiB (pid {os.getpid()})")


if __name__ == "__main__":
    main()
