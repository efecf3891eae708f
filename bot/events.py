"""What adapters hand the core: one platform-neutral record per chat happening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class EventKind(Enum):
    MESSAGE = "message"  # a chat line (may hold a `#` command, a W3C line or plain chat)
    EDIT = "edit"  # a chat line was edited: its note follows
    DELETE = "delete"  # a chat line was deleted: its note goes
    COMMAND = "command"  # a slash command: `/meeting <text>`
    BUTTON = "button"  # a button press: `action` names it
    PRESENCE = "presence"  # joined or left the meeting's call: `action` is "join" | "leave",
    # or "roll": `mentions` holds everyone in the call now


@dataclass(frozen=True, slots=True)
class Author:
    """Who spoke, as the platform knows them."""

    user_id: str
    name: str
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where it happened: a channel on one platform (and workspace or guild)."""

    platform: str
    channel: str
    workspace: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    place: Place
    author: Author
    at: datetime  # aware, UTC
    text: str = ""
    message_id: str = ""  # the platform's id for the source message, for edits/deletes
    thread_id: str = ""  # the thread root's message id, when posted in a thread
    action: str = ""  # for BUTTON: which button
    # Platform user id -> name of everyone the text mentions; the text holds each mention
    # as ``<@id>`` (bot.mentions), so the core knows exactly who, never by name.
    mentions: dict[str, str] = field(default_factory=dict)
    # A slash command's typed options by name (a ``user`` option's value is the user id);
    # ``text`` is then just the command's name.
    options: dict[str, str] = field(default_factory=dict)
