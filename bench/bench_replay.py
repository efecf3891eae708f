"""Replay of a 20,000-line MeetBot-format log into minutes, as a whole process.

Prints wall time and peak RSS (from /usr/bin/time -v when present, else from getrusage).
Aim: under 0.3 s wall and 60 MB peak RSS.

    .venv/bin/python bench/bench_replay.py [--lines 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the release build needs a review of the permission model and a security fix "  # noqa: SIM905
         "before we ship next week with the new policy").split()
NICKS = ["rafael", "ulises", "joyce", "michael", "marco", "thomas", "pedro", "diogo"]


def make_log(path: Path, lines: int) -> None:
    rng = random.Random(7)
    out = ["[14:00:00] <rafael> #startmeeting Benchmark"]
    for n in range(1, lines - 1):
        seconds = 14 * 3600 + n % (9 * 3600)
        stamp = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}]"
        nick = rng.choice(NICKS)
        text = " ".join(rng.choices(WORDS, k=rng.randint(4, 14)))
        roll = n % 50
        if roll == 0:
            line = f"#topic Topic {n // 50}"
        elif roll % 5 == 1:
            line = f"#info {text}"
        elif roll == 7:
            line = f"#action {nick} to {text}"
        elif roll == 9:
            line = f"#agreed {text}"
        else:
            line = text
        out.append(f"{stamp} <{nick}> {line}")
    out.append("[23:59:59] <rafael> #endmeeting")
    path.write_text("\n".join(out) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gavel = Path(sys.executable).with_name("gavel")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "2024-01-01.log"
        make_log(log, args.lines)
        walls, rss = [], []
        for _ in range(args.runs):
            command = [str(gavel), "replay", str(log), "-o", str(Path(tmp) / "out.md")]
            if Path("/usr/bin/time").exists():
                start = time.perf_counter()
                result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True,
                                        text=True, cwd=tmp, check=True)
                walls.append(time.perf_counter() - start)
                line = next(x for x in result.stderr.splitlines() if "Maximum resident" in x)
                rss.append(int(line.split()[-1]) / 1024)
            else:
                start = time.perf_counter()
                subprocess.run(command, check=True, cwd=tmp)
                walls.append(time.perf_counter() - start)
                rss.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        size = (Path(tmp) / "out.md").stat().st_size
    print(f"replay of a {args.lines:,}-line MeetBot log ({args.runs} runs, minutes {size:,} bytes)")
    print(f"  wall: median {statistics.median(walls):.3f} s, best {min(walls):.3f} s")
    print(f"  peak RSS: median {statistics.median(rss):.1f} MB")


if __name__ == "__main__":
    main()
