"""The acceptance tests that read ../shared/corpus: run when it is there, skip saying why
when it is not, and fail under CI (``$CI`` set), where a silent skip would hide them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE = "tests/test_acceptance_security_wg.py"


def pytest_run(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["GAVEL_CORPUS"] = str(tmp_path / "no-corpus")
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", MODULE],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_without_the_corpus_each_skip_says_why_in_the_summary(tmp_path: Path) -> None:
    result = pytest_run(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED" in result.stdout
    assert f"needs the corpus file {tmp_path / 'no-corpus'}" in result.stdout
    assert "set GAVEL_CORPUS" in result.stdout


def test_under_ci_a_missing_corpus_fails_instead_of_skipping(tmp_path: Path) -> None:
    result = pytest_run(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    assert "CI is set, so the acceptance tests must run" in result.stdout
    assert " skipped" not in result.stdout.splitlines()[-1]
