"""Chat clients' log formats that ``gavel replay`` recognises without being told:
irssi, WeeChat, HexChat (and ZNC, whose ``[HH:MM:SS] <nick>`` lines ``replay`` reads
itself), and DiscordChatExporter's JSON. Slack's export is ``replay_slack``.

Each reader turns one line into what was said, by whom and when, a client's own line
(joins, "Log opened", mode changes) into ``CLIENT_LINE``, and anything else into None so
the next format may try. Known meeting bots (RRSAgent, Zakim, trackbot, MeetBot...) are
not people: their lines are kept out of the meeting by ``is_meeting_bot``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

# Bots whose lines are answers to people, never people's words (W3C's, IRC meeting bots).
MEETING_BOTS: Final = frozenset({
    "rrsagent", "zakim", "trackbot", "github-bot", "meetbot", "meetingology", "mootbot",
    "hcoop-meetbot", "zodbot", "gavel"})  # zodbot: Fedora's MeetBot


def is_meeting_bot(nick: str) -> bool:
    return nick.casefold().lstrip("@+%&~") in MEETING_BOTS


@dataclass(frozen=True, slots=True)
class Said:
    """A chat line: ``day`` when the line itself carries a date (WeeChat, HexChat)."""

    nick: str
    text: str
    hour: int
    minute: int
    second: int
    day: date | None = None


CLIENT_LINE: Final = "client"
Read = Said | Literal["client"] | None
_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# irssi: "15:00:01 < alice> text", "15:00 <@alice> text", " * alice waves".
_IRSSI = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?\s<[ @+%&~]([^>]+)>\s?(.*)", re.DOTALL)
_IRSSI_ACTION = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?\s{1,2}\*\s(\S+)\s(.*)", re.DOTALL)
# irssi's "--- Log opened Thu Jan 19 15:00:00 2023" / "--- Day changed Fri Jan 20 2023".
_IRSSI_DAY = re.compile(
    r"--- (?:Log opened|Day changed) \w{3} (\w{3}) (\d{1,2})(?: [\d:]+)? (\d{4})")
_IRSSI_OTHER = re.compile(r"--- Log (?:opened|closed) .*")
# WeeChat: "2023-01-19 15:00:01<TAB>@alice<TAB>text"; joins have -->, <--, -- as the nick.
_WEECHAT = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\t([^\t]*)\t(.*)",
                      re.DOTALL)
_WEECHAT_SYSTEM = {"-->", "<--", "--", "=!=", "", "-"}
# HexChat: "Jan 19 15:00:01 <alice><TAB>text"; "**** BEGIN LOGGING AT Thu Jan 19 ... 2023".
_HEXCHAT = re.compile(r"([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+)\t(.*)",
                      re.DOTALL)
_HEXCHAT_HEADER = re.compile(r"\*{4} (?:BEGIN|ENDING) LOGGING AT \w{3} (\w{3}) +(\d{1,2}) "
                             r"[\d:]+ (\d{4})")


class ClientLog:
    """Reads lines of the clients' formats, remembering the date a header gave."""

    def __init__(self) -> None:
        self.day: date | None = None
        self.year: int | None = None

    def read(self, line: str) -> Read:
        if match := _IRSSI_DAY.fullmatch(line):
            self.day = _day(int(match.group(3)), match.group(1), match.group(2))
            return CLIENT_LINE
        if _IRSSI_OTHER.fullmatch(line):
            return CLIENT_LINE
        if match := _HEXCHAT_HEADER.match(line):
            self.year = int(match.group(3))
            return CLIENT_LINE
        if match := _WEECHAT.fullmatch(line):
            return _weechat(match)
        if match := _HEXCHAT.fullmatch(line):
            return self._hexchat(match)
        if match := _IRSSI.fullmatch(line):
            hour, minute, second, nick, text = match.groups()
            return Said(nick.strip(), text, int(hour), int(minute), int(second or 0),
                        self._take_day())
        if match := _IRSSI_ACTION.fullmatch(line):
            hour, minute, second, nick, text = match.groups()
            return Said(nick, text, int(hour), int(minute), int(second or 0), self._take_day())
        return None

    def _take_day(self) -> date | None:
        """The header's date goes with the first line after it (the clock counts on)."""
        day, self.day = self.day, None
        return day

    def _hexchat(self, match: re.Match[str]) -> Read:
        month, day, hour, minute, second, who, text = match.groups()
        stamp = (int(hour), int(minute), int(second))
        when = _day(self.year, month, day) if self.year else None
        if who.startswith("<") and who.endswith(">"):
            return Said(who[1:-1].lstrip("@+%&~"), text, *stamp, when)
        if who == "*" and " " in text:  # an action: "*<TAB>alice waves"
            nick, _, rest = text.partition(" ")
            return Said(nick, rest, *stamp, when)
        return CLIENT_LINE  # -->, <--, ---: joins, parts, modes


