"""The group's memory between meetings: action items that outlive their meeting, and agenda
items added while no meeting runs.

Kept apart from ``repository.py`` (one job per module): commands reach it as
``ActionStore(turn.store)``, inside the turn's one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from bot.store.prepared import Prepared
from bot.store.schema import action_changes, action_items, pending_agenda

if TYPE_CHECKING:
    from bot.store.repository import Store

OPEN, DONE, DROPPED, UNDONE = "open", "done", "dropped", "undone"


@dataclass(frozen=True, slots=True)
class ActionItem:
    """An action item of a group, known as ``A-<number>`` in that group."""

    id: int
    group_name: str
    number: int
    text: str
    owners: tuple[str, ...]  # names as the minutes show them
    owner_ids: tuple[str, ...]  # platform user ids of the owners known by one
    status: str
    meeting_id: int | None
    created_at: datetime
    closed_at: datetime | None = None
    github_repo: str = ""
    github_number: int | None = None
    github_url: str = ""

    @property
    def label(self) -> str:
        return f"A-{self.number}"


@dataclass(frozen=True, slots=True)
class ActionChange:
    action_id: int
    meeting_id: int | None
    at: datetime
    change: str  # "done" | "dropped" | "reassigned"
    by_name: str
    detail: str


@dataclass(frozen=True, slots=True)
class PendingItem:
    """An agenda item added between meetings, for the group's next one."""

    id: int
    title: str
    repo: str = ""
    number: int | None = None
    url: str = ""
    is_pr: bool = False

    @property
    def reference(self) -> str:
        return f"{self.repo}#{self.number}" if self.repo and self.number else ""


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _action(row: Any) -> ActionItem:
    return ActionItem(
        id=row.id, group_name=row.group_name, number=row.number, text=row.text,
        owners=tuple(json.loads(row.owners or "[]")),
        owner_ids=tuple(json.loads(row.owner_ids or "[]")), status=row.status,
        meeting_id=row.meeting_id, created_at=_utc(row.created_at),  # type: ignore[arg-type]
        closed_at=_utc(row.closed_at), github_repo=row.github_repo,
        github_number=row.github_number, github_url=row.github_url)


_LAST_NUMBER = Prepared(select(func.coalesce(func.max(action_items.c.number), 0)).where(
    action_items.c.group_name == bindparam("group_name")), ("group_name",))
_ACTION_KEYS = ("group_name", "number", "text", "owners", "owner_ids", "status", "meeting_id",
                "note_id", "created_at", "created_by")


@cache
def _add_action(dialect: str) -> Prepared:
    """A new action's row, or none when another writer took its number meanwhile (the next
    is tried): no savepoint is needed to go on after the conflict, as it would be after a
    failed insert on PostgreSQL, and SQLAlchemy compiles a savepoint afresh each time.
    Built once per dialect, which is imported only then (a replay never loads PostgreSQL's).
    """
    keys = [action_items.c.group_name, action_items.c.number]
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return Prepared(postgresql.insert(action_items).on_conflict_do_nothing(
            index_elements=keys).returning(action_items.c.id), _ACTION_KEYS)
    from sqlalchemy.dialects import sqlite

    return Prepared(sqlite.insert(action_items).on_conflict_do_nothing(index_elements=keys)
                    .returning(action_items.c.id), _ACTION_KEYS)


