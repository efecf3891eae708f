"""Replay of a generated IRC MeetBot-format log into minutes, as a whole process, side by
side with IRC MeetBot (meetingology) replaying the same log.

Why whole processes: a user runs ``gavel replay`` once per log, so start-up (imports,
schema creation) is part of what they wait for, and peak RSS is what the machine must hold.
Each run is its own child process, measured with ``os.wait4`` (wall time, user+system CPU
and peak RSS of exactly that child). The two tools run alternately, the order swapped each
round, so background load on a shared machine hits both alike; the figures are medians.

    .venv/bin/python bench/bench_replay.py [--sizes 2000,20000,200000] [--runs 5]
        [--gavel PATH] [--keep DIR]

``--keep DIR`` saves Gavel's minutes per size, so a speed-up can be checked to leave them
byte-identical (``cmp``); ``--gavel`` runs another worktree's ``gavel``.

Beside them runs the stack floor (``replay_floor.py``, in Gavel's interpreter): the least a
replay on Gavel's stack (SQLAlchemy Core, a SQLite file, Jinja2) holds in memory, with none
of Gavel's code. Its peak RSS is what any replay on this stack needs before Gavel does any
work of its own; its time is no floor (each insert goes through SQLAlchemy's execution,
which Gavel's hot paths skip).

Without ``MEETBOT_DIR`` only Gavel's figures are printed. To measure MeetBot too (never
vendor or commit it):

    # 1. the code: GKernelCI/Gmeetbot (meetingology), any checkout, e.g.
    git clone https://github.com/GKernelCI/Gmeetbot /tmp/gmeetbot
    # 2. its own interpreter with Limnoria (MeetBot is a Supybot/Limnoria plugin)
    python3 -m venv /tmp/meetbot-venv && /tmp/meetbot-venv/bin/pip install limnoria
    # 3. point the bench at both
    MEETBOT_DIR=/tmp/gmeetbot MEETBOT_PYTHON=/tmp/meetbot-venv/bin/python \\
        .venv/bin/python bench/bench_replay.py

How MeetBot replays: its plugin's ``#replay <url>`` builds a ``meeting.Meeting`` and calls
``Meeting.process_meeting(content)``, which feeds every log line to ``addline`` (commands
run as ``do_<name>``) and ``#endmeeting`` writes the outputs. The command-line
``meeting.py replay FILE`` of the original MeetBot did the same with
``Meeting(channel, owner=None, filename=..., writeRawLog=False)``; the driver below does
exactly that with the current code (Gmeetbot dropped the ``__main__`` block, keeping
``process_meeting``). MeetBot then writes its configured outputs (meetingology's
``meetingLocalConfig``: the HTML log, the HTML minutes and the MoinMoin minutes); Gavel
writes one Markdown file. ``writeRawLog=False`` as in that CLI: with the raw log on, MeetBot
rewrites ``.log.txt`` after every line, which is quadratic and not what a replay does.

The log: a chair opens the meeting; every 50th line is a ``#topic`` and every 50th (offset
9) an ``#agreed``, both said by the chair (MeetBot ignores them from anyone else, Gavel takes
them from anyone: from the chair both do the same work); ``#info`` on a tenth of the lines,
``#action <nick> to ...`` every 50th; the rest plain chat from eight nicks.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# One sentence, split into words: all 23 are used (a list literal would be harder to read).
SENTENCE = ("the release build needs a review of the permission model and a security fix "
            "before we ship next week with the new policy")
WORDS = SENTENCE.split()
NICKS = ["rafael", "ulises", "joyce", "michael", "marco", "thomas", "pedro", "diogo"]
CHAIR = "rafael"

FLOOR = Path(__file__).resolve().with_name("replay_floor.py")

# Runs MeetBot's own replay path in MeetBot's interpreter (see the module docstring).
MEETBOT_DRIVER = '''\
import os, sys, tempfile
meetbot_dir, log, outbase = sys.argv[1:4]
parent = tempfile.mkdtemp()  # MeetBot uses relative imports: load it as package "MeetBot"
os.symlink(os.path.abspath(meetbot_dir), os.path.join(parent, "MeetBot"))
sys.path.insert(0, parent)
from MeetBot import meeting
channel = "#" + os.path.basename(log).split(".")[0]
M = meeting.Meeting(channel=channel, owner=None, filename=outbase, writeRawLog=False)
with open(log, encoding="utf-8") as f:
    M.process_meeting(f.read())
if not M._meetingIsOver:
    sys.exit("MeetBot did not reach #endmeeting")
'''


def make_log(path: Path, lines: int) -> None:
    """The same log for the same ``lines``, every time (a seeded generator)."""
    rng = random.Random(7)
    out = [f"[14:00:00] <{CHAIR}> #startmeeting Benchmark"]
    for n in range(1, lines - 1):
        seconds = 14 * 3600 + n % (9 * 3600)
        stamp = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}]"
        nick = rng.choice(NICKS)
        text = " ".join(rng.choices(WORDS, k=rng.randint(4, 14)))
        roll = n % 50
        if roll == 0:
            nick, line = CHAIR, f"#topic Topic {n // 50}"
        elif roll % 5 == 1:
            line = f"#info {text}"
        elif roll == 7:
            line = f"#action {rng.choice(NICKS)} to {text}"
        elif roll == 9:
            nick, line = CHAIR, f"#agreed {text}"
        else:
            line = text
        out.append(f"{stamp} <{nick}> {line}")
    out.append(f"[23:59:59] <{CHAIR}> #endmeeting")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss: float  # peak resident set of the child, MiB


def measure(argv: list[str], cwd: Path) -> Run:
    """One child process in ``cwd`` (MeetBot's Limnoria writes ``conf/`` and ``logs/``
    there); its own rusage from wait4, so no other child's figures are mixed in."""
    here = Path.cwd()
    os.chdir(cwd)  # posix_spawn has no cwd argument: the child inherits ours
    devnull = os.open(os.devnull, os.O_RDWR)
    errors = cwd / "stderr.txt"
    err = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                           (os.POSIX_SPAWN_DUP2, devnull, 1),
                                           (os.POSIX_SPAWN_DUP2, err, 2)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.close(devnull)
        os.close(err)
        os.chdir(here)
    if os.waitstatus_to_exitcode(status) != 0:
        tail = errors.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{argv[0]} failed ({os.waitstatus_to_exitcode(status)}):\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(r.rss for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000,200000",
                        help="log sizes in lines, comma-separated (default 2000,20000,200000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool per size")
    parser.add_argument("--meetbot-dir", default=os.environ.get("MEETBOT_DIR", ""))
    parser.add_argument("--meetbot-python",
                        default=os.environ.get("MEETBOT_PYTHON", "/tmp/meetbot-venv/bin/python"))
    parser.add_argument("--gavel", default=str(Path(sys.executable).with_name("gavel")),
                        help="the gavel executable (another worktree's, to compare)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy Gavel's minutes to DIR/gavel-<size>.md (to check that a "
                        "change leaves the output byte-identical)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    gavel = args.gavel
    meetbot = Path(args.meetbot_dir) if args.meetbot_dir else None
    if meetbot is not None and not (meetbot / "meeting.py").is_file():
        raise SystemExit(f"MEETBOT_DIR={meetbot} holds no meeting.py: point it at a "
                         "Gmeetbot checkout (see this file's docstring).")
    if meetbot is not None and not Path(args.meetbot_python).is_file():
        raise SystemExit(f"{args.meetbot_python} not found: create MeetBot's venv "
                         "(python3 -m venv /tmp/meetbot-venv && /tmp/meetbot-venv/bin/pip "
                         "install limnoria) or set MEETBOT_PYTHON.")
    print(f"replay benchmark, {args.runs} runs per tool and size, medians; "
          f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(a shared machine: other jobs may be running)")
    _compile_bytecode(gavel, meetbot, args.meetbot_python)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        driver = base / "meetbot_replay.py"
        driver.write_text(MEETBOT_DRIVER, encoding="utf-8")
        for size in sizes:
            work = base / str(size)
            work.mkdir()
            log = work / "2024-01-01.log"
            make_log(log, size)
            commands = {"gavel": [gavel, "replay", str(log), "-o", str(work / "gavel.md")],
                        "floor": [str(Path(gavel).with_name("python")), str(FLOOR), str(log),
                                  str(work / "floor.md")]}
            if meetbot is not None:
                commands["meetbot"] = [args.meetbot_python, str(driver), str(meetbot), str(log),
                                       str(work / "meetbot")]
            runs: dict[str, list[Run]] = {name: [] for name in commands}
            for round_ in range(args.runs):
                order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
                for name in order:
                    runs[name].append(measure(commands[name], work))
            gavel_out = (work / "gavel.md").stat().st_size
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / "gavel.md", args.keep / f"gavel-{size}.md")
            rows.append((size, {name: median(r) for name, r in runs.items()}, gavel_out))
            print(_row(size, rows[-1][1], gavel_out), flush=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    if meetbot is None:
        print("MeetBot not measured: set MEETBOT_DIR (and MEETBOT_PYTHON) as this file's "
              "docstring shows to print it side by side, with the ratios.")
    else:
        _ratios(rows)


def _compile_bytecode(gavel: str, meetbot: Path | None, meetbot_python: str) -> None:
    """Both tools measured as installed, with their bytecode compiled.

    ``pip install`` compiles a package's modules; a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set (as on the project's CI machine) compiles every module
    from source at every start instead: ~65 ms of Gavel's start-up, and MeetBot's plugin
    (a plain checkout) the same. So each tool's own interpreter compiles its sources once,
    before any run; Limnoria, installed by pip, has its bytecode already.
    """
    python = str(Path(gavel).with_name("python"))
    compile_packages = ("import compileall, os, bot, adapters, gavel\n"
                        "for m in (bot, adapters, gavel):\n"
                        "    compileall.compile_dir(os.path.dirname(m.__file__), quiet=1)\n")
    subprocess.run([python, "-c", compile_packages], check=True)
    if meetbot is not None:
        subprocess.run([meetbot_python, "-m", "compileall", "-q", str(meetbot)], check=True,
                       stdout=subprocess.DEVNULL)


def _row(size: int, medians: dict[str, Run], gavel_bytes: int) -> str:
    return "\n".join(
        f"{size:>8,} lines  {name:<8} {run.wall:7.3f} s wall  {run.cpu:7.3f} s CPU  "
        f"{run.rss:6.1f} MiB peak RSS  {run.cpu / size * 1e6:6.1f} µs CPU/line"
        for name, run in medians.items()) + f"  (Gavel's minutes: {gavel_bytes:,} bytes)"


def _ratios(rows: list[tuple[int, dict[str, Run], int]]) -> None:
    print("Gavel / MeetBot (targets: 20k time and RSS <= 1.0; 200k time <= 0.5, RSS <= 0.4)")
    for size, medians, _ in rows:
        g, m = medians["gavel"], medians["meetbot"]
        print(f"{size:>8,} lines  wall {g.wall / m.wall:4.2f}x  CPU {g.cpu / m.cpu:4.2f}x  "
              f"peak RSS {g.rss / m.rss:4.2f}x")
    print("Peak RSS of the stack floor (replay_floor.py): its ratio to MeetBot, MeetBot's "
          "margin over it (what the stack leaves Gavel's own code and data), and Gavel's")
    for size, medians, _ in rows:
        g, f, m = medians["gavel"], medians["floor"], medians["meetbot"]
        print(f"{size:>8,} lines  floor {f.rss / m.rss:4.2f}x MeetBot  "
              f"MeetBot - floor {m.rss - f.rss:+5.1f} MiB  Gavel - floor {g.rss - f.rss:+5.1f} MiB")


if __name__ == "__main__":
    main()
