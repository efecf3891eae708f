"""The command language: one chat line (or slash command) -> a ``Command``.

Two dialects land on the same commands: MeetBot's ``#word args`` and the W3C scribe
conventions (``present+``, ``topic: ...``, ``ACTION: ...``, ``RESOLUTION: ...``,
``s/old/new/``). Slash commands (``/meeting note ...``) map onto the same names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every spelling -> the one name the handler knows.
ALIASES: dict[str, str] = {
    "startmeeting": "startmeeting",
    "endmeeting": "endmeeting",
    "meetingname": "meetingname",
    "meetinglink": "meetinglink",
    "chair": "chair",
    "unchair": "unchair",
    "scribe": "scribe",
    "unscribe": "unscribe",
    "lurk": "lurk",
    "unlurk": "unlurk",
    "agenda": "agenda",
    "topic": "topic",
    "next": "next",
    "info": "info",
    "note": "info",
    "idea": "idea",
    "action": "action",
    "agreed": "agreed",
    "agree": "agreed",
    "accepted": "agreed",
    "accept": "agreed",
    "resolved": "agreed",
    "rejected": "rejected",
    "reject": "rejected",
    "link": "link",
    "halp": "halp",
    "question": "question",
    "undo": "undo",
    "here": "here",
    "present": "present",
    "regrets": "regrets",
    "nick": "nick",
    "help": "help",
    "commands": "help",
}

# `/meeting <sub>` -> command name. Anything else gets the usage text.
SLASH_SUBCOMMANDS: dict[str, str] = {
    "start": "startmeeting",
    "end": "endmeeting",
    "name": "meetingname",
    "rename": "meetingname",

    "minutes": "minutes",
    "publish": "publish",
    "upcoming": "upcoming",
    "attendance": "attendance",
    **{name: name for name in set(ALIASES.values())},
    "note": "info",
    "agree": "agreed",
    "next": "next",
}

# `#word` then a space, a colon (`#info: text`) or the end; `#info-dash` is a hashtag.
_HASH = re.compile(r"#([A-Za-z]+)(?:[ \t]*:)?(?:\s+(.*)|$)", re.DOTALL)
_W3C_COLON = re.compile(r"(topic|action|resolution|resolved|scribe|scribenick)\s*:\s*(.*)",
                        re.IGNORECASE | re.DOTALL)
_W3C_PLUS = re.compile(r"(present|regrets|agenda)\s*\+\s*(.*)", re.IGNORECASE | re.DOTALL)
# s/old/new/, s|old|new|, with an optional g flag (every occurrence).
_SUBSTITUTE = re.compile(
    r"s(?P<d>[/|])(?P<old>(?:(?!(?P=d))[^\\]|\\.)+)(?P=d)(?P<new>(?:(?!(?P=d))[^\\]|\\.)*)"
    r"(?:(?P=d)(?P<flags>g?))?\s*$", re.DOTALL)
_URL_START = re.compile(r"(https?://\S+)(.*)", re.DOTALL)

_W3C_NAMES = {
    "topic": "topic",
    "action": "action",
    "resolution": "agreed",
    "resolved": "agreed",
    "scribe": "scribe",
    "scribenick": "scribe",
}
# ``topic: ...`` is a command, so no line starting with these words names a speaker.
W3C_COLON_WORDS = frozenset(_W3C_NAMES)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argument: str = ""
    dialect: str = "meetbot"  # "meetbot" | "w3c" | "slash" | "link"


def parse_line(text: str) -> Command | None:
    """The command a chat line holds, or None for plain chat.

    An unknown ``#word`` is plain chat (people use hashtags), never an error.
    """
    line = text.strip()
    if not line:
        return None
    if line.startswith("#"):
        match = _HASH.fullmatch(line)
        if match:
            name = ALIASES.get(match.group(1).lower())
            if name:
                return Command(name, (match.group(2) or "").strip())
        return None
    if (match := _W3C_PLUS.fullmatch(line)) is not None:
        word = match.group(1).lower()
        argument = match.group(2).strip()
        if word == "agenda":
            return Command("agenda", f"add {argument}".strip(), "w3c")
        return Command(word, argument, "w3c")
    if (match := _W3C_COLON.fullmatch(line)) is not None:
        return Command(_W3C_NAMES[match.group(1).lower()], match.group(2).strip(), "w3c")
    if (match := _SUBSTITUTE.fullmatch(line)) is not None:
        return Command("substitute", line, "w3c")
    if _URL_START.fullmatch(line):
        return Command("link", line, "link")
    return None


@dataclass(frozen=True, slots=True)
class Substitution:
    old: str
    new: str
    every: bool  # the g flag


def parse_substitution(argument: str) -> Substitution | None:
    match = _SUBSTITUTE.fullmatch(argument.strip())
    if not match:
        return None
    delimiter = match.group("d")

    def unescape(value: str) -> str:
        return value.replace("\\" + delimiter, delimiter)

    return Substitution(unescape(match.group("old")), unescape(match.group("new")),
                        match.group("flags") == "g")


def parse_slash(text: str) -> Command | None:
    """``/meeting <sub> [args]`` -> a Command; None when the subcommand is unknown."""
    sub, _, rest = text.strip().partition(" ")
    if not sub:
        return Command("help", "", "slash")
    if sub.lower() == "add":  # `/meeting add X` reads as adding X to the agenda
        return Command("agenda", f"add {rest.strip()}".strip(), "slash")
    name = SLASH_SUBCOMMANDS.get(sub.lower())
    return Command(name, rest.strip(), "slash") if name else None
