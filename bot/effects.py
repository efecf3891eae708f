"""What the core asks adapters to do, in platform-neutral terms.

Text is plain: adapters must render it so that nothing in it pings anyone (Slack escapes
``<``/``>``/``&``, Discord sends with no allowed mentions). Anything richer (buttons,
instants shown in each reader's zone, files) is a structured field, rendered natively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.events import Place


class Purpose(StrEnum):
    """What a post is for, so adapters and jobs can tell posts apart without reading text.

    An enum, not free text: the core and the adapters branch on it (Discord's embed
    colours, the lurking filter, the publish job), and a misspelt string would silently
    take the wrong branch where a misspelt member is a type error.
    """

    NONE = ""  # plain chat: nothing reads it
    START = "start"  # the meeting began (Discord counts the voice channel in)
    MINUTES = "minutes"  # the minutes of an ended meeting (said even while lurking)
    REMINDER = "reminder"  # a meeting is coming up
    NEXT = "next"  # the reply to `next`: the group's next meeting
    UPCOMING = "upcoming"  # the reply to `upcoming`: the next few meetings
    PUBLISH = "publish"  # minutes published (or being published) to GitHub
    PUBLISH_FAILED = "publish_failed"  # publishing failed; a job retries it
    TOPIC = "topic"
    QUEUE = "queue"
    ACTION = "action"
    VOTE = "vote"


@dataclass(frozen=True, slots=True)
class Button:
    action: str  # e.g. "here"; comes back as Event(kind=BUTTON, action=...)
    label: str
    url: str = ""  # a link button, when set


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """A message in a channel, seen by everyone."""

    place: Place
    text: str
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    when: datetime | None = None  # an instant to show in each reader's own zone
    thread_id: str = ""
    purpose: Purpose = Purpose.NONE  # lets adapters style it and jobs pick it out


@dataclass(frozen=True, slots=True)
class PrivateReply:
    """A reply only the person who asked sees (ephemeral on Slack and Discord)."""

    place: Place
    user_id: str
    text: str
    buttons: tuple[Button, ...] = ()  # e.g. a Done button per action listed


@dataclass(frozen=True, slots=True)
class Acknowledge:
    """The bot saved what this message asked for (a reaction, a tick on the console)."""

    place: Place
    message_id: str
    emoji: str = "white_check_mark"


@dataclass(frozen=True, slots=True)
class SetTopic:
    """The channel's current topic changed (IRC-style topic, Slack channel topic...)."""

    place: Place
    topic: str


Effect = Post | PrivateReply | Acknowledge | SetTopic


@dataclass(slots=True)
class Effects:
    """An ordered list of effects with short builders, so handlers read like prose."""

    place: Place
    user_id: str
    items: list[Effect] = field(default_factory=list)

    def say(self, text: str, *, buttons: tuple[Button, ...] = (),
            attachment: Attachment | None = None, when: datetime | None = None,
            purpose: Purpose = Purpose.NONE) -> None:
        self.items.append(Post(self.place, text, buttons, attachment, when,
                               purpose=purpose))

    def tell(self, text: str, buttons: tuple[Button, ...] = ()) -> None:
        self.items.append(PrivateReply(self.place, self.user_id, text, buttons))

    def ack(self, message_id: str) -> None:
        if message_id:
            self.items.append(Acknowledge(self.place, message_id))
