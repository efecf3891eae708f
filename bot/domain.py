"""The meeting domain as plain frozen records, read from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    PUBLISHED = "published"


class NoteKind(StrEnum):
    INFO = "info"
    IDEA = "idea"
    ACTION = "action"
    AGREED = "agreed"
    REJECTED = "rejected"
    LINK = "link"
    HELP = "help"
    QUESTION = "question"
    SUBTOPIC = "subtopic"  # MeetBot's #subtopic, W3C's Subtopic:
    PROGRESS = "progress"  # meetingology's #progress, Mootbot's [PROGRESS REPORT]
    VOTE = "vote"  # a closed vote: its question, tally and result
    # ``#paragraph``: prose the minutes show as a paragraph of its own, not a list entry
    # (what a scribe writes under an item when a bullet would not do: "Skipped as we ran
    # out of time", a summary under a standing item).
    PARAGRAPH = "paragraph"


class Section(StrEnum):
    """Where a note lands in the minutes when it is not under an agenda item."""

    NONE = "none"  # before any topic
    ANNOUNCEMENTS = "announcements"
    ITEM = "item"
    QA = "qa"
    # "## Upcoming Meetings": a word on the next meetings beside the calendar entry.
    UPCOMING = "upcoming"


class ItemSource(StrEnum):
    STANDING = "standing"  # from the group's config, shown as a checkbox
    GITHUB = "github"  # an issue or pull request
    ADHOC = "adhoc"  # added in chat, with no GitHub reference


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    group_name: str
    title: str
    platform: str
    workspace: str
    channel: str
    status: Status
    meeting_date: str  # YYYY-MM-DD in the group's zone
    started_at: datetime | None
    ended_at: datetime | None
    started_by: str
    current_item_id: int | None
    current_section: Section
    lurking: bool
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    id: int
    meeting_id: int
    position: int
    source: ItemSource
    title: str
    repo: str = ""
    number: int | None = None
    url: str = ""
    is_pr: bool = False
    discussed: bool = False

    @property
    def reference(self) -> str:
        return f"{self.repo}#{self.number}" if self.repo and self.number else ""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    platform: str
    user_id: str
    name: str
    github: str = ""
    affiliation: str = ""


@dataclass(frozen=True, slots=True)
class Attendance:
    person: Person
    status: str  # "present" | "regrets"
    how: str  # "command", "button", "voice", "chair", "reaction", "w3c"
    at: datetime
    left_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    meeting_id: int
    author_id: str
    author_name: str
    at: datetime
    kind: NoteKind
    text: str
    item_id: int | None
    section: Section
    # Nesting under the note before it: 0 a note of its topic, 1 its sub-point... -1 (typed
    # ``< text``) a note beside the agenda items rather than under one (see ``split_depth``).
    depth: int = 0
    source_message_id: str = ""
    # Where an inserted note (``i/anchor/text/``) stands among its meeting's notes: between
    # the ids of the two it went between. None for every other note: its id is its place.
    place: float | None = None

    @property
    def minutes_order(self) -> tuple[float, int, int]:
        """Sorts a meeting's notes as its minutes show them: by id, each inserted note at
        its place (before a note whose id equals it, then in the order they were taken)."""
        if self.place is None:
            return (self.id, 1, self.id)
        return (self.place, 0, self.id)


# The user id of a person known only by the name a chair gave (``#present Robert Waite``):
# no platform vouches for it, so it is never anyone's identity (``name:robert waite``).
NAME_ONLY = "name:"