class ActionStore:
    """Reads and writes of actions and pending agenda items in the turn's ``Store`` (its
    one transaction)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.connection = store.connection

    # -- actions ----------------------------------------------------------------------

    def add(self, group_name: str, text: str, owners: tuple[str, ...],
            owner_ids: tuple[str, ...], meeting_id: int | None, note_id: int | None,
            at: datetime, created_by: str) -> ActionItem:
        """A new open action with the group's next number (two at once: one retries).

        The greatest number is read once per transaction and then counted on (a replay
        notes hundreds of actions in one); a number another writer took meanwhile
        conflicts (no row is added), and the retry reads the numbers afresh."""
        numbers = self.store.action_numbers
        for _ in range(5):
            known = numbers.get(group_name)
            if known is None:
                ((known,),) = _LAST_NUMBER.rows(self.connection, (group_name,))
            number = known + 1
            added = _add_action(self.connection.dialect.name).rows(self.connection, (
                group_name, number, text, json.dumps(list(owners)), json.dumps(list(owner_ids)),
                OPEN, meeting_id, note_id, at, created_by))
            if not added:  # the number was taken meanwhile
                numbers.pop(group_name, None)
                continue
            numbers[group_name] = number
            ((action_id,),) = added
            if at.utcoffset() != timedelta(0):  # kept as UTC wall time: read it back
                found = self.by_id(action_id)
                assert found is not None
                return found
            # What reading the row back gives, without the read.
            return ActionItem(action_id, group_name, number, text, owners, owner_ids, OPEN,
                              meeting_id, at.replace(tzinfo=UTC))
        raise RuntimeError(f"no free action number in group {group_name!r}")

    def by_id(self, action_id: int) -> ActionItem | None:
        row = self.connection.execute(
            select(action_items).where(action_items.c.id == action_id)).first()
        return _action(row) if row else None

    def by_number(self, group_name: str, number: int) -> ActionItem | None:
        row = self.connection.execute(select(action_items).where(
            action_items.c.group_name == group_name, action_items.c.number == number)).first()
        return _action(row) if row else None

    def open_actions(self, group_name: str) -> list[ActionItem]:
        rows = self.connection.execute(select(action_items).where(
            action_items.c.group_name == group_name, action_items.c.status == OPEN)
            .order_by(action_items.c.number))
        return [_action(r) for r in rows]

    def of_note(self, note_id: int) -> ActionItem | None:
        row = self.connection.execute(select(action_items).where(
            action_items.c.note_id == note_id, action_items.c.status != UNDONE)).first()
        return _action(row) if row else None

    def forget_note(self, note_id: int, at: datetime) -> None:
        """The ``#action`` line was undone or deleted: its action never was. The row stays
        (as ``undone``) so that its id, said when it was saved, never names another."""
        self.connection.execute(update(action_items).where(action_items.c.note_id == note_id)
                                .values(status=UNDONE, closed_at=at))

    def retext(self, action_id: int, text: str, owners: tuple[str, ...],
               owner_ids: tuple[str, ...]) -> None:
        """The ``#action`` line was edited or corrected: the action follows."""
        self.connection.execute(update(action_items).where(action_items.c.id == action_id)
                                .values(text=text, owners=json.dumps(list(owners)),
                                        owner_ids=json.dumps(list(owner_ids))))

    def close(self, action_id: int, status: str, at: datetime, meeting_id: int | None,
              by_name: str, detail: str = "") -> None:
        self.connection.execute(update(action_items).where(action_items.c.id == action_id)
                                .values(status=status, closed_at=at))
        self._change(action_id, meeting_id, at, status, by_name, detail)

    def reassign(self, action_id: int, owners: tuple[str, ...], owner_ids: tuple[str, ...],
                 at: datetime, meeting_id: int | None, by_name: str) -> None:
        self.connection.execute(update(action_items).where(action_items.c.id == action_id)
                                .values(owners=json.dumps(list(owners)),
                                        owner_ids=json.dumps(list(owner_ids))))
        self._change(action_id, meeting_id, at, "reassigned", by_name, ", ".join(owners))

    def link_issue(self, action_id: int, repo: str, number: int, url: str) -> None:
        self.connection.execute(update(action_items).where(action_items.c.id == action_id)
                                .values(github_repo=repo, github_number=number, github_url=url))

    def with_issues(self, group_name: str, closed_since: datetime) -> list[ActionItem]:
        """The group's actions that have a GitHub issue, for the sync: the open ones, and
        those closed here since ``closed_since`` (their issue may still be open, if GitHub
        was down then); older ones are settled and not asked about again."""
        rows = self.connection.execute(select(action_items).where(
            action_items.c.group_name == group_name, action_items.c.github_number.is_not(None),
            or_(action_items.c.status == OPEN, action_items.c.closed_at >= closed_since))
            .order_by(action_items.c.number))
        return [_action(r) for r in rows]

    def _change(self, action_id: int, meeting_id: int | None, at: datetime, change: str,
                by_name: str, detail: str) -> None:
        self.connection.execute(insert(action_changes).values(
            action_id=action_id, meeting_id=meeting_id, at=at, change=change, by_name=by_name,
            detail=detail))

    def carried_into(self, group_name: str, meeting_id: int, started_at: datetime
                     ) -> list[tuple[ActionItem, list[ActionChange]]]:
        """The actions this meeting began with (made before it, still open when it
        started), each with what happened to it during the meeting."""
        rows = self.connection.execute(select(action_items).where(
            action_items.c.group_name == group_name,
            action_items.c.created_at < started_at, action_items.c.status != UNDONE,
            or_(action_items.c.meeting_id.is_(None), action_items.c.meeting_id != meeting_id),
            or_(action_items.c.closed_at.is_(None), action_items.c.closed_at >= started_at))
            .order_by(action_items.c.number))
        found = [_action(r) for r in rows]
        changes: dict[int, list[ActionChange]] = {a.id: [] for a in found}
        if found:
            for row in self.connection.execute(select(action_changes).where(and_(
                    action_changes.c.meeting_id == meeting_id,
                    action_changes.c.action_id.in_(list(changes))))
                    .order_by(action_changes.c.id)):
                changes[row.action_id].append(ActionChange(
                    row.action_id, row.meeting_id, _utc(row.at),  # type: ignore[arg-type]
                    row.change, row.by_name, row.detail))
        return [(a, changes[a.id]) for a in found]

    # -- agenda items between meetings --------------------------------------------------

    def add_pending(self, group_name: str, title: str, repo: str, number: int | None, url: str,
                    is_pr: bool, added_by: str, at: datetime) -> PendingItem:
        item_id = self.connection.execute(insert(pending_agenda).values(
            group_name=group_name, title=title, repo=repo, number=number, url=url,
            is_pr=is_pr, added_by=added_by, added_at=at)).inserted_primary_key[0]  # type: ignore[index]
        return PendingItem(item_id, title, repo, number, url, is_pr)

    def pending(self, group_name: str) -> list[PendingItem]:
        rows = self.connection.execute(select(pending_agenda).where(
            pending_agenda.c.group_name == group_name, pending_agenda.c.meeting_id.is_(None))
            .order_by(pending_agenda.c.id))
        return [PendingItem(r.id, r.title, r.repo, r.number, r.url, bool(r.is_pr))
                for r in rows]

    def take_pending(self, group_name: str, meeting_id: int) -> list[PendingItem]:
        """The pending items, now this meeting's (they are on its agenda from here on)."""
        items = self.pending(group_name)
        if items:
            self.connection.execute(update(pending_agenda).where(
                pending_agenda.c.id.in_([i.id for i in items])).values(meeting_id=meeting_id))
        return items
