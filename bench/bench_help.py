"""`gavel --help` start-up time: no platform SDK or database library is imported for it.

Aim: under 0.3 s.

    .venv/bin/python bench/bench_help.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    gavel = str(Path(sys.executable).with_name("gavel"))
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([gavel, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    modules = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gavel", "--help"],
        capture_output=True, text=True).stderr
    heavy = [m for m in ("slack_sdk", "slack_bolt", "discord", "github", "sqlalchemy", "jinja2",
                          "pydantic", "apscheduler")
             if f" {m}\n" in modules or f" {m}." in modules]
    print(f"gavel --help over {args.runs} runs: median {statistics.median(times) * 1000:.0f} ms, "
          f"best {min(times) * 1000:.0f} ms; heavy modules imported: {heavy or 'none'}")


if __name__ == "__main__":
    main()
