"""The lines of the start-up rehearsal (``MeetingBot.warm_up``): one of each command kind
the live path has, in a channel of its own.

Why: the first command of each kind in a process costs 4-12 ms more than the next ones (its
statements compile, on first use per dialect or in SQLAlchemy's cache; its modules import;
its patterns build), and with a hundred samples of a kind that first one is its p99. A
rehearsal at start-up pays that before anyone waits on it. It runs in a transaction that
is always rolled back (``Database.rehearsal``): nothing it does is delivered or kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from bot.events import Author, Event, EventKind, Place

SAY, EDIT, DELETE = EventKind.MESSAGE, EventKind.EDIT, EventKind.DELETE

# (what, who, text): an edit or a delete acts on the speaker's last line said.
LINES: tuple[tuple[EventKind, str, str], ...] = (
    (SAY, "chair", "#startmeeting Rehearsal"),
    (SAY, "alice", "#here"),
    (SAY, "bob", "#here Bob Builder"),
    (SAY, "chair", "#agenda add Rehearse every command"),
    (SAY, "chair", "#topic 1"),
    (SAY, "chair", "#topic nodejs/node#1"),  # (no prepare step: GitHub is not asked)
    (SAY, "chair", "#topic Rehearse every command"),
    (SAY, "alice", "#info the draft is ready"),
    (SAY, "alice", "s/draft/final/"),
    (SAY, "bob", "#action alice and bob to review the final draft"),
    (SAY, "chair", "#agreed the rehearsal leaves no trace"),
    (SAY, "bob", "#undo"),
    (SAY, "alice", "#info a note to edit"),
    (EDIT, "alice", "#info a note, edited"),
    (SAY, "bob", "#info a note to delete"),
    (DELETE, "bob", ""),
    (SAY, "bob", "plain chat, as most lines are"),
    (SAY, "alice", "q+"),
    (SAY, "alice", "q-"),
    (SAY, "chair", "#startvote Ship it?"),
    (SAY, "bob", "+1"),
    (SAY, "chair", "#endvote"),
)

# A channel no platform can name (a space, and this process's own id), so no real meeting
# shares it, and two processes rehearsing at once do not wait for each other.
PLACE = Place("gavel-rehearsal", f"#gavel rehearsal {os.getpid()} {uuid4().hex}")


def events() -> Iterator[Event]:
    """The rehearsal's events, timed a second apart from a minute ago."""
    start = datetime.now(UTC) - timedelta(minutes=1)
    said: dict[str, str] = {}  # who -> the message id of their last line
    for n, (what, who, text) in enumerate(LINES):
        message_id = said.get(who, "") if what is not SAY else f"rehearsal-{n}"
        said[who] = message_id
        yield Event(what, PLACE, Author(who, who), start + timedelta(seconds=n), text,
                    message_id=message_id)
