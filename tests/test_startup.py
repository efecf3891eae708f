"""What a user waits for before ``gavel replay`` writes minutes or ``gavel run`` takes input:
each module a subcommand does not use costs every start (``bench/bench_startup.py``
measures the whole against ``python -c 'import sqlalchemy, jinja2'``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOG = """[14:00:00] <rafael> #startmeeting Startup
[14:00:01] <thomas> #info the release is next week
[14:00:02] <diogo> #action marco to fix the build
[14:00:03] <rafael> #endmeeting
"""

# Neither a replay nor the console uses these; each is milliseconds to tens of them.
# pydantic validates a config file only (``bot.config_file``): these starts have none.
NO_CONFIG_FILE = ("pydantic", "pydantic_core", "annotated_types")
# Nor the other subcommands' modules (only ``gavel --help`` builds every parser), the
# archive's links and tokens (a replay serves no archive), TOML (no file) or getpass
# (the console's default nick), attendance over time: ~0.6 MiB of a replay's peak.
NOT_FOR_REPLAY = ("alembic", "icalendar", "recurring_ical_events", "click", "github",
                  "apscheduler", "slack_bolt", "slack_sdk", "discord", "aiohttp",
                  "prometheus_client", "markdown_it", "urllib.request", "dateutil",
                  "sqlalchemy.dialects.postgresql", "adapters.slack", "gavel.service.serve",
                  "gavel.cli.schedule", "gavel.cli.github", "gavel.cli.archive",
                  "adapters.discord", "bot.archive", "bot.store.tokens",
                  "bot.store.hackmd_rows", "tomllib", "getpass", "bot.attendance_history",
                  "bot.store.history", *NO_CONFIG_FILE)
NOT_FOR_RUN = ("alembic", "icalendar", "recurring_ical_events", "click", "github",
               "slack_bolt", "slack_sdk", "discord", "aiohttp", "prometheus_client",
               "markdown_it", "sqlalchemy.dialects.postgresql", "adapters.slack",
               "gavel.service.serve", *NO_CONFIG_FILE)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GAVEL_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN",
                        "GITHUB_TOKEN", "GAVEL_DATABASE_URL", "GAVEL_DATA_DIR")}
    env["TMPDIR"] = str(tmp_path / "tmp")
    env.update(extra)
    return env


def _imported(stderr: str, unwanted: tuple[str, ...]) -> list[str]:
    names = {line.rpartition("|")[2].strip() for line in stderr.splitlines()
             if line.startswith("import time:")}
    return sorted(m for m in names if any(m == u or m.startswith(u + ".") for u in unwanted))


def _replay(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "gavel", "replay",
                           "2024-01-01.log"], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def test_a_replay_writes_its_minutes_without_loading_what_it_does_not_use(
        tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    (tmp_path / "2024-01-01.log").write_text(LOG, encoding="utf-8")
    env = _env(tmp_path)
    env.pop("USER", None)  # (as in a container: no reason to ask for the account's name)
    result = _replay(tmp_path, env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "- Action: marco to fix the build" in result.stdout
    assert _imported(result.stderr, NOT_FOR_REPLAY) == []
    assert not (tmp_path / "data").exists()  # a replay leaves nothing in the folder
    # ... nor in the temporary one (the process ends without a last garbage collection):
    # only Jinja2's folder of compiled layouts.
    assert [p.name.startswith("_jinja2-cache-") for p in (tmp_path / "tmp").iterdir()] \
        == [True]


def test_minutes_are_the_same_from_a_cached_compiled_template_or_without_a_cache(
        tmp_path: Path) -> None:
    """The second replay loads the compiled layout from Jinja2's cache in the temporary
    directory; where that directory cannot be used, the layout is compiled as before."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "2024-01-01.log").write_text(LOG, encoding="utf-8")
    first = _replay(tmp_path, _env(tmp_path))
    cached = list((tmp_path / "tmp").glob("_jinja2-cache-*/__jinja2_*"))
    second = _replay(tmp_path, _env(tmp_path))
    (tmp_path / "not-a-folder").write_text("")
    unusable = _replay(tmp_path, _env(tmp_path, TMPDIR=str(tmp_path / "not-a-folder")))
    assert cached, "the first replay left its compiled layout"
    assert first.returncode == second.returncode == unusable.returncode == 0, unusable.stderr
    assert first.stdout == second.stdout == unusable.stdout
    assert "marco to fix the build" in first.stdout


def test_gavel_run_on_an_up_to_date_database_loads_no_migration_tool(tmp_path: Path) -> None:
    """The first start creates the schema (Alembic); later starts only read its stamp."""
    (tmp_path / "tmp").mkdir()
    database = f"sqlite:///{tmp_path / 'gavel.db'}"
    command = [sys.executable, "-X", "importtime", "-m", "gavel", "--database", database,
               "run", "--user", "rafael"]
    first = subprocess.run(command, input="", capture_output=True, text=True, cwd=tmp_path,
                           env=_env(tmp_path), timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    again = subprocess.run(command, input="#startmeeting Later\n#endmeeting\n",
                           capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path),
                           timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Console ready" in again.stdout and "Meeting ended" in again.stdout, again.stdout
    assert _imported(again.stderr, NOT_FOR_RUN) == []
    listed = subprocess.run([sys.executable, "-m", "gavel", "--database", database,
                             "meetings"], capture_output=True, text=True, cwd=tmp_path,
                            env=_env(tmp_path), timeout=120)
    assert listed.returncode == 0 and "Later" in listed.stdout, listed.stderr
