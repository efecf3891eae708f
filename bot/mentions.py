"""Mentions inside a line of text: ``<@id>`` where the person was mentioned.

Adapters write every mention of a platform user as ``<@id>`` (Discord's own form; Slack's
``<@U123|name>`` loses its label) and list the ids in ``Event.mentions``; a ``<@id>``
whose id is not listed there is plain text. Commands about people read the ids from here,
so two people with one display name, or a typed name that equals someone's, are never
mixed up; everything stored or shown gets the names (``shown``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MENTION = re.compile(r"<@!?([A-Za-z0-9]+)>")


def shown(text: str, mentions: Mapping[str, str]) -> str:
    """The text as people read it: each mention as the name (the minutes read "Rafael",
    and an action names its owner as a plain line would)."""
    if not mentions or "<@" not in text:
        return text

    def name(match: re.Match[str]) -> str:
        user_id = match.group(1)
        return mentions[user_id] if user_id in mentions else match.group(0)

    return _MENTION.sub(name, text)


def split_mentions(text: str, mentions: Mapping[str, str]
                   ) -> tuple[list[tuple[str, str]], str]:
    """(user id, name) of each mention in ``text``, and the text left with them taken out
    (a space in their place)."""
    found: list[tuple[str, str]] = []

    def take(match: re.Match[str]) -> str:
        user_id = match.group(1)
        if user_id not in mentions:
            return match.group(0)
        found.append((user_id, mentions[user_id]))
        return " "

    rest = _MENTION.sub(take, text)
    return found, rest


def mention(user_id: str) -> str:
    """How a mention is written in an event's text."""
    return f"<@{user_id}>"
