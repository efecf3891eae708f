"""Slack adapter figures, over loopback HTTP against FakeSlack (prints, never asserts).

1. Ack latency of ``/meeting note <text>``: signed requests to ``/slack/events`` one after
   another; the time until Gavel's HTTP answer (Slack allows 3,000 ms). The note itself is
   saved and confirmed after the answer, concurrently with the next requests.
2. Events per second sustained: message events (``#info`` notes) sent by 20 concurrent
   senders; the rate at which they are handled end to end (saved, and the tick added on
   FakeSlack).

    .venv/bin/python bench/bench_slack.py [--requests 2000] [--events 2000] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings
from tests.conftest import SECURITY_WG
from tests.fakes.slack import FakeSlack
from tests.slack_harness import bound_to_slack, running_slack
from tests.slack_payloads import slash_command_body


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(requests: int, events: int, database: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        fake.add_user("U1", name="rafael", display_name="RafaelGSS")
        url = database or f"sqlite:///{Path(tmp) / 'gavel.db'}"
        settings = Settings(groups=[bound_to_slack(SECURITY_WG)])
        async with running_slack(fake, url, tmp, settings) as bot:
            await bot.command("start")
            await fake.async_wait_for_calls("chat.postMessage")
            response_url = fake.response_url()
            latencies = []
            for n in range(requests):
                body = slash_command_body(text=f"note benchmark note {n}",
                                          response_url=response_url)
                started = time.perf_counter()
                status, _ = await bot.post(body)
                latencies.append((time.perf_counter() - started) * 1000)
                assert status == 200, status
            await fake.async_wait_for_calls("chat.postEphemeral", requests, timeout=120)
            print(f"ack latency of /meeting note over {requests} requests: "
                  f"p50 {statistics.median(latencies):.1f} ms, "
                  f"p99 {percentile(latencies, 0.99):.1f} ms, "
                  f"max {max(latencies):.1f} ms")

            base = int(datetime.now(UTC).timestamp())
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(events):
                queue.put_nowait(n)

            async def sender() -> None:
                while not queue.empty():
                    n = queue.get_nowait()
                    await bot.message(f"#info event {n}", "U1",
                                      f"{base + n // 1_000_000}.{n % 1_000_000:06d}")

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(20)))
            acked = time.perf_counter() - started
            await fake.async_wait_for_calls("reactions.add", events, timeout=300)
            elapsed = time.perf_counter() - started
            print(f"message events: {events} sent in {acked:.2f} s "
                  f"({events / acked:.0f}/s acked), all handled in {elapsed:.2f} s: "
                  f"{events / elapsed:.0f} events/s sustained "
                  f"({'SQLite' if url.startswith('sqlite') else 'PostgreSQL'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--database", help="database URL (default: a SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.events, args.database))
