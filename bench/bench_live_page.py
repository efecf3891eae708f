"""The live meeting page's costs: the change-marker read the web server makes once per
followed meeting every ``[web] live_poll_seconds`` (``bot.store.live_marker``), and the
re-render of the page's record that each change costs, for a running meeting of 1,000
lines, on SQLite and on PostgreSQL.

Aims: a poll well under 5 ms (at the default 2 s, a hundred followed meetings then cost a
server under a quarter of one core); a re-render under 100 ms (one per change per
meeting, shared by all its readers).

The database also holds ``--past`` ended meetings of the same group (their rows are what
the marker's indexes must skip). Everything is held through ``MeetingBot``, as a replay
does; the 1,000 lines of the running meeting are ~40 people's ``#here``, topics, notes,
actions, a vote and chat. Each measured read runs in its own transaction, as the server's.

    .venv/bin/python bench/bench_live_page.py [--lines 1000] [--past 100] [--polls 500]
        [--renders 20] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scratch_schema import postgres_schema

from bot.archive.pages import meeting_record, meeting_view
from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.events import Author, Event, EventKind, Place
from bot.store import Database
from bot.store.live_marker import live_state

GROUP = Group(name="Security WG", title="Node.js Security team Meeting")
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def meeting(m: int, lines: int, end: bool) -> Iterator[Event]:
    place = Place("console", "wg")
    clock = datetime(2024, 1, 4, 15, tzinfo=UTC) + timedelta(weeks=m)

    def say(who: str, said: str) -> Event:
        nonlocal clock
        clock += timedelta(seconds=5)
        return Event(EventKind.MESSAGE, place, Author(who, who), clock, said,
                     message_id=f"{m}-{clock.timestamp()}")

    yield say("chair", "#startmeeting")
    made = 1
    for n in range(40):
        yield say(f"person{n:02d}", "#here")
    made += 40
    yield say("chair", "#startvote Ship on Thursday? yes, no")
    made += 1
    while made < lines - 1:
        n = made
        who = f"person{n % 40:02d}"
        if n % 100 == 0:
            said = f"#topic Item {n // 100}"
        elif n % 17 == 0:
            said = f"#action {who} to follow up on point {n}"
        elif n % 7 == 0:
            said = f"#info point {n}: the nightly builds are green on every platform"
        elif n % 53 == 0:
            said = "#vote yes"
        else:
            said = f"line {n}: a remark about the release, with <angle brackets> & such"
        yield say(who, said)
        made += 1
    if end:
        yield say("chair", "#endmeeting")


def seed(database: Database, lines: int, past: int) -> int:
    bot = MeetingBot(database, Settings(groups=[GROUP]))
    for m in range(past):  # handle_batch is a generator: its work is done as it is read
        for _ in bot.handle_batch(meeting(m, 50, end=True)):
            pass
    for _ in bot.handle_batch(meeting(past, lines, end=False)):
        pass
    with database.transaction() as store:
        return store.all_running_meetings()[0].id


def timed(work: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, name: str, args: argparse.Namespace) -> None:
    database = Database.open(url)
    try:
        started = time.perf_counter()
        meeting_id = seed(database, args.lines, args.past)
        seeded = time.perf_counter() - started

        def poll() -> object:
            with database.transaction() as store:
                return live_state(store, GROUP.name, meeting_id)

        def record() -> str | None:
            with database.transaction() as store:
                return meeting_record(store, GROUP, meeting_id)

        def page() -> object:
            with database.transaction() as store:
                return meeting_view(store, GROUP, meeting_id)

        poll()
        wall, cpu = timed(poll, args.polls)
        html = record() or ""
        render_wall, render_cpu = timed(record, args.renders)
        page_wall, _ = timed(page, max(3, args.renders // 4))
        print(f"{name}: {args.lines}-line running meeting, {args.past} past meetings "
              f"(seeded in {seeded:.1f} s)")
        print(f"  poll (marker read): p50 {statistics.median(wall):.2f} ms wall, "
              f"p99 {p(wall, 0.99):.2f} ms; CPU p50 {statistics.median(cpu):.2f} ms "
              f"({args.polls} polls)")
        print(f"  re-render of the record: p50 {statistics.median(render_wall):.1f} ms wall, "
              f"max {max(render_wall):.1f} ms; CPU p50 {statistics.median(render_cpu):.1f} ms; "
              f"{len(html.encode()) / 1024:.0f} KiB ({args.renders} renders)")
        print(f"  whole page: p50 {statistics.median(page_wall):.1f} ms wall")
    finally:
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--past", type=int, default=100)
    parser.add_argument("--polls", type=int, default=500)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--postgres", default=POSTGRES,
                        help="PostgreSQL URL; a throw-away schema is made in it")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{Path(tmp) / 'gavel.db'}", "SQLite", args)
    if not args.no_postgres:
        with postgres_schema(args.postgres) as url:
            measure(url, "PostgreSQL", args)


if __name__ == "__main__":
    main()
