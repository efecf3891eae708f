"""Meetings held through the real handler, for the attendance and archive tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.effects import Effect
from tests.conftest import Chat


def hold_meeting(bot: MeetingBot, day: str, lines: list[tuple[str, str]],
                 chair: str = "alice", title: str = "") -> list[Effect]:
    """``#startmeeting`` by ``chair`` at 15:00 UTC on ``day``, ``lines``, ``#endmeeting``;
    the effects of the end (its summary post carries the minutes)."""
    chat = Chat(bot, start=datetime.fromisoformat(f"{day}T15:00:00").replace(tzinfo=UTC))
    chat.say(chair, f"#startmeeting {title}".strip())
    for who, text in lines:
        chat.say(who, text)
    return chat.say(chair, "#endmeeting")


THREE_MEETINGS: list[tuple[str, list[tuple[str, str]]]] = [
    ("2023-01-05", [("alice", "#here"), ("bob", "#here"), ("carol", "#regrets"),
                    ("alice", "#topic Release plan"),
                    ("bob", "#action bob to cut the release")]),
    ("2023-01-12", [("alice", "#here"), ("dave", "#here"), ("bob", "#regrets"),
                    ("dave", "#info the CI is green again")]),
    ("2023-01-19", [("alice", "#here"), ("bob", "#here"),
                    ("alice", "#topic Security release"),
                    ("bob", "#action alice to review the advisory"),
                    ("bob", "#action write the blog post"),
                    ("alice", "#agreed ship it on Tuesday")]),
]


def hold_three_meetings(bot: MeetingBot) -> None:
    for day, lines in THREE_MEETINGS:
        hold_meeting(bot, day, lines)


def write_config(tmp_path: Path, extra: str = "", group_extra: str = "") -> Path:
    config = tmp_path / "gavel.toml"
    config.write_text(f"""{extra}
[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
members = ["alice", "@bob", "carol"]
{group_extra}
""", encoding="utf-8")
    return config
