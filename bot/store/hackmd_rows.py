"""The meetings' HackMD notes as rows: the claim that creates each note once, and the note
it became.

A claim is one insert on the (group, meeting day) key: of several replicas, one insert
wins and that process asks HackMD; the others see the row and leave it. A claim whose
process died before HackMD answered expires and may be taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, select, update

from bot.store import Store
from bot.store.schema import hackmd_notes
from bot.store.tokens import insert_if_absent  # loads a dialect only when it is used

CLAIM_EXPIRES = timedelta(minutes=10)


@dataclass(frozen=True)
class MeetingNote:
    group_name: str
    meeting_date: str
    note_id: str  # "" while the claim waits for HackMD's answer
    url: str
    team: str
    initial_content: str


def note_for(store: Store, group_name: str, meeting_date: str) -> MeetingNote | None:
    """The note of a group's meeting day, once created (None before, or while claimed)."""
    row = store.connection.execute(select(hackmd_notes).where(
        hackmd_notes.c.group_name == group_name,
        hackmd_notes.c.meeting_date == meeting_date)).first()
    if row is None or not row.note_id:
        return None
    return MeetingNote(row.group_name, row.meeting_date, row.note_id, row.url, row.team,
                       row.initial_content)


def claim_note(store: Store, group_name: str, meeting_date: str, worker: str,
               now: datetime) -> bool:
    """True when this ``worker`` may create the note: its insert won, or it took over a
    claim that expired with no note made."""
    now = now.astimezone(UTC)
    connection = store.connection
    # RETURNING, not rowcount: psycopg reports -1 for an insert that did nothing.
    inserted = connection.execute(insert_if_absent(store, hackmd_notes).values(
        group_name=group_name, meeting_date=meeting_date, claimed_by=worker,
        claimed_at=now).returning(hackmd_notes.c.claimed_by))
    if inserted.first() is not None:
        return True
    taken = connection.execute(update(hackmd_notes).where(and_(
        hackmd_notes.c.group_name == group_name, hackmd_notes.c.meeting_date == meeting_date,
        hackmd_notes.c.note_id == "", hackmd_notes.c.claimed_at < now - CLAIM_EXPIRES))
        .values(claimed_by=worker, claimed_at=now))
    return bool(taken.rowcount)


def release_claim(store: Store, group_name: str, meeting_date: str, worker: str) -> None:
    """HackMD refused: let the next round (of any process) try again at once."""
    store.write(update(hackmd_notes).where(
        hackmd_notes.c.group_name == group_name, hackmd_notes.c.meeting_date == meeting_date,
        hackmd_notes.c.claimed_by == worker, hackmd_notes.c.note_id == "")
        .values(claimed_at=datetime(1970, 1, 1, tzinfo=UTC)))


def save_note(store: Store, group_name: str, meeting_date: str, note_id: str, url: str,
              team: str, initial_content: str, now: datetime) -> None:
    store.write(update(hackmd_notes).where(
        hackmd_notes.c.group_name == group_name, hackmd_notes.c.meeting_date == meeting_date)
        .values(note_id=note_id, url=url, team=team, initial_content=initial_content,
                created_at=now.astimezone(UTC)))
