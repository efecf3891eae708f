"""A bad config is refused with the file, the key and what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_GROUP, ConfigError, Group, Secrets
from bot.config_file import load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gavel.toml"
    path.write_text(text)
    return path


def test_an_unknown_key_is_named_with_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]]\nname = "WG"\nagenda_lable = "x"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == f"{path}: groups[0].agenda_lable: unknown key"


def test_a_bad_time_zone_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]]\nname = "WG"\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert "groups[0].timezone: unknown time zone 'Mars/Olympus'" in str(error.value)


def test_a_wrong_type_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]]\nname = "WG"\nchairs = "alice"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert f"{path}: groups[0].chairs: Input should be a valid list" in str(error.value)


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]\nname = "WG"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: not valid TOML:")
    assert "line 1" in str(error.value)


def test_the_cli_refuses_a_bad_config_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, 'data_dirr = "x"\n')
    result = subprocess.run([sys.executable, "-m", "gavel", "--config", str(path), "run"],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert f"{path}: data_dirr: unknown key" in result.stderr


def test_the_bot_starts_with_no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GAVEL_CONFIG", raising=False)
    assert load_settings().groups == []


def test_no_config_file_means_the_same_settings_as_an_empty_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a file the defaults are made without pydantic (a faster start): they must
    be exactly what an empty file gives."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GAVEL_CONFIG", raising=False)
    monkeypatch.delenv("GAVEL_DATA_DIR", raising=False)
    without = load_settings()
    (tmp_path / "empty.toml").write_text("")
    empty = load_settings(tmp_path / "empty.toml")
    assert without == empty and repr(without) == repr(empty)
    assert Group(name="Gavel", title="Meeting") == DEFAULT_GROUP


def test_the_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.groups, "the example documents at least one group"


def test_secrets_never_show_their_values() -> None:
    secrets = Secrets.from_environment({"SLACK_BOT_TOKEN": "xoxb-secret-value",
                                        "GITHUB_TOKEN": "ghp_secret"})
    assert "secret" not in repr(secrets) and "secret" not in str(secrets)
    assert "slack_bot_token" in repr(secrets)


def test_two_groups_with_one_name_and_a_bad_repository_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]]\nname = "WG"\n[[groups]]\nname = "wg"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert f"{path}: groups: two groups are named 'wg': names must differ" in str(error.value)
    path = write(tmp_path, '[[groups]]\nname = "WG"\nminutes_repo = "security-wg"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert ("groups[0].minutes_repo: 'security-wg' is not a repository: write it as owner/name"
            in str(error.value))


def test_every_mistake_of_a_file_is_named_at_once(tmp_path: Path) -> None:
    """A wrong type, a breached limit, a bad value of Gavel's own checks and a typo in one
    table, and a limit and an address in another: one message names them all, so a user
    fixes the file in one go."""
    path = write(tmp_path, '[[groups]]\nname = "WG"\nquorum = -1\ntimezone = "Mars/X"\n'
                           'minutes_repo = "wg"\nchairs = "alice"\nagenda_lable = "x"\n'
                           '[groups.schedule]\nhorizon_days = 500\n'
                           '[web]\nport = 70000\npublic_url = "ftp://x"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).splitlines() == [
        f"{path}: groups[0].minutes_repo: 'wg' is not a repository: write it as owner/name",
        f"{path}: groups[0].timezone: unknown time zone 'Mars/X' (use an IANA name such as "
        "'America/New_York' or 'UTC')",
        f"{path}: groups[0].chairs: Input should be a valid list",
        f"{path}: groups[0].schedule.horizon_days: Input should be less than or equal to 400",
        f"{path}: groups[0].quorum: Input should be greater than or equal to 0",
        f"{path}: groups[0].agenda_lable: unknown key",
        f"{path}: web.port: Input should be less than or equal to 65535",
        f"{path}: web.public_url: 'ftp://x' is not an http(s) address such as "
        "'https://gavel.example.org'"]


def test_a_table_given_as_a_value_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, 'web = "localhost"\n[[groups]]\nname = "WG"\nlinks = 5\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).splitlines() == [
        f"{path}: groups[0].links: Input should be a valid dictionary or instance of Links",
        f"{path}: web: Input should be a valid dictionary or instance of WebSettings"]


def test_a_relative_data_dir_and_template_are_found_beside_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mine.md.j2").write_text("{{ v.title }}\n")
    path = tmp_path / "conf" / "gavel.toml"
    path.write_text('data_dir = "state"\n[[groups]]\nname = "WG"\ntemplate = "mine.md.j2"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("conf/gavel.toml"))
    assert settings.data_dir == str(tmp_path / "conf" / "state")
    assert settings.groups[0].template == str(tmp_path / "conf" / "mine.md.j2")


def test_gavel_run_starts_every_platform_whose_token_is_set() -> None:
    from bot.config import Settings
    from gavel.cli.main import platforms_to_run

    both = Secrets.from_environment({"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_TOKEN": "d"})
    assert platforms_to_run(Settings(), both) == ["slack", "discord"]
    assert platforms_to_run(Settings(), Secrets.from_environment({"DISCORD_TOKEN": "d"})) == [
        "discord"]
    assert platforms_to_run(Settings(), Secrets.from_environment({})) == []


def test_a_stray_channel_never_gets_a_bound_groups_github_settings() -> None:
    from bot.config import ChannelBinding, Group, Settings

    wg = Group(name="WG", minutes_repo="nodejs/security-wg",
               channels=[ChannelBinding(platform="slack", workspace="T1", channel="C1")])
    settings = Settings(groups=[wg])
    assert settings.group_for_channel("slack", "T1", "C1") is wg
    stray = settings.group_for_channel("slack", "T9", "CRANDOM")
    assert stray.name == "Gavel" and not stray.minutes_repo
    # A one-group setup bound nowhere on the console still runs that group there.
    assert Settings(groups=[Group(name="Solo")]).group_for_channel(
        "console", "", "console").name == "Solo"


def test_a_lone_group_with_github_settings_runs_only_where_it_is_bound() -> None:
    """Slack and Discord alike; the console (the operator's own terminal) keeps the group,
    and a lone group with nothing on GitHub still runs everywhere."""
    from bot.config import Group, Settings

    for github in ({"minutes_repo": "nodejs/security-wg"}, {"issue_repo": "o/r"},
                   {"github_org": "nodejs", "agenda_label": "wg-agenda"}):
        settings = Settings(groups=[Group(name="WG", **github)])
        for platform in ("slack", "discord"):
            assert settings.group_for_channel(platform, "T1", "C1").name == "Gavel"
        assert settings.group_for_channel("console", "", "console").name == "WG"
    plain = Settings(groups=[Group(name="Plain")])
    assert plain.group_for_channel("discord", "G1", "C1").name == "Plain"


def test_a_minutes_path_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[groups]]\nname = "WG"\nminutes_path = "meetings/{Date}.md"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert (f"{path}: groups[0].minutes_path: unknown placeholder {{Date}} in "
            "'meetings/{Date}.md' (use {date}, {day}, {group}, {id}, {month}, {year})"
            ) in str(error.value)
