"""The CLI's stored-meeting commands: minutes again in any layout, meetings, db upgrade."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRANSCRIPT = ("#startmeeting Budget review\n#topic Costs\n"
              "ann: #action ann to send the numbers\n#endmeeting\n")


def gavel(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"}
    return subprocess.run([sys.executable, "-m", "gavel", *args], input=stdin,
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)


def test_stored_minutes_render_again_in_another_layout(tmp_path: Path) -> None:
    assert gavel(tmp_path, "run", "--user", "bob", stdin=TRANSCRIPT).returncode == 0
    listing = gavel(tmp_path, "meetings")
    assert "1  " in listing.stdout and "ended" in listing.stdout
    assert "Budget review" in listing.stdout
    nodejs = gavel(tmp_path, "minutes", "1")
    assert nodejs.stdout.startswith("# Budget review ")
    assert "* Costs\n  * Action (ann): ann to send the numbers" in nodejs.stdout
    meetbot = gavel(tmp_path, "minutes", "1", "--template", "meetbot")
    assert "## Action items, by person\n\n* ann\n  * ann to send the numbers" in meetbot.stdout


def test_a_group_can_use_its_own_template_file(tmp_path: Path) -> None:
    template = tmp_path / "short.md.j2"
    template.write_text("{{ v.title }} on {{ v.date }}: {% for owners, text in v.actions %}"
                        "{{ owners }} -> {{ text }}{% endfor %}\n")
    config = tmp_path / "gavel.toml"
    config.write_text(f'[[groups]]\nname = "Ops"\ntemplate = "{template}"\n')
    result = gavel(tmp_path, "--config", str(config), "run", "--user", "bob", stdin=TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "gavel> Budget review on " in result.stdout
    assert ": ann -> ann to send the numbers" in result.stdout


def test_a_missing_meeting_and_a_missing_template_are_named(tmp_path: Path) -> None:
    assert gavel(tmp_path, "run", stdin=TRANSCRIPT).returncode == 0
    missing = gavel(tmp_path, "minutes", "42")
    assert missing.returncode == 1
    assert "no meeting 42 (gavel meetings lists them)" in missing.stderr
    bad = gavel(tmp_path, "minutes", "1", "--template", "nope.j2")
    assert bad.returncode == 2
    assert ("minutes template 'nope.j2': not a built-in (nodejs, nodejs-tsc, meetbot) and no "
            "such file" in bad.stderr)


def test_a_template_that_includes_a_missing_file_is_named_not_blamed_on_the_log(
        tmp_path: Path) -> None:
    (tmp_path / "outer.md.j2").write_text('{% include "header.md.j2" %}\n{{ v.title }}\n')
    log = tmp_path / "2024-01-01.log"
    log.write_text(TRANSCRIPT)
    result = gavel(tmp_path, "replay", str(log), "--template", str(tmp_path / "outer.md.j2"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert "it includes or extends 'header.md.j2'" in result.stderr
    assert "cannot read" not in result.stderr


def test_db_upgrade_brings_a_new_database_to_the_current_schema(tmp_path: Path) -> None:
    result = gavel(tmp_path, "--database", f"sqlite:///{tmp_path / 'fresh.db'}", "db", "upgrade")
    assert result.returncode == 0
    assert "schema up to date" in result.stdout


def test_a_template_that_fails_still_ends_the_meeting_in_the_default_layout(tmp_path: Path
                                                                           ) -> None:
    (tmp_path / "broken.md.j2").write_text("{{ v.no_such_field }}\n")
    config = tmp_path / "gavel.toml"
    config.write_text('[[groups]]\nname = "Ops"\ntemplate = "broken.md.j2"\n')
    result = gavel(tmp_path, "--config", str(config), "run", "--user", "bob", stdin=TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "the minutes use the nodejs layout instead" in result.stdout
    assert "gavel> * Costs" in result.stdout


def test_a_template_file_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text('[[groups]]\nname = "Ops"\ntemplate = "gone.md.j2"\n')
    result = gavel(tmp_path, "--config", str(config), "run", stdin="")
    assert result.returncode == 2
    assert (f"{config}: groups[0].template: 'gone.md.j2' is neither a built-in layout "
            "(nodejs, nodejs-tsc, meetbot) nor a file") in result.stderr


def test_an_unwritable_minutes_folder_still_ends_the_meeting_with_its_minutes(tmp_path: Path
                                                                             ) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "minutes").write_text("a file where the folder should be")
    result = gavel(tmp_path, "run", "--user", "bob", stdin=TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "The minutes file could not be written (Not a directory" in result.stdout
    assert "gavel minutes 1` prints them" in result.stdout
    assert "gavel> * Costs" in result.stdout
    assert "ended" in gavel(tmp_path, "meetings").stdout


# What `gavel --help` must not import: each costs a user tens to hundreds of milliseconds
# before the first line of help (bench/bench_help.py measures the whole).
HEAVY = ("sqlalchemy", "jinja2", "pydantic", "aiohttp", "discord", "slack_bolt", "slack_sdk",
         "github", "prometheus_client", "apscheduler", "bot.app", "gavel.service")


def test_help_lists_every_command_and_loads_no_heavy_module(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GAVEL_CONFIG"}
    # (``-h`` before a command: still the whole list, though a command's own parsing
    # leaves the other modules' subcommands out)
    for command in ([sys.executable, "-X", "importtime", "-m", "gavel", "--help"],
                    [sys.executable, "-X", "importtime", "-m", "gavel", "-v", "-h", "replay"],
                    [sys.executable, "-X", "importtime", "-c",
                     "from gavel.cli.main import main; raise SystemExit(main(['--help']))"]):
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                                env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        for name in ("run", "serve", "healthcheck", "replay", "minutes", "meetings", "db",
                     "next", "reminders", "ics", "reminder-loop", "agenda", "issue",
                     "publish", "discord", "attendance", "archive"):
            assert f"    {name} " in result.stdout or f"    {name}\n" in result.stdout, name
        imported = {line.rpartition("|")[2].strip() for line in result.stderr.splitlines()
                    if line.startswith("import time:")}
        loaded = sorted(m for m in imported
                        if any(m == h or m.startswith(h + ".") for h in HEAVY))
        assert loaded == [], f"gavel --help imported {loaded}"


LOG = "bob: #startmeeting Budget review\nbob: #info x\nbob: #endmeeting\n"


def test_a_group_template_that_raises_ends_the_meeting_in_the_default_layout(tmp_path: Path
                                                                            ) -> None:
    (tmp_path / "bad.j2").write_text("{{ 1/0 }}\n")
    (tmp_path / "gavel.toml").write_text('[[groups]]\nname = "WG"\ntemplate = "bad.j2"\n')
    result = gavel(tmp_path, "run", "--user", "bob", stdin=TRANSCRIPT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert ("The group's minutes template 'bad.j2' failed at line 1: "
            "ZeroDivisionError: division by zero; the minutes use the nodejs layout "
            "instead.") in result.stdout
    assert "gavel> * Costs" in result.stdout
    assert "ended" in gavel(tmp_path, "meetings").stdout


def replay_with(tmp_path: Path, layouts: dict[str, bytes]) -> subprocess.CompletedProcess[str]:
    for name, text in layouts.items():
        (tmp_path / name).write_bytes(text)
    (tmp_path / "2024-01-01.log").write_text(LOG)
    return gavel(tmp_path, "replay", "2024-01-01.log", "--template", next(iter(layouts)))


def test_a_replay_with_a_template_that_raises_says_what_failed_where_in_one_line(
        tmp_path: Path) -> None:
    result = replay_with(tmp_path, {"bad.j2": b"{{ v.title }}\n{{ v.title + 1 }}\n"})
    assert result.returncode == 2
    assert result.stderr == ("gavel: minutes template 'bad.j2' failed at line 2: TypeError: "
                             "can only concatenate str (not \"int\") to str\n")


def test_a_replay_in_the_groups_own_failing_layout_fails_rather_than_change_layout(
        tmp_path: Path) -> None:
    """Live, #endmeeting puts the nodejs layout in place of a failing group layout and says
    so in the chat; a replay has no chat to say it in, so it fails with the one line."""
    (tmp_path / "bad.j2").write_text("{{ 1/0 }}\n")
    (tmp_path / "gavel.toml").write_text('[[groups]]\nname = "WG"\ntemplate = "bad.j2"\n')
    (tmp_path / "2024-01-01.log").write_text(LOG)
    result = gavel(tmp_path, "replay", "2024-01-01.log")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == ("gavel: minutes template 'bad.j2' failed at line "
                             "1: ZeroDivisionError: division by zero\n")


def test_a_template_that_is_not_utf8_is_named_not_blamed_on_the_log(tmp_path: Path) -> None:
    result = replay_with(tmp_path, {"bad7.j2": b"\xff\xfe{{ v.title }}\n"})
    assert result.returncode == 2
    assert result.stderr == ("gavel: minutes template 'bad7.j2' is not UTF-8 text (byte 0xff "
                             "at position 0); save it as UTF-8\n")


def test_a_syntax_error_in_the_file_a_template_extends_names_that_file(tmp_path: Path) -> None:
    result = replay_with(tmp_path, {"outer.j2": b'{% extends "base.j2" %}\n',
                                    "base.j2": b"# {{ v.title }}\n{{ x }\n"})
    assert result.returncode == 2
    assert result.stderr == ("gavel: minutes template 'outer.j2' failed in base.j2 at line 2: "
                             "TemplateSyntaxError: unexpected '}'\n")


def test_gavel_minutes_with_a_template_that_fails_names_it_in_one_line(tmp_path: Path) -> None:
    assert gavel(tmp_path, "run", "--user", "bob", stdin=TRANSCRIPT).returncode == 0
    (tmp_path / "deep.j2").write_text(
        "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\n{{ again(1) }}\n")
    result = gavel(tmp_path, "minutes", "1", "--template", "deep.j2")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "gavel: minutes template 'deep.j2' failed at line 1: RecursionError: maximum recursion")
    assert result.stderr.count("\n") == 1
