"""Small text rules shared by commands and minutes: names lists, escaping, references."""

from __future__ import annotations

import re
from collections.abc import Iterable

_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


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

    Autolinks (``<https://...>``) stay: the Node.js minutes use them.
    """
    links: list[str] = []

    def keep(match: re.Match[str]) -> str:
        links.append(match.group(0))
        return f"\x00{len(links) - 1}\x00"

    held = _AUTOLINK.sub(keep, text)
    held = _ENTITY.sub("&amp;", held)  # "&lt;b&gt;" typed in a note stays literal too
    held = held.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], held)


def one_line(text: str) -> str:
    """A name, title or affiliation as the minutes show it: on one line, shown literally."""
    return escape_markdown_html(_LINE_BREAKS.sub(" ", text.strip()))


def escape_title(title: str) -> str:
    """Issue titles in a Markdown list: one line, and brackets would start a link."""
    return one_line(title).replace("[", "\\[").replace("]", "\\]")
