"""A ``skip`` date the schedule never meets on is refused when the config is loaded, naming
the date and the group, instead of being silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.config_file import load_settings
from tests.test_cli import gavel

SCHEDULE = """
[[groups]]
name = "Security WG"

[groups.schedule]
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
start = "2026-01-08T14:00"
timezone = "America/New_York"
skip = [{skips}]
"""


def test_a_skip_on_a_day_without_a_meeting_is_named_at_load(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text(SCHEDULE.format(skips='"2026-12-24", "2026-12-31"'))
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert str(error.value) == (
        f"{config}: groups[0].schedule.skip[1]: group 'Security WG': 2026-12-31 is not a "
        "meeting day of this schedule (the nearest are 2026-12-24 and 2027-01-07)")


def test_the_command_line_refuses_such_a_config_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text(SCHEDULE.format(skips='"2026-12-25"'))
    result = gavel(tmp_path, "--config", str(config), "meetings")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "2026-12-25 is not a meeting day" in result.stderr
    assert "'Security WG'" in result.stderr


def test_skips_on_meeting_days_load(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text(SCHEDULE.format(skips='"2026-12-24", "2026-01-08"'))
    [group] = load_settings(config).groups
    assert group.schedule is not None and group.schedule.skip == ["2026-12-24", "2026-01-08"]
