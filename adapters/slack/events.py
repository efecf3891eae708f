"""Slack payloads -> ``bot.events.Event``.

Slack sends message text in its own markup: ``<@U123>`` for a mention, ``<https://x|label>``
for a link, ``<!here>`` for a broadcast, and ``&amp;``/``&lt;``/``&gt;`` for the three
characters it reserves. The core wants what the person meant: plain URLs, literal ``&<>``,
and each mention as ``<@U0R4F>`` with its name in ``Event.mentions`` (the core shows the
name, so the minutes read "Rafael", and knows exactly who was meant).

Everything here is a pure function of the payload and the names already looked up;
``people.py`` does the looking up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.events import Author, Event, EventKind, Place

PLATFORM = "slack"

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]*))?>")

# Message subtypes that are somebody saying something; every other subtype (joins, topic
# changes, bot messages, ...) is not a line of the meeting.
_SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def mentioned_ids(text: str) -> list[str]:
    """User ids mentioned in Slack markup, in order, without repeats."""
    return list(dict.fromkeys(_MENTION.findall(text)))


def to_plain_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack markup -> what the person typed; mentions become display names, or stay as
    ``<@id>`` for the core when no ``names`` are given."""

    def mention(match: re.Match[str]) -> str:
        if names is None:
            return f"<@{match.group(1)}>"
        return names.get(match.group(1)) or match.group(1)

    def channel(match: re.Match[str]) -> str:
        return "#" + (match.group(2) or match.group(1))

    def special(match: re.Match[str]) -> str:
        # <!here> -> "@here" (shown, never re-sent as a ping: render.py escapes and defuses it),
        # <!subteam^S1|@team> -> "@team", <!date^...|fallback> -> fallback.
        return match.group(2) or "@" + match.group(1)

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        bare = url.removeprefix("mailto:")
        if not label:
            return bare
        if label in (url, bare) or url.endswith("//" + label):
            return label  # Slack linked what was typed: keep it as typed
        return f"[{label}]({url})"

    text = _MENTION.sub(mention, text)
    text = _CHANNEL.sub(channel, text)
    text = _SPECIAL.sub(special, text)
    text = _LINK.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_time(ts: str) -> datetime:
    """A message ``ts`` ("1674140400.000200") is its posting instant."""
    return datetime.fromtimestamp(float(ts), UTC)


@dataclass(frozen=True, slots=True)
class MessageChange:
    """What a ``message`` event asks of the meeting, before names are known."""

    kind: EventKind
    user_id: str
    text: str  # Slack markup, still
    ts: str  # the message's own ts: the note's message_id
    thread_ts: str = ""
    at: datetime | None = None


def read_message_event(event: Mapping[str, Any], bot_user_id: str = "") -> MessageChange | None:
    """The change a ``message`` event makes, or None when it is no line of the meeting."""
    subtype = event.get("subtype")
    reader = _MESSAGE_READERS.get(subtype) if subtype in _MESSAGE_READERS else (
        _read_new if subtype in _SPOKEN_SUBTYPES else None)
    if reader is None:
        return None
    change = reader(event)
    if change is None or not change.user_id or change.user_id == bot_user_id:
        return None
    return change


def _is_bot(message: Mapping[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def _thread_of(message: Mapping[str, Any]) -> str:
    thread_ts = str(message.get("thread_ts") or "")
    return "" if thread_ts == message.get("ts") else thread_ts


def _read_new(event: Mapping[str, Any]) -> MessageChange | None:
    if _is_bot(event):
        return None
    ts = str(event.get("ts", ""))
    return MessageChange(EventKind.MESSAGE, str(event.get("user", "")),
                         str(event.get("text") or ""), ts, _thread_of(event),
                         slack_time(ts) if ts else None)


def _read_changed(event: Mapping[str, Any]) -> MessageChange | None:
    message = event.get("message") or {}
    previous = event.get("previous_message") or {}
    if _is_bot(message):
        return None
    if previous and previous.get("text") == message.get("text"):
        return None  # a link unfurled or a reaction count changed: the words did not
    when = str(event.get("event_ts") or event.get("ts") or "")
    return MessageChange(EventKind.EDIT, str(message.get("user", "")),
                         str(message.get("text") or ""), str(message.get("ts", "")),
                         _thread_of(message), slack_time(when) if when else None)


def _read_deleted(event: Mapping[str, Any]) -> MessageChange | None:
    previous = event.get("previous_message") or {}
    if _is_bot(previous):
        return None
    when = str(event.get("event_ts") or event.get("ts") or "")
    return MessageChange(EventKind.DELETE, str(previous.get("user", "")), "",
                         str(event.get("deleted_ts") or previous.get("ts") or ""),
                         _thread_of(previous), slack_time(when) if when else None)


_MESSAGE_READERS: dict[str | None, Callable[[Mapping[str, Any]], MessageChange | None]] = {
    "message_changed": _read_changed,
    "message_deleted": _read_deleted,
}


def message_to_event(change: MessageChange, team_id: str, channel_id: str,
                     names: Mapping[str, str], now: datetime) -> Event:
    """The core's Event for a message change, once the names it mentions are known."""
    mentions = {uid: names.get(uid, uid) for uid in mentioned_ids(change.text)}
    return Event(
        kind=change.kind,
        place=Place(PLATFORM, channel_id, team_id),
        author=Author(change.user_id, names.get(change.user_id) or change.user_id),
        at=change.at or now,
        text=to_plain_text(change.text),
        message_id=change.ts,
        thread_id=change.thread_ts,
        mentions=mentions,
    )


def command_to_event(command: Mapping[str, Any], names: Mapping[str, str],
                     now: datetime) -> Event:
    """``/meeting <text>`` -> a COMMAND event (a slash command has no message of its own)."""
    user_id = str(command.get("user_id", ""))
    text = str(command.get("text") or "")
    return Event(
        kind=EventKind.COMMAND,
        place=Place(PLATFORM, str(command.get("channel_id", "")), str(command.get("team_id", ""))),
        author=Author(user_id, names.get(user_id) or str(command.get("user_name") or user_id)),
        at=now,
        text=to_plain_text(text),
        mentions={uid: names.get(uid, uid) for uid in mentioned_ids(text)},
    )


def button_to_event(body: Mapping[str, Any], action: Mapping[str, Any],
                    names: Mapping[str, str], now: datetime) -> Event:
    """A button press on one of our messages -> a BUTTON event naming the button."""
    user = body.get("user") or {}
    user_id = str(user.get("id", ""))
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    channel = str((body.get("channel") or {}).get("id")
                  or (body.get("container") or {}).get("channel_id") or "")
    fallback = str(user.get("name") or user.get("username") or user_id)
    return Event(
        kind=EventKind.BUTTON,
        place=Place(PLATFORM, channel, team_id),
        author=Author(user_id, names.get(user_id) or fallback),
        at=now,
        action=str(action.get("action_id") or action.get("value") or ""),
        message_id=str((body.get("container") or {}).get("message_ts") or ""),
    )