def _weechat(match: re.Match[str]) -> Read:
    year, month, day, hour, minute, second, prefix, text = match.groups()
    when = date(int(year), int(month), int(day))
    stamp = (int(hour), int(minute), int(second))
    prefix = prefix.strip()
    if prefix == "*" and " " in text:  # an action
        nick, _, rest = text.partition(" ")
        return Said(nick, rest, *stamp, when)
    if prefix in _WEECHAT_SYSTEM or prefix.startswith(("-", "<", "=")):
        return CLIENT_LINE
    return Said(prefix.lstrip("@+%&~"), text, *stamp, when)


def _day(year: int | None, month: str, day: str) -> date | None:
    number = _MONTHS.get(month.casefold())
    if year is None or number is None:
        return None
    try:
        return date(year, number, int(day))
    except ValueError:
        return None


# -- DiscordChatExporter's JSON ------------------------------------------------------------

_SPOKEN_DISCORD = {"Default", "Reply"}
_DISCORD_MENTION = re.compile(r"<@!?(\d+)>")


@dataclass(frozen=True, slots=True)
class DiscordMessage:
    number: int
    nick: str
    text: str
    at: datetime
    message_id: str


def _named_mentions(content: str, names: dict[str, str]) -> str:
    return _DISCORD_MENTION.sub(lambda m: names.get(m.group(1), m.group(0)), content)


def as_discord_export(text: str) -> list[Any] | None:
    """The messages when ``text`` is a DiscordChatExporter JSON file, else None."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        return None
    if "channel" not in data and "guild" not in data:
        return None
    messages: list[Any] = data["messages"]
    return messages


def discord_messages(messages: list[Any], problems: list[str]) -> list[DiscordMessage]:
    """People's messages, oldest first; bots', joins' and pins' are not the meeting's."""
    read: list[DiscordMessage] = []
    for number, message in enumerate(messages, 1):
        author = message.get("author") if isinstance(message, dict) else None
        if not isinstance(message, dict) or not isinstance(author, dict):
            problems.append(f"message {number}: not a Discord message (skipped)")
            continue
        if message.get("type", "Default") not in _SPOKEN_DISCORD or author.get("isBot"):
            continue
        nick = author.get("nickname") or author.get("name")
        content = message.get("content")
        if not isinstance(nick, str) or not nick.strip() or not isinstance(content, str):
            problems.append(f"message {number}: no author or content (skipped)")
            continue
        try:
            at = datetime.fromisoformat(str(message.get("timestamp", "")).replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"message {number}: the timestamp cannot be read (skipped)")
            continue
        names = {str(m.get("id")): str(m.get("nickname") or m.get("name"))
                 for m in message.get("mentions") or () if isinstance(m, dict)}
        content = _named_mentions(content, names)
        read.append(DiscordMessage(number, nick.strip(), content, at,
                                   str(message.get("id") or f"message-{number}")))
    return sorted(read, key=lambda m: m.at)
