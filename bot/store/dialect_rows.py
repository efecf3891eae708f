"""Rows the peers' dialects need: votes and their ballots, Zakim's speaker queue, and the
few edits of notes and attendance that scribe.perl's corrections make.

Beside the schema like ``discord_rows``: only ``bot/store`` writes SQL; the commands call
these with the ``Store`` of their turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update

from bot.domain import Section
from bot.store import Store
from bot.store.prepared import Prepared
from bot.store.schema import agenda_items, attendance, ballots, roles, speaker_queue, votes
from bot.text import bare_title


@dataclass(frozen=True, slots=True)
class Vote:
    id: int
    meeting_id: int
    question: str
    options: tuple[str, ...]
    opened_by: str
    closed: bool
    result: str
    item_id: int | None
    section: Section
    votes_required: int = 0  # the ballots a result needed, as the vote closed (0: none)


def _vote(row: object) -> Vote:
    return Vote(row.id, row.meeting_id, row.question,  # type: ignore[attr-defined]
                tuple(json.loads(row.options)),  # type: ignore[attr-defined]
                row.opened_by, row.closed_at is not None,  # type: ignore[attr-defined]
                row.result, row.item_id, Section(row.section),  # type: ignore[attr-defined]
                row.votes_required)  # type: ignore[attr-defined]


def open_vote(store: Store, meeting_id: int, question: str, options: tuple[str, ...],
              opened_by: str, at: datetime, item_id: int | None, section: Section) -> Vote:
    vote_id = store.write(insert(votes).values(
        meeting_id=meeting_id, question=question, options=json.dumps(list(options)),
        opened_by=opened_by, opened_at=at, result="", item_id=item_id,
        section=section.value)).inserted_primary_key[0]  # type: ignore[index]
    found = vote(store, vote_id)
    assert found is not None
    return found


def vote(store: Store, vote_id: int) -> Vote | None:
    row = store.connection.execute(select(votes).where(votes.c.id == vote_id)).first()
    return _vote(row) if row else None


def open_vote_of(store: Store, meeting_id: int) -> Vote | None:
    """The meeting's vote still open (the last one opened), if any."""
    row = store.connection.execute(
        select(votes).where(votes.c.meeting_id == meeting_id, votes.c.closed_at.is_(None))
        .order_by(votes.c.id.desc()).limit(1)).first()
    return _vote(row) if row else None


def votes_of(store: Store, meeting_id: int) -> list[Vote]:
    rows = store.connection.execute(
        select(votes).where(votes.c.meeting_id == meeting_id).order_by(votes.c.id))
    return [_vote(r) for r in rows]


def cast(store: Store, vote_id: int, who: str, name: str, choice: str, at: datetime) -> bool:
    """Record ``who``'s ballot; True when it replaced an earlier one."""
    changed = store.connection.execute(
        update(ballots).where(ballots.c.vote_id == vote_id, ballots.c.who == who)
        .values(choice=choice, name=name, at=at)).rowcount
    if not changed:
        store.write(insert(ballots).values(vote_id=vote_id, who=who, name=name,
                                                        choice=choice, at=at))
    return bool(changed)


def ballots_of(store: Store, vote_id: int) -> list[tuple[str, str, str]]:
    """(who, name, choice) for each voter, in the order they first voted."""
    rows = store.connection.execute(
        select(ballots.c.who, ballots.c.name, ballots.c.choice)
        .where(ballots.c.vote_id == vote_id).order_by(ballots.c.at, ballots.c.who))
    return [(r.who, r.name, r.choice) for r in rows]


def close_vote(store: Store, vote_id: int, at: datetime, result: str,
               votes_required: int = 0) -> None:
    store.write(update(votes).where(votes.c.id == vote_id)
                             .values(closed_at=at, result=result,
                                     votes_required=votes_required))


# -- the speaker queue ----------------------------------------------------------------

def queue(store: Store, meeting_id: int) -> list[tuple[str, str, str]]:
    """(who, name, about) in the order they asked to speak."""
    rows = store.connection.execute(
        select(speaker_queue).where(speaker_queue.c.meeting_id == meeting_id)
        .order_by(speaker_queue.c.id))
    return [(r.who, r.name, r.about) for r in rows]


def enqueue(store: Store, meeting_id: int, who: str, name: str, about: str) -> bool:
    if any(w == who for w, _, _ in queue(store, meeting_id)):
        return False
    store.write(insert(speaker_queue).values(
        meeting_id=meeting_id, who=who, name=name, about=about))
    return True


def dequeue(store: Store, meeting_id: int, who: str) -> bool:
    return bool(store.write(delete(speaker_queue).where(
        speaker_queue.c.meeting_id == meeting_id, speaker_queue.c.who == who)).rowcount)


# Built once: every ``#topic`` clears the queue.
_CLEAR_QUEUE = Prepared(delete(speaker_queue).where(
    speaker_queue.c.meeting_id == bindparam("meeting_id")), ("meeting_id",))


def clear_queue(store: Store, meeting_id: int) -> None:
    if meeting_id in store.emptied_queues:
        return  # emptied earlier in this transaction, and nobody queued since
    store.write_prepared(_CLEAR_QUEUE, (meeting_id,))
    store.emptied_queues.add(meeting_id)


# -- corrections -----------------------------------------------------------------------

def retitle_item(store: Store, item_id: int, title: str) -> None:
    """An agenda item's new title (``s/old/new/`` on a topic), with the key it is found by;
    ``Store.write`` makes the transaction's cached agenda forget."""
    store.write(update(agenda_items).where(agenda_items.c.id == item_id)
                .values(title=title, title_key=bare_title(title)))


def drop_attendance(store: Store, meeting_id: int, person_id: int) -> bool:
    """``present-``: the person is no longer listed at this meeting."""
    return bool(store.write(delete(attendance).where(
        attendance.c.meeting_id == meeting_id, attendance.c.person_id == person_id)).rowcount)


def clear_role(store: Store, meeting_id: int, role: str) -> None:
    """Everyone's ``role`` at this meeting goes (``#voters`` names a new list)."""
    store.write(delete(roles).where(roles.c.meeting_id == meeting_id, roles.c.role == role))
