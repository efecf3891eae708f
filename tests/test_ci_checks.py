"""What CI checks: the type checker covers the adapters as well as the core.

The adapters are where the platform SDKs meet our types (discord.py's overloads, Bolt's
handlers); leaving them out of mypy is how a wrong argument reached a live guild.
"""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mypy_targets() -> set[str]:
    for line in (ROOT / ".ci" / "run").read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0].endswith("/mypy"):
            return {w for w in words[1:] if not w.startswith("-")}
    raise AssertionError(".ci/run does not run mypy")


def test_ci_type_checks_the_core_and_the_adapters() -> None:
    assert {"bot", "adapters"} <= _mypy_targets()
