"""``parse_line``'s shortcut for plain chat: a line holding no mark (``,``, ``:``, ``+``)
and opening with no edit (``s/``, ``i|``) skips the openings pattern, so every line that
pattern could take must hold one of them."""

from __future__ import annotations

import pytest

from bot.commands.parse import _EDITS, _openings, parse_line
from bot.commands.table import COMMANDS


def _openers() -> list[str]:
    """A line opening as each command form the openings pattern stands for."""
    lines = [f"{word}{space}{mark} x" for mark in "+:" for word in COMMANDS.w3c(mark)
             for space in ("", "  ")]
    return [*lines, *(line.upper() for line in lines), "zakim, next item", "Zakim: q?",
            "s/old/new/", "s|old|new|g", "i/anchor/text/", "i|a|b|", "https://x.org/1",
            "http://x.org"]


@pytest.mark.parametrize("line", _openers())
def test_every_line_the_openings_take_holds_a_mark_or_opens_an_edit(line: str) -> None:
    assert _openings(COMMANDS).match(line) is not None
    assert any(mark in line for mark in ",:+") or line.startswith(_EDITS)


@pytest.mark.parametrize(("line", "name"), [
    ("topic: Budget", "topic"), ("Present+ alice", "present"), ("RESOLUTION : ship it", "agreed"),
    ("s/teh/the/", "substitute"), ("i/anchor/inserted/", "insert"),
    ("https://example.org/issue/1", "link"), ("zakim, next item", "next"), ("q+", "queue"),
    ("ack alice", "ack")])
def test_command_lines_still_parse(line: str, name: str) -> None:
    command = parse_line(line)
    assert command is not None and command.name == name


@pytest.mark.parametrize("line", [
    "release a the build and the policy", "topic next week is the budget",
    "present alice and bob", "see http colon slash slash", "sure", "is it"])
def test_plain_chat_is_no_command(line: str) -> None:
    assert parse_line(line) is None
