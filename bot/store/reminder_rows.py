"""Scheduled meetings and reminder rows in the store, and the claim on a reminder.

Callers pass the ``Store`` of their transaction; only this module writes these tables' SQL.

The claim is one conditional UPDATE: it succeeds for exactly one process while the row
is unsent and nobody holds an unexpired claim, however many processes fire the same
reminder. Committing it before posting is what keeps a reminder single; the lease lets
another process take over when the claimer died mid-post.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, or_, select, update

from bot.schedules.recurrence import Occurrence
from bot.store.schema import reminders, scheduled_meetings
from bot.store.tokens import insert_if_absent

if TYPE_CHECKING:
    from bot.store.repository import Store

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant kept here is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ScheduledMeeting:
    id: int
    group_name: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    title: str
    status: str

    @property
    def occurrence(self) -> Occurrence:
        return Occurrence(self.starts_at, self.ends_at, self.timezone, self.title)


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    meeting: ScheduledMeeting
    offset: timedelta
    due_at: datetime
    platform: str
    workspace: str
    channel: str
    attempts: int
    sent_at: datetime | None
    late: bool
    missed_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str


def _meeting(row: Any) -> ScheduledMeeting:
    return ScheduledMeeting(row.id, row.group_name, utc(row.starts_at), utc(row.ends_at),
                            row.timezone, row.title, row.status)


def _opt(value: datetime | None) -> datetime | None:
    return utc(value) if value is not None else None


def _reminder(row: Any) -> Reminder:
    meeting = ScheduledMeeting(row.scheduled_meeting_id, row.group_name, utc(row.starts_at),
                               utc(row.ends_at), row.timezone, row.title, row.status)
    return Reminder(row.id, meeting, timedelta(minutes=row.offset_minutes), utc(row.due_at),
                    row.platform, row.workspace, row.channel, row.attempts, _opt(row.sent_at),
                    bool(row.late), _opt(row.missed_at), _opt(row.next_attempt_at),
                    row.last_error)


_REMINDER_COLUMNS = (
    reminders, scheduled_meetings.c.starts_at, scheduled_meetings.c.ends_at,
    scheduled_meetings.c.timezone, scheduled_meetings.c.title, scheduled_meetings.c.status,
)


def insert_ignoring_duplicates(store: Store, table: Any,
                               rows: Sequence[dict[str, Any]], chunk: int = 2000) -> None:
    """Insert rows, skipping any that a unique constraint says exist (another process
    may be materialising the same schedule at the same moment)."""
    if not rows:
        return
    statement = insert_if_absent(store, table)
    for start in range(0, len(rows), chunk):
        store.connection.execute(statement, list(rows[start:start + chunk]))


def meetings_between(store: Store, start: datetime, end: datetime,
                     group_name: str | None = None, status: str | None = SCHEDULED
                     ) -> list[ScheduledMeeting]:
    query = (select(scheduled_meetings)
             .where(scheduled_meetings.c.starts_at >= start, scheduled_meetings.c.starts_at < end)
             .order_by(scheduled_meetings.c.starts_at, scheduled_meetings.c.id))
    if group_name is not None:
        query = query.where(scheduled_meetings.c.group_name == group_name)
    if status is not None:
        query = query.where(scheduled_meetings.c.status == status)
    return [_meeting(r) for r in store.connection.execute(query)]


def set_meeting_status(store: Store, ids: Iterable[int], status: str) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        store.connection.execute(update(scheduled_meetings)
                           .where(scheduled_meetings.c.id.in_(ids[start:start + 500]))
                           .values(status=status))


def delete_unsent(store: Store, ids: Iterable[int]) -> None:
    """Drop reminders nobody has posted or is posting (their meeting was cancelled...)."""
    ids = list(ids)
    for start in range(0, len(ids), 500):
        store.connection.execute(delete(reminders).where(
            reminders.c.id.in_(ids[start:start + 500]), reminders.c.sent_at.is_(None),
            reminders.c.claimed_by.is_(None)))


def _joined() -> Any:
    return select(*_REMINDER_COLUMNS).join(
        scheduled_meetings, scheduled_meetings.c.id == reminders.c.scheduled_meeting_id)


def pending_reminders(store: Store, since: datetime, until: datetime,
                      platforms: Iterable[str] | None = None,
                      group_name: str | None = None) -> list[Reminder]:
    """Unsent, not given up, due in [since, until), meeting still scheduled."""
    query = _joined().where(
        reminders.c.sent_at.is_(None), reminders.c.missed_at.is_(None),
        reminders.c.due_at >= since, reminders.c.due_at < until,
        scheduled_meetings.c.status == SCHEDULED,
    ).order_by(reminders.c.due_at, reminders.c.id)
    if platforms is not None:
        query = query.where(reminders.c.platform.in_(list(platforms)))
    if group_name is not None:
        query = query.where(reminders.c.group_name == group_name)
    return [_reminder(r) for r in store.connection.execute(query)]


def reminders_of(store: Store, group_name: str | None = None,
                 limit: int = 100) -> list[Reminder]:
    query = _joined().order_by(reminders.c.due_at.desc(), reminders.c.id).limit(limit)
    if group_name is not None:
        query = query.where(reminders.c.group_name == group_name)
    return [_reminder(r) for r in store.connection.execute(query)]


def reminder(store: Store, reminder_id: int) -> Reminder | None:
    row = store.connection.execute(_joined().where(reminders.c.id == reminder_id)).first()
    return _reminder(row) if row else None


def _claimable(now: datetime) -> Any:
    """Unsent, not given up, nobody's unexpired claim, and not waiting for a retry."""
    return and_(
        reminders.c.sent_at.is_(None),
        reminders.c.missed_at.is_(None),
        or_(reminders.c.claim_expires_at.is_(None), reminders.c.claim_expires_at < now),
        or_(reminders.c.next_attempt_at.is_(None), reminders.c.next_attempt_at <= now),
    )


