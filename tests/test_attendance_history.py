"""Attendance over time: ``gavel attendance GROUP --last N`` and ``/meeting attendance N``
show, for the last N meetings, who came, each person's rate and quorum per meeting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.handler import MeetingBot
from bot.config_file import load_settings
from bot.store import Database
from gavel.cli.main import main
from tests.archive_support import hold_three_meetings, write_config
from tests.conftest import Chat, private

EXPECTED_LAST_TWO = """\
Security WG: attendance at the last 2 meetings (P present, r regrets, . absent)
Meetings: 1) 2023-01-12  2) 2023-01-19
alice  P P  2/2 100%
bob    r P  1/2 50%
dave   P .  1/2 50%
carol  . .  0/2 0%
Present per meeting: 2 2
Quorum (2 of 3 members): no yes"""


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    config = write_config(tmp_path)
    database = Database.open(database_url)
    try:
        hold_three_meetings(MeetingBot(database, load_settings(config)))
    finally:
        database.close()
    return config


def test_the_cli_shows_who_came_their_rate_and_quorum(
        config: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "--database", database_url, "attendance",
                 "security wg", "--last", "2"]) == 0
    assert capsys.readouterr().out == EXPECTED_LAST_TWO + "\n"
    assert main(["--config", str(config), "--database", database_url, "attendance",
                 "Security WG"]) == 0
    everything = capsys.readouterr().out
    assert "last 3 meetings" in everything
    assert "carol  r . .  0/3 0%" in everything  # regrets are not presence
    assert "Quorum (2 of 3 members): yes no yes" in everything


def test_the_cli_refuses_a_bad_count_or_group_in_one_line(
        config: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "--database", database_url, "attendance",
                 "Docs WG"]) == 2
    assert capsys.readouterr().err == ("gavel attendance: no group named 'Docs WG' "
                                       "(groups: Security WG)\n")
    with pytest.raises(SystemExit):
        main(["--config", str(config), "--database", database_url, "attendance",
              "Security WG", "--last", "0"])
    assert "not a number of meetings (1 or more): '0'" in capsys.readouterr().err


def test_the_chat_command_tells_the_same_table_to_the_asker_only(
        config: Path, database_url: str) -> None:
    database = Database.open(database_url)
    try:
        chat = Chat(MeetingBot(database, load_settings(config)))
        assert private(chat.slash("dave", "attendance 2")) == [EXPECTED_LAST_TWO]
        assert private(chat.slash("dave", "attendance lots")) == [
            "Usage: /meeting attendance [N], N a number of past meetings from 1 to 52 "
            "(default 10)."]
    finally:
        database.close()


def test_a_group_without_meetings_says_so(tmp_path: Path, database_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["--config", str(config), "--database", database_url, "attendance",
                 "Security WG"]) == 0
    assert capsys.readouterr().out == "Security WG has no past meetings yet.\n"
