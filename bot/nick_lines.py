"""``nick: text``: how the console and plain chat logs say who is speaking.

One definition for both (they must agree, or a log replays differently from the meeting it
records). A nick is one word in any script (``محمد``, ``李雷``, ``प्रिया``, ``José``), with
IRC's punctuation allowed; the W3C scribe keywords (``topic: ...``, ``ACTION: ...``) and
URLs are commands and links, never nicks.
"""

from __future__ import annotations

import re
import unicodedata

from bot.commands.parse import W3C_COLON_WORDS

NICK_LIMIT = 32  # characters
_LINE = re.compile(rf"(\S{{1,{NICK_LIMIT}}}):\s(.*)", re.DOTALL)
_IRC_PUNCTUATION = set("_-.[]|^`{}\\")
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ (Persian names), ZWJ (emoji sequences)
_NOT_NICKS = W3C_COLON_WORDS | {"http", "https"}


def split_nick_line(line: str) -> tuple[str, str] | None:
    """``"李雷: #agreed 同意"`` -> ``("李雷", "#agreed 同意")``; None when the line names
    nobody (it is then said by whoever is speaking)."""
    match = _LINE.fullmatch(line)
    if match is None or not is_nick(match.group(1)):
        return None
    return match.group(1), match.group(2)


def is_nick(word: str) -> bool:
    if word.casefold() in _NOT_NICKS:
        return False
    first = unicodedata.category(word[0])
    if not (first.startswith("L") or first == "So" or word[0] in _IRC_PUNCTUATION):
        return False
    return all(_in_nick(c) for c in word[1:])


def _in_nick(char: str) -> bool:
    """Letters, marks and digits of any script, emoji (with their modifiers), IRC's
    punctuation; not math or currency signs (``a<b: x`` names nobody)."""
    category = unicodedata.category(char)
    return (category[0] in "LMN" or category in ("So", "Sk") or char in _IRC_PUNCTUATION
            or char in _JOINERS)
