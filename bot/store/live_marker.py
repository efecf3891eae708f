"""A running meeting's change marker: one cheap read that changes whenever anything the
archive's live meeting page shows has changed.

The web server that serves the live page is often not the process that hears the chat
(``gavel console``, another replica on PostgreSQL), so it cannot be told of a new line;
it asks the database instead, every ``[web] live_poll_seconds``, once per meeting
however many readers follow it. That read must stay cheap for a meeting of thousands of
lines, so it is one statement of indexed maxima and counts, never the record itself:

* ``max(transcript.id)``: every line said, edit and deletion (most changes come with one);
* the notes' newest id and how many are deleted (an undo, a button);
* the attendance rows as shown (Discord's voice channel marks people present without a
  line in the chat; a slash ``here`` may only correct a name), read apart: a few dozen rows;
* the newest change to an action during the meeting (a Done button says nothing in chat);
* agenda items and how many are discussed, votes closed and ballots cast, the topic;
* the meeting's status: its end is the last change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import ColumnElement, FromClause, ScalarSelect, func, select

from bot.store.repository import Store
from bot.store.schema import (
    action_changes,
    agenda_items,
    attendance,
    ballots,
    meetings,
    notes,
    transcript,
    votes,
)


@dataclass(frozen=True, slots=True)
class LiveState:
    """Where one meeting stands: ``marker`` differs whenever its page would."""

    status: str  # "running", "ended", "published"
    marker: str  # short and opaque: it is sent to browsers as the SSE event id


def live_state(store: Store, group_name: str, meeting_id: int) -> LiveState | None:
    """The meeting's status and change marker; None when the group has no such meeting."""
    store.flush()  # what this transaction holds back is part of the state
    mid = meetings.c.id

    def count(table: FromClause, *where: ColumnElement[bool]) -> ScalarSelect[int]:
        return (select(func.count()).select_from(table)
                .where(*where).correlate(meetings).scalar_subquery())

    def newest(column: ColumnElement[int], *where: ColumnElement[bool]) -> ScalarSelect[int]:
        return (select(func.coalesce(func.max(column), 0))
                .where(*where).correlate(meetings).scalar_subquery())

    row = store.connection.execute(select(
        meetings.c.status, meetings.c.title, meetings.c.current_item_id,
        meetings.c.current_section, meetings.c.links,
        newest(transcript.c.id, transcript.c.meeting_id == mid),
        newest(notes.c.id, notes.c.meeting_id == mid),
        count(notes, notes.c.meeting_id == mid, notes.c.deleted.is_(True)),
        newest(action_changes.c.id, action_changes.c.meeting_id == mid),
        count(agenda_items, agenda_items.c.meeting_id == mid),
        count(agenda_items, agenda_items.c.meeting_id == mid,
              agenda_items.c.discussed.is_(True)),
        count(votes, votes.c.meeting_id == mid, votes.c.closed_at.is_not(None)),
        count(ballots.join(votes, votes.c.id == ballots.c.vote_id),
              votes.c.meeting_id == mid),
    ).where(mid == meeting_id, meetings.c.group_name == group_name)).first()
    if row is None:
        return None
    # Attendance rows as shown (a few dozen): a voice join, a `here` that only corrects
    # someone's name or handle, a departure, none of which need a chat line.
    people = store.connection.execute(select(
        attendance.c.id, attendance.c.status, attendance.c.left_at, attendance.c.shown_name,
        attendance.c.shown_github, attendance.c.shown_affiliation,
    ).where(attendance.c.meeting_id == meeting_id).order_by(attendance.c.id)).all()
    said = "\x1f".join(map(str, (*row, *people)))
    digest = hashlib.blake2b(said.encode("utf-8"), digest_size=8)
    return LiveState(row[0], digest.hexdigest())