def claim(store: Store, reminder_id: int, worker: str, now: datetime,
          lease: timedelta) -> bool:
    """Take the reminder for ``worker`` until ``now + lease``; False if someone else has it,
    or it was sent, given up, cancelled, or is waiting for its next retry."""
    return claim_many(store, [reminder_id], worker, now, lease) == [reminder_id]


def claim_many(store: Store, reminder_ids: Sequence[int], worker: str,
               now: datetime, lease: timedelta, chunk: int = 500) -> list[int]:
    """``claim`` for several reminders in one statement per ``chunk`` (reminders often fall
    due together): the ids this worker got, each still under the same condition."""
    claimed: list[int] = []
    ids = sorted(set(reminder_ids))
    for start in range(0, len(ids), chunk):
        result = store.connection.execute(
            update(reminders)
            .where(reminders.c.id.in_(ids[start:start + chunk]), _claimable(now))
            .values(claimed_by=worker, claim_expires_at=now + lease,
                    attempts=reminders.c.attempts + 1)
            .returning(reminders.c.id))
        claimed.extend(result.scalars())
    return sorted(claimed)


def reminders_by_id(store: Store, reminder_ids: Sequence[int],
                    chunk: int = 500) -> dict[int, Reminder]:
    found: dict[int, Reminder] = {}
    ids = list(reminder_ids)
    for start in range(0, len(ids), chunk):
        query = _joined().where(reminders.c.id.in_(ids[start:start + chunk]))
        found.update((r.id, _reminder(r)) for r in store.connection.execute(query))
    return found


def _mine(reminder_id: int, worker: str) -> Any:
    return and_(reminders.c.id == reminder_id, reminders.c.claimed_by == worker)


def mark_sent(store: Store, reminder_id: int, worker: str, now: datetime,
              late: bool) -> None:
    mark_sent_many(store, worker, [(reminder_id, now, late)])


def mark_sent_many(store: Store, worker: str,
                   sent: Sequence[tuple[int, datetime, bool]]) -> None:
    """Record posts (id, when, late), each only if ``worker`` still holds its claim."""
    if not sent:
        return
    store.connection.execute(
        update(reminders)
        .where(reminders.c.id == bindparam("rid"), reminders.c.claimed_by == worker)
        .values(sent_at=bindparam("sent"), late=bindparam("was_late"), claim_expires_at=None,
                next_attempt_at=None),
        [{"rid": rid, "sent": when, "was_late": late} for rid, when, late in sent])


def release(store: Store, reminder_id: int, worker: str, retry_at: datetime,
            error: str) -> None:
    """Give the claim back after a failed post; anyone may retry from ``retry_at``."""
    store.connection.execute(update(reminders).where(_mine(reminder_id, worker)).values(
        claimed_by=None, claim_expires_at=None, next_attempt_at=retry_at,
        last_error=error[:2000]))


def mark_missed(store: Store, reminder_id: int, worker: str, now: datetime,
                reason: str) -> None:
    store.connection.execute(update(reminders).where(_mine(reminder_id, worker)).values(
        missed_at=now, claim_expires_at=None, last_error=reason[:2000]))


def add_scheduled_meetings(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """Store planned meetings (``scheduled_meetings`` columns), keeping those already there."""
    insert_ignoring_duplicates(store, scheduled_meetings, rows)


def add_reminders(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """Store reminder rows (``reminders`` columns), keeping those already there."""
    insert_ignoring_duplicates(store, reminders, rows)


def reminder_ids_of(store: Store, meeting_ids: Sequence[int]) -> list[int]:
    """The ids of every reminder of these scheduled meetings, sent or not."""
    ids = list(meeting_ids)
    found: list[int] = []
    for start in range(0, len(ids), 500):
        found += store.connection.execute(select(reminders.c.id).where(
            reminders.c.scheduled_meeting_id.in_(ids[start:start + 500]))).scalars().all()
    return found
