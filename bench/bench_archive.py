"""The web archive's figures: server render time of a group's page for a group with 500
meetings and 200 people, and the size of the attendance SVG for 100 meetings × 60 people.

Aims: the group page under 100 ms of server time; the SVG under 200 KB.

The meetings are held through ``MeetingBot`` (one transaction for all, as a replay
does): each has ~45 of the 200 people present, a few regrets, a topic, notes and two
actions, and its minutes compiled at ``#endmeeting``. The page is then rendered as the
server does it (its queries in a transaction, Jinja2, the SVG), ``--runs`` times.

    .venv/bin/python bench/bench_archive.py [--meetings 500] [--people 200] [--runs 20]
        [--database URL]  (default: a SQLite file in a temporary folder)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.archive.chart import attendance_svg
from bot.archive.pages import group_page, meeting_page
from bot.attendance_history import (
    PRESENT,
    REGRETS,
    AttendanceHistory,
    PersonHistory,
)
from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.events import Author, Event, EventKind, Place
from bot.store import Database
from bot.store.history import MeetingSummary

GROUP = Group(name="Security WG", title="Node.js Security team Meeting",
              members=[f"person{n:03d}" for n in range(20)])


def meeting_events(m: int, people: int) -> Iterator[Event]:
    place = Place("console", "wg")
    clock = datetime(2016, 1, 7, 15, tzinfo=UTC) + timedelta(weeks=m)

    def say(who: str, text: str) -> Event:
        nonlocal clock
        clock += timedelta(seconds=10)
        return Event(EventKind.MESSAGE, place, Author(who, who), clock, text,
                     message_id=f"{m}-{clock.timestamp()}")

    chair = "person000"
    yield say(chair, "#startmeeting")
    for n in range(people):
        who = f"person{n:03d}"
        if (n * 7 + m) % 5 == 0 or n < 10:
            yield say(who, "#here")
        elif (n + m) % 23 == 0:
            yield say(who, "#regrets")
    yield say(chair, f"#topic Release {m}")
    for n in range(12):
        yield say(f"person{(m + n) % people:03d}", f"line {n} about release {m}")
    yield say(chair, f"#info {m} pull requests landed")
    yield say(chair, f"#action person{(m * 3) % people:03d} to tag v{m}.0")
    yield say(chair, "#action update the security page")
    yield say(chair, "#agreed release on Thursday")
    yield say(chair, "#endmeeting")


def seed(database: Database, meetings: int, people: int) -> float:
    bot = MeetingBot(database, Settings(groups=[GROUP]))
    start = time.perf_counter()
    for first in range(0, meetings, 50):  # 50 meetings per transaction
        events = [e for m in range(first, min(first + 50, meetings))
                  for e in meeting_events(m, people)]
        for _ in bot.handle_batch(events):  # a generator: its work is done as it is read
            pass
    return time.perf_counter() - start


def timed(work: object, runs: int) -> tuple[float, float, float, object]:
    """Median wall and CPU ms, worst wall ms, and the last result. CPU time is the figure
    to trust on a busy machine: with SQLite the whole render runs in this process."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()  # type: ignore[operator]
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return (statistics.median(walls) * 1000, statistics.median(cpus) * 1000,
            max(walls) * 1000, result)


def svg_size(meetings: int, people: int) -> int:
    """The chart for ``meetings`` × ``people``, at its largest: everyone present at every
    meeting but one regrets each (every cell drawn), long names."""
    history = AttendanceHistory(
        "Security WG",
        tuple(MeetingSummary(m, f"2024-{m // 28 + 1:02d}-{m % 28 + 1:02d}", "M", None, None,
                             people, 0, 0) for m in range(meetings)),
        tuple(PersonHistory(f"A rather long name, number {n:03d}",
                            tuple(REGRETS if m == n % meetings else PRESENT
                                  for m in range(meetings))) for n in range(people)),
        0, 1, (people - 1,) * meetings, (0,) * meetings)
    return len(attendance_svg(history).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        database = Database.open(url)
        try:
            seconds = seed(database, args.meetings, args.people)
            print(f"seeded {args.meetings} meetings, {args.people} people through MeetingBot "
                  f"in {seconds:.1f} s ({url.split(':')[0]})")

            def group() -> str:
                with database.transaction() as store:
                    return group_page(store, GROUP)

            def meeting() -> str | None:
                with database.transaction() as store:
                    return meeting_page(store, GROUP, args.meetings)

            for name, work in (("group page", group), ("meeting page", meeting)):
                wall, cpu, worst, html = timed(work, args.runs)
                print(f"{name}: median {wall:.1f} ms wall, {cpu:.1f} ms CPU, worst "
                      f"{worst:.1f} ms wall over {args.runs} runs; "
                      f"{len(str(html).encode()) / 1024:.0f} KB of HTML")
        finally:
            database.close()
    print(f"attendance SVG, 100 meetings x 60 people, every cell drawn: "
          f"{svg_size(100, 60) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
