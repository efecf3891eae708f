"""The live path: notes per second through the core, each committed durably before it is
confirmed; p50/p99 latency per command, on SQLite (a file, WAL) and PostgreSQL.

Aim: p99 under 5 ms on SQLite.

    .venv/bin/python bench/bench_live.py [--notes 2000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.events import Author, Event, EventKind, Place
from bot.store import Database

GROUP = Group(name="Bench", title="Bench Meeting")


def run(url: str, notes: int) -> tuple[float, float, float]:
    database = Database.open(url)
    bot = MeetingBot(database, Settings(groups=[GROUP]))
    place = Place("bench", "channel")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    bot.handle(Event(EventKind.MESSAGE, place, Author("chair", "chair"), at, "#startmeeting"))
    bot.handle(Event(EventKind.MESSAGE, place, Author("chair", "chair"), at, "#topic Bench"))
    latencies = []
    started = time.perf_counter()
    for n in range(notes):
        event = Event(EventKind.MESSAGE, place, Author(f"u{n % 10}", f"user{n % 10}"),
                      at + timedelta(seconds=n), f"#info note {n} with some words in it",
                      message_id=f"m{n}")
        t0 = time.perf_counter()
        effects = bot.handle(event)
        latencies.append((time.perf_counter() - t0) * 1000)
        assert effects, "every note is confirmed"
    elapsed = time.perf_counter() - started
    database.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return notes / elapsed, statistics.median(latencies), p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate, p50, p99 = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.notes)
    print(f"SQLite (file, WAL):  {rate:,.0f} notes/s   p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        rate, p50, p99 = run(f"{args.postgres}?options=-csearch_path%3D{schema}", args.notes)
        print(f"PostgreSQL (local):  {rate:,.0f} notes/s   p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
