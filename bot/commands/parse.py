"""The command language: one chat line (or slash command) -> a ``Command``.

Two dialects land on the same commands: MeetBot's ``#word args`` and the W3C scribe
conventions (``present+``, ``topic: ...``, ``ACTION: ...``, ``RESOLUTION: ...``,
``s/old/new/``). Slash commands (``/meeting note ...``) map onto the same names. Every
spelling comes from the command table (``table.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.commands.table import COMMANDS, CommandTable

# `#word` then a space, a colon (`#info: text`) or the end; `#info-dash` is a hashtag.
_HASH = re.compile(r"#([A-Za-z]+)(?:[ \t]*:)?(?:\s+(.*)|$)", re.DOTALL)
# s/old/new/, s|old|new|, with an optional g flag (every occurrence).
_SUBSTITUTE = re.compile(
    r"s(?P<d>[/|])(?P<old>(?:(?!(?P=d))[^\\]|\\.)+)(?P=d)(?P<new>(?:(?!(?P=d))[^\\]|\\.)*)"
    r"(?:(?P=d)(?P<flags>g?))?\s*$", re.DOTALL)
_URL_START = re.compile(r"(https?://\S+)(.*)", re.DOTALL)
# Mootbot's `[TOPIC] text`, `[PROGRESS REPORT] text`.
_BRACKET = re.compile(r"\[\s*([A-Za-z][A-Za-z ]*?)\s*\]\s*(.*)", re.DOTALL)
# scribe.perl's insertion: i/anchor/text/ puts `text` before the line holding `anchor`.
_INSERT = re.compile(r"i([/|])((?:(?!\1).)+)\1((?:(?!\1).)+)\1\s*", re.DOTALL)
# Lines addressed to Zakim: "zakim, take up item 2".
_ZAKIM = re.compile(r"zakim\s*[,:]\s*(.*)", re.IGNORECASE | re.DOTALL)

_W3C_FORM = r"({})\s*{}\s*(.*)"
# ``topic: ...`` is a command, so no line starting with these words names a speaker.
W3C_COLON_WORDS = frozenset(COMMANDS.w3c(":"))


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argument: str = ""
    dialect: str = "meetbot"  # "meetbot" | "w3c" | "slash" | "link"


@cache
def _w3c(table: CommandTable, mark: str) -> tuple[re.Pattern[str], dict[str, str]]:
    names = table.w3c(mark)
    words = "|".join(re.escape(w) for w in sorted(names, key=len, reverse=True))
    return re.compile(_W3C_FORM.format(words, re.escape(mark)),
                      re.IGNORECASE | re.DOTALL), names


@cache
def _openings(table: CommandTable) -> re.Pattern[str]:
    """How a line that is neither ``#`` nor ``[`` must open to hold a command other than a
    Zakim phrase: ``zakim,``, a W3C word and its mark, ``s/``, ``i/``, a link. Most chat
    opens otherwise, and is known for plain chat by this one match (``parse_line``).

    Each part is the opening of the full pattern it stands for, with that pattern's
    flags, so a line failing them all fails every full pattern."""
    forms = [_ZAKIM.pattern.removesuffix(r"\s*(.*)")]
    for mark in "+:":
        words = "|".join(re.escape(w) for w in sorted(table.w3c(mark), key=len, reverse=True))
        forms.append(rf"(?:{words})\s*{re.escape(mark)}")
    return re.compile(rf"(?i:{'|'.join(forms)})|s[/|]|i[/|]|https?://")


_DEFAULT_OPENINGS = _openings(COMMANDS)
# Every opening ``_openings`` matches holds a mark (``zakim,``, ``present+``, ``topic:``, the
# colon of ``https://``) or is an edit's (``s/``, ``i|``): a line with neither is known for
# no command's without running that pattern, which costs a plain chat line (most lines)
# more than three ``in`` scans of it do.
_EDITS = ("s/", "s|", "i/", "i|")


def parse_line(text: str, table: CommandTable = COMMANDS) -> Command | None:
    """The command a chat line holds, or None for plain chat.

    An unknown ``#word`` is plain chat (people use hashtags), never an error.
    """
    line = text.strip()
    if not line:
        return None
    if line.startswith("#"):
        match = _HASH.fullmatch(line)
        if match:
            name = table.words.get(match.group(1).lower())
            if name:
                return Command(name, (match.group(2) or "").strip())
        return None
    if line.startswith("[") and (match := _BRACKET.fullmatch(line)) is not None:
        name = table.brackets.get(" ".join(match.group(1).split()).casefold())
        return Command(name, match.group(2).strip(), "mootbot") if name else None
    if not (":" in line or "+" in line or "," in line) and not line.startswith(_EDITS):
        return _phrase(line, table)  # no opening below can match (see ``_EDITS``)
    openings = _DEFAULT_OPENINGS if table is COMMANDS else _openings(table)
    if openings.match(line) is None:  # no pattern below can match: a phrase, or chat
        return _phrase(line, table)
    if (match := _ZAKIM.fullmatch(line)) is not None:
        return _phrase(match.group(1).strip(), table)
    for mark in "+:":
        pattern, names = _w3c(table, mark)
        # A word the pattern matches only by Unicode case rules (``TOPİC``, with a Turkish
        # dotted capital I) lowers to no word of the table: chat, not a command.
        if ((match := pattern.fullmatch(line)) is not None
                and (name := names.get(match.group(1).lower())) is not None):
            return Command(name, match.group(2).strip(), "w3c")
    if (phrase := _phrase(line, table)) is not None:
        return phrase
    if (match := _SUBSTITUTE.fullmatch(line)) is not None:
        return Command("substitute", line, "w3c")
    if _INSERT.fullmatch(line):
        return Command("insert", line, "w3c")
    if _URL_START.fullmatch(line):
        return Command("link", line, "link")
    return None


def _phrase(line: str, table: CommandTable) -> Command | None:
    """Zakim's phrases (``q+``, ``ack alice``, ``next item``): a phrase alone, or followed
    by a space and the argument."""
    # Casefolding keeps spaces and makes none: the first word folded is the folded line's
    # first word, so most lines are looked up without folding them whole.
    start = line.split(None, 1)
    if not start:
        return None
    folded = ""
    for phrase, name in table.phrases_by_start.get(start[0].casefold(), ()):
        folded = folded or line.casefold()
        if folded == phrase or (folded.startswith(phrase) and folded[len(phrase)].isspace()):
            return Command(name, line[len(phrase):].strip(), "w3c")
    return None


def parse_insertion(argument: str) -> tuple[str, str] | None:
    """``i/anchor/text/`` -> (anchor, text)."""
    match = _INSERT.fullmatch(argument.strip())
    return (match.group(2), match.group(3)) if match else None


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


def parse_slash(text: str, table: CommandTable = COMMANDS) -> Command | None:
    """``/meeting <sub> [args]`` -> a Command; None when the subcommand is unknown."""
    sub, _, rest = text.strip().partition(" ")
    if not sub:
        return Command("help", "", "slash")
    name = table.slash_words.get(sub.lower())
    return Command(name, rest.strip(), "slash") if name else None
