"""A Slack export's channel-day file (``general/2023-01-19.json``: one JSON array of
message objects) as replay lines.

Recognised by its shape, so ``gavel replay`` takes the file as Slack wrote it instead of
reading each of its lines as a broken JSON line and compiling empty minutes. Slack's markup
is undone as the live adapter does (``<@U1>`` -> the person's name, ``<url|label>``,
``&amp;``); it is repeated here in a few lines because the replay must not load Bolt, which
importing ``adapters.slack`` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from bot.text import visible

# Someone saying something; joins, topic changes and bot posts (Gavel's own among them)
# are not lines of the meeting.
_SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]*))?>")


def as_export(text: str) -> list[Any] | None:
    """The messages when ``text`` is one JSON array (a Slack export file), else None."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith("["):
        return None  # IRC logs start with "[" too: only a whole JSON array counts
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, list) else None


def _name(message: dict[str, Any]) -> str:
    profile = message.get("user_profile")
    profile = profile if isinstance(profile, dict) else {}
    for value in (profile.get("display_name"), profile.get("real_name"), profile.get("name"),
                  message.get("user")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _plain(text: str, names: dict[str, str]) -> str:
    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        bare = url.removeprefix("mailto:")
        if not label or label in (url, bare) or url.endswith("//" + label):
            return label or bare
        return f"[{label}]({url})"

    text = _MENTION.sub(lambda m: names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: m.group(2) or "@" + m.group(1), text)
    text = _LINK.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


SlackLine = tuple[int, str, str, str, datetime]  # message number, nick, text, ts, instant


def export_lines(messages: list[Any], when: Callable[[object], datetime],
                 problems: list[str]) -> Iterator[SlackLine]:
    """The spoken messages, oldest first; a message that cannot be read is reported by
    its number (1-based, in the file's order) and the rest go on."""
    names = {m["user"]: _name(m) for m in messages
             if isinstance(m, dict) and isinstance(m.get("user"), str) and _name(m)}
    spoken = 0
    for number, message in enumerate(messages, 1):
        if not isinstance(message, dict) or "ts" not in message:
            problems.append(f"message {number}: not a Slack message (no \"ts\"; skipped)")
            continue
        if message.get("subtype") not in _SPOKEN_SUBTYPES or message.get("bot_id"):
            continue
        nick, text = _name(message), message.get("text", "")
        if not nick or not isinstance(text, str):
            problems.append(f"message {number}: no user or text (skipped)")
            continue
        try:
            at = when(message["ts"])
        except (ValueError, OverflowError, TypeError) as exc:
            problems.append(f"message {number}: {visible(str(exc))}")
            continue
        spoken += 1
        yield number, nick, _plain(text, names), str(message["ts"]), at
    if not spoken:
        problems.append("a JSON array without Slack messages: give a channel's day file "
                        "from the export, such as general/2023-01-19.json")
