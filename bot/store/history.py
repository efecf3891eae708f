"""A group's past, read in few statements: its meetings with their counts, who came to
which, and each meeting's transcript. Reads only.

For ``gavel attendance``, ``/meeting attendance`` and the web archive, which all look
across many meetings at once: one query per question, never one per meeting, so a group
with five hundred meetings still answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, func, select

from bot.domain import NoteKind, Status
from bot.store.schema import attendance, meetings, notes, people, transcript

if TYPE_CHECKING:
    from bot.store.repository import Store

# Meetings that are over: the archive and the attendance history show only these.
PAST = (Status.ENDED.value, Status.PUBLISHED.value)


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """One past meeting as a list of meetings shows it."""

    id: int
    date: str
    title: str
    started_at: datetime | None
    ended_at: datetime | None
    present: int
    regrets: int
    actions: int  # #action notes taken in it


@dataclass(frozen=True, slots=True)
class Mark:
    """One person's attendance row at one meeting."""

    meeting_id: int
    person_id: int
    status: str  # "present" | "regrets"
    name: str  # the person's current name
    github: str
    user_id: str


@dataclass(frozen=True, slots=True)
class LoggedLine:
    at: datetime
    author_id: str
    author_name: str
    text: str
    change: str = ""  # "edit" (text is the new text) or "delete": a change to an earlier line
    message_id: str = ""


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def past_meetings(store: Store, group_name: str, last: int | None = None
                  ) -> list[MeetingSummary]:
    """The group's ended meetings, newest first (the last ``last`` of them), with their
    attendance and action counts."""
    store.flush()  # (notes held back in this transaction count too)
    present = (select(func.count()).where(attendance.c.meeting_id == meetings.c.id,
                                          attendance.c.status == "present")
               .correlate(meetings).scalar_subquery())
    regrets = (select(func.count()).where(attendance.c.meeting_id == meetings.c.id,
                                          attendance.c.status == "regrets")
               .correlate(meetings).scalar_subquery())
    actions = (select(func.count()).where(notes.c.meeting_id == meetings.c.id,
                                          notes.c.kind == NoteKind.ACTION.value,
                                          notes.c.deleted.is_(False))
               .correlate(meetings).scalar_subquery())
    query = (select(meetings.c.id, meetings.c.meeting_date, meetings.c.title,
                    meetings.c.started_at, meetings.c.ended_at,
                    present.label("present"), regrets.label("regrets"),
                    actions.label("actions"))
             .where(meetings.c.group_name == group_name, meetings.c.status.in_(PAST))
             .order_by(meetings.c.meeting_date.desc(), meetings.c.id.desc()))
    if last is not None:
        query = query.limit(last)
    return [MeetingSummary(r.id, r.meeting_date, r.title, _utc(r.started_at),
                           _utc(r.ended_at), r.present, r.regrets, r.actions)
            for r in store.connection.execute(query)]


def marks(store: Store, meeting_ids: list[int]) -> list[Mark]:
    """Every attendance row of these meetings, with the person's current name (one
    person, one row across meetings, however their name was shown at each)."""
    if not meeting_ids:
        return []
    query = (select(attendance.c.meeting_id, attendance.c.person_id, attendance.c.status,
                    people.c.name, people.c.github, people.c.user_id)
             .join(people, people.c.id == attendance.c.person_id)
             .where(attendance.c.meeting_id.in_(meeting_ids))
             .order_by(attendance.c.meeting_id, attendance.c.id))
    return [Mark(r.meeting_id, r.person_id, r.status, r.name, r.github, r.user_id)
            for r in store.connection.execute(query)]


def past_meeting(store: Store, group_name: str, meeting_id: int
                 ) -> tuple[MeetingSummary, str] | None:
    """One ended meeting of the group and its stored minutes (Markdown); None when the
    id is unknown, still running, or another group's."""
    row = store.connection.execute(
        select(meetings.c.id, meetings.c.meeting_date, meetings.c.title,
               meetings.c.started_at, meetings.c.ended_at, meetings.c.minutes,
               func.count(case((attendance.c.status == "present", 1))).label("present"),
               func.count(case((attendance.c.status == "regrets", 1))).label("regrets"))
        .select_from(meetings.outerjoin(attendance,
                                        attendance.c.meeting_id == meetings.c.id))
        .where(and_(meetings.c.id == meeting_id, meetings.c.group_name == group_name,
                    meetings.c.status.in_(PAST)))
        .group_by(meetings.c.id)).first()
    if row is None:
        return None
    return (MeetingSummary(row.id, row.meeting_date, row.title, _utc(row.started_at),
                           _utc(row.ended_at), row.present, row.regrets, 0),
            row.minutes or "")


def logged_lines(store: Store, meeting_id: int) -> list[LoggedLine]:
    """The meeting's transcript as it was said, in order."""
    rows = store.connection.execute(
        select(transcript.c.at, transcript.c.author_id, transcript.c.author_name,
               transcript.c.text, transcript.c.change, transcript.c.message_id)
        .where(transcript.c.meeting_id == meeting_id).order_by(transcript.c.id))
    return [LoggedLine(_utc(r.at), r.author_id, r.author_name, r.text,  # type: ignore[arg-type]
                       r.change, r.message_id) for r in rows]
