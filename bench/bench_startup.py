"""Start-up against the floor of the chosen stack: ``gavel run`` until it is ready for
input, and ``gavel replay`` of a 10-line log, side by side with
``python -c 'import sqlalchemy, jinja2'`` (what any program on this stack pays before doing
anything).

Aim: each within 1.3x of the floor's time.

    .venv/bin/python bench/bench_startup.py [--runs 7] [--gavel PATH]

``--gavel`` names the command to measure (default: the ``gavel`` next to this Python), e.g.
a wrapper that runs another checkout with ``PYTHONPATH`` set.

Every measurement is its own child process; the commands run alternately (the order rotated
each round) so background load on a shared machine hits them alike; the figures are medians.
CPU is the child's user+system time and RSS its peak, both from ``os.wait4``. ``gavel run``
uses the console (no platform token in the environment is passed on) on a SQLite file that a
first, unmeasured run created, so the schema migration is not counted; a separate row shows
a run on a fresh file (a first start). "ready" is the moment the console's "Console ready"
line reaches us (the child's output unbuffered); "exit" is when the process has ended after
its stdin was closed at once, or after a one-line transcript (``hello``) was sent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench_replay import make_log

TOKENS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN",
          "DISCORD_BOT_TOKEN", "GITHUB_TOKEN", "GAVEL_CONFIG",
          # An installed Gavel has its bytecode written; with this set, every child would
          # compile Gavel's own modules again (~60 of them: +45 ms), the floor none.
          "PYTHONDONTWRITEBYTECODE")


@dataclass(frozen=True)
class Run:
    wall: float  # seconds to exit (or to ready, for the "ready" figure)
    cpu: float
    rss: float  # MiB
    ready: float | None = None


def child(argv: list[str], stdin: bytes | None, env: dict[str, str], cwd: Path,
          wait_for: bytes | None = None) -> Run:
    """Start ``argv``; optionally wait for ``wait_for`` on its stdout; send ``stdin`` and
    close it; reap it with wait4 for its own CPU time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    assert proc.stdin is not None and proc.stdout is not None
    ready = None
    seen = b""
    if wait_for is not None:
        while wait_for not in seen:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                raise SystemExit(f"{' '.join(argv)} ended before printing {wait_for!r}")
            seen += chunk
        ready = time.perf_counter() - start
    if stdin:
        proc.stdin.write(stdin)
    proc.stdin.close()
    while os.read(proc.stdout.fileno(), 65536):
        pass
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, ready)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--gavel", default=str(Path(sys.executable).with_name("gavel")),
                        help="the gavel command to measure (default: the one beside this "
                        "Python)")
    args = parser.parse_args()
    gavel = args.gavel
    env = {k: v for k, v in os.environ.items() if k not in TOKENS}
    env["PYTHONUNBUFFERED"] = "1"
    print(f"start-up, {args.runs} runs each, alternating, medians; load average at start "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (a shared machine: other jobs "
          "may be running)")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        log = base / "2024-01-01.log"
        make_log(log, 10)
        warm = f"sqlite:///{base / 'warm.db'}"
        fresh_count = iter(range(10**6))

        def fresh_db() -> str:
            return f"sqlite:///{base / f'fresh{next(fresh_count)}.db'}"

        ready = b"Console ready"
        cases: dict[str, Callable[[], Run]] = {
            "floor: python -c 'import sqlalchemy, jinja2'": lambda: child(
                [sys.executable, "-c", "import sqlalchemy, jinja2"], None, env, base),
            "gavel --help": lambda: child([gavel, "--help"], None, env, base),
            "gavel run, stdin closed": lambda: child(
                [gavel, "--database", warm, "run"], None, env, base, ready),
            "gavel run, one line": lambda: child(
                [gavel, "--database", warm, "run"], b"hello\n", env, base, ready),
            "gavel run, fresh database": lambda: child(
                [gavel, "--database", fresh_db(), "run"], None, env, base, ready),
            "gavel replay, 10 lines": lambda: child(
                [gavel, "replay", str(log), "-o", str(base / "out.md")], None, env, base),
        }
        cases["gavel run, stdin closed"]()  # creates warm.db: its migration is not counted
        cases["gavel replay, 10 lines"]()  # and, like it, writes any missing bytecode
        runs: dict[str, list[Run]] = {name: [] for name in cases}
        names = list(cases)
        for round_ in range(args.runs):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                runs[name].append(cases[name]())
    floor = names[0]
    floor_wall = statistics.median(r.wall for r in runs[floor])
    floor_cpu = statistics.median(r.cpu for r in runs[floor])
    print(f"  {'':<46}{'wall':>8}{'ready':>8}{'CPU':>8}{'RSS':>9}   vs floor (wall, CPU)")
    for name in names:
        wall = statistics.median(r.wall for r in runs[name])
        cpu = statistics.median(r.cpu for r in runs[name])
        rss = statistics.median(r.rss for r in runs[name])
        readies = [r.ready for r in runs[name] if r.ready is not None]
        ready_s = f"{statistics.median(readies) * 1000:6.0f}ms" if readies else " " * 8
        ratio = "" if name == floor else (
            f"   {wall / floor_wall:4.2f}x, {cpu / floor_cpu:4.2f}x"
            + (f" (ready {statistics.median(readies) / floor_wall:4.2f}x)" if readies else ""))
        print(f"  {name:<46}{wall * 1000:6.0f}ms{ready_s}{cpu * 1000:6.0f}ms{rss:6.1f}MiB"
              f"{ratio}")
    print(f"load average at end {os.getloadavg()[0]:.2f}; aim: run ready and replay within "
          "1.3x of the floor")


if __name__ == "__main__":
    main()
