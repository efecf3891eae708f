"""Small text rules shared by commands and minutes: names lists, escaping, references."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Kept as typed: an autolink, or a code span (not after a backslash, which makes its
# backtick literal; an unclosed backtick run is no code span, and the text after it is
# escaped as usual).
_KEPT = re.compile(r"<https?://[^<>\s]+>|(?<![`\\])(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
# What Markdown (or a chat platform) would read as markup: "<" before a letter, "/", "!",
# "?", "@", "#" or ":", up to its ">" if on the same line.
_TAG = re.compile(r"<([A-Za-z/!?@#:][^<>\n]*)(>?)")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The ASCII characters ``_CONTROL`` does not match: tab, line feed and the printable ones.
_ASCII_KEPT = b"\t\n" + bytes(range(0x20, 0x7F))


def split_names(argument: str, full_names: bool = False) -> list[str]:
    """``"Alice, Bob Smith"`` -> two names; without commas, whitespace separates nicks.

    Commas are how people list full names (W3C ``present+ Joe Sepi, Ann Lee``); a bare
    ``#chair alice bob`` is IRC-style nicks. With ``full_names`` (attendance), only commas
    separate: ``#regrets Marco Ippolito`` is one person.
    """
    argument = argument.strip()
    if not argument:
        return []
    if "," in argument or full_names:
        return [part.strip() for part in argument.split(",") if part.strip()]
    return argument.split()


def quote_names(names: Iterable[str]) -> str:
    return ", ".join(names)


def escape_markdown_html(text: str) -> str:
    """Keep Markdown, but show HTML and chat mention syntax (``<!channel>``) literally.

    Only what would render as something else is escaped: a ``<`` that opens a tag, a
    comment or declaration (``<b>``, ``</i>``, ``<!--``, ``<?``) or a chat mention
    (``<@U1>``, ``<#C1>``, ``<!here>``, ``<:emoji:1>``), with its closing ``>``, and a typed
    entity (``&lt;``). ``->``, ``signal < 1`` and ``a > b`` stay as typed. Autolinks
    (``<https://...>``: the Node.js minutes use them) and code spans (```<T>```, shown
    literally by Markdown itself) are kept whole: the text is cut at them and only the
    pieces between are escaped, so nothing a person types is read back as something else.
    """
    if "<" not in text and "&" not in text:
        return text  # nothing to escape, as in most notes (no scan needed)
    pieces: list[str] = []
    end = 0
    for match in _KEPT.finditer(text):
        pieces += [_literal(text[end:match.start()]), match.group(0)]
        end = match.end()
    pieces.append(_literal(text[end:]))
    return "".join(pieces)


def _literal(text: str) -> str:
    text = _ENTITY.sub("&amp;", text)  # "&lt;b&gt;" typed in a note stays literal too
    return _TAG.sub(lambda m: "&lt;" + m.group(1) + ("&gt;" if m.group(2) else ""), text)


def drop_control_characters(text: str) -> str:
    """Text as a person could have meant it: line breaks and tabs kept, ``\\r\\n`` read as a
    line break, and the other control characters (NUL, escapes, C1) and lone surrogates
    (undecodable bytes) dropped: PostgreSQL refuses NUL, and none of them shows anyway."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_control_characters(text: str) -> bool:
    """Whether ``drop_control_characters`` would change ``text`` (a carriage return is
    one of them): most lines have none, and checking is cheaper than rebuilding.

    ASCII text (most lines; the core checks every event's) is checked as bytes: deleting
    the characters ``_CONTROL`` keeps leaves the others, in C, in less time than the
    pattern's search takes (``str.isascii`` itself is a flag read)."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_KEPT))
    return _CONTROL.search(text) is not None


def one_line(text: str) -> str:
    """A name, title or affiliation as the minutes show it: on one line, shown literally."""
    return escape_markdown_html(_LINE_BREAKS.sub(" ", text.strip()))


def escape_title(title: str) -> str:
    """Issue titles in a Markdown list: one line, and brackets would start a link."""
    return one_line(title).replace("[", "\\[").replace("]", "\\]")


# -- agenda titles as people type them ----------------------------------------------------

# The link a standing item carries after its title in the config (``Vulnerability Review -
# https://...``), which nobody types; any case, so that it is a tail whenever the title's
# casefolded spelling shows one (see ``title_keys``).
_URL_TAIL = re.compile(r"\s+-\s+<?https?://\S+>?\s*$", re.IGNORECASE)


def spaced_title(title: str) -> str:
    """A title in any case, its spaces collapsed: ``#topic`` names an item by this first."""
    return " ".join(title.split()).casefold()


def bare_title(title: str) -> str:
    """A title as people say it: folded, spaces collapsed, without a standing item's URL
    tail. The store keeps it beside each agenda item (``title_key``) so that a title is
    looked up, not searched for, however long the agenda grows."""
    return " ".join(_URL_TAIL.sub("", title).split()).casefold()


def title_keys(text: str) -> tuple[str, str, str]:
    """Keys (``bare_title``) under which every item that ``text`` names, by either rule,
    is stored. Reading the same spaced means reading the same bare (the tail is matched
    in any case, as casefolding reads it), except for a text that is nothing but a tail:
    a tail is cut only after a space, so ``" - https://x"`` and ``"- https://x"`` read the
    same spaced yet differ bare. Hence the text's key, its key with a space before it, and
    its spaced spelling (one value without a tail, two or three with one)."""
    return bare_title(text), bare_title(" " + text), spaced_title(text)
