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


PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]


def hold_a_season(bot: MeetingBot, count: int = 10) -> None:
    """``count`` weekly meetings from 2023-01-05 whose attendance varies: person ``n``
    comes to a meeting unless ``(3 * meeting + n) % (n + 2) == 0``, and sends regrets every
    third time they miss; each meeting has a topic, notes and two actions."""
    from datetime import date, timedelta

    for m in range(count):
        day = (date(2023, 1, 5) + timedelta(weeks=m)).isoformat()
        lines: list[tuple[str, str]] = []
        for n, who in enumerate(PEOPLE):
            if (m * 3 + n) % (n + 2):
                lines.append((who, "#here"))
            elif m % 3 == 0:
                lines.append((who, "#regrets"))
        lines += [("alice", f"#topic Release {m + 1}"),
                  ("bob", "the nightly builds are green"),
                  ("carol", f"#info {m + 1} pull requests landed this week"),
                  ("dave", f"#action carol to tag v{m + 1}.0"),
                  ("erin", "#action update the security page"),
                  ("alice", "#agreed release on Thursday")]
        hold_meeting(bot, day, lines)
