"""Reads and writes of the meeting domain, inside one transaction.

``Database.transaction()`` yields a ``Store`` bound to one connection; everything done
through it commits together when the block ends, before the bot confirms anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Delete,
    Engine,
    Insert,
    Update,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.domain import (
    AgendaItem,
    Attendance,
    ItemSource,
    Meeting,
    Note,
    NoteKind,
    Person,
    Section,
    Status,
)
from bot.events import Place
from bot.store.checkpoints import Checkpointer
from bot.store.database import (
    checkpoints_in_background,
    open_engine,
    open_scratch_engine,
    translated_errors,
)
from bot.store.prepared import Prepared
from bot.store.schema import (
    agenda_items,
    attendance,
    meeting_issues,
    meetings,
    notes,
    people,
    processed_events,
    roles,
    speaker_queue,
    topic_changes,
    transcript,
)
from bot.text import bare_title, spaced_title, title_keys

# A note as the minutes read it (``Store.each_note_row``): author's name, instant (UTC;
# naive from SQLite), kind (``NoteKind``'s value, as stored), text, agenda item id, section
# (``Section``'s value), depth.
NoteRow = tuple[str, datetime, str, str, int | None, str, int]


class AlreadyRunning(Exception):
    """A meeting is already running in that channel."""


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every instant Gavel keeps is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A meetings row read by position (the table's column order), as ``select(meetings)`` reads
# it through SQLAlchemy or ``Prepared`` (a plain tuple, every live event's first read).
_MEETING_FIELDS = {column.name: place for place, column in enumerate(meetings.columns)}
(_M_ID, _M_GROUP, _M_TITLE, _M_PLATFORM, _M_WORKSPACE, _M_CHANNEL, _M_STATUS, _M_DATE,
 _M_STARTED_AT, _M_ENDED_AT, _M_STARTED_BY, _M_ITEM, _M_SECTION, _M_LURKING, _M_LINKS) = (
    _MEETING_FIELDS[name] for name in (
        "id", "group_name", "title", "platform", "workspace", "channel", "status",
        "meeting_date", "started_at", "ended_at", "started_by", "current_item_id",
        "current_section", "lurking", "links"))


def _meeting(row: Any) -> Meeting:
    fields = tuple(row)
    return Meeting(
        id=fields[_M_ID],
        group_name=fields[_M_GROUP],
        title=fields[_M_TITLE],
        platform=fields[_M_PLATFORM],
        workspace=fields[_M_WORKSPACE],
        channel=fields[_M_CHANNEL],
        status=Status(fields[_M_STATUS]),
        meeting_date=fields[_M_DATE],
        started_at=_utc(fields[_M_STARTED_AT]),
        ended_at=_utc(fields[_M_ENDED_AT]),
        started_by=fields[_M_STARTED_BY],
        current_item_id=fields[_M_ITEM],
        current_section=Section(fields[_M_SECTION]),
        lurking=bool(fields[_M_LURKING]),
        links=json.loads(fields[_M_LINKS] or "{}"),
    )


def _item(row: Any) -> AgendaItem:
    """An item from its row (all of ``agenda_items``' columns, in the table's order, as
    ``select(agenda_items)`` reads them: a SQLAlchemy row or ``Prepared``'s tuple); the
    title's lookup key stays in the database."""
    (item_id, meeting_id, position, source, title, repo, number, url, is_pr,
     discussed, _title_key) = row
    return AgendaItem(id=item_id, meeting_id=meeting_id, position=position,
                      source=ItemSource(source), title=title, repo=repo, number=number,
                      url=url, is_pr=bool(is_pr), discussed=bool(discussed))


assert [column.name for column in agenda_items.columns] == [  # (``_item``'s order)
    "id", "meeting_id", "position", "source", "title", "repo", "number", "url", "is_pr",
    "discussed", "title_key"]


def _person(row: Any) -> Person:
    return Person(id=row.id, platform=row.platform, user_id=row.user_id, name=row.name,
                  github=row.github, affiliation=row.affiliation)


# A notes row read by position (the table's column order): reading eleven fields by name
# costs more than the rest of making the note, and a long meeting's minutes read thousands.
_NOTE_FIELDS = {column.name: place for place, column in enumerate(notes.columns)}
(_N_ID, _N_MEETING, _N_AUTHOR_ID, _N_AUTHOR_NAME, _N_AT, _N_KIND, _N_TEXT, _N_ITEM, _N_SECTION,
 _N_DEPTH, _N_SOURCE, _N_PLACE) = (_NOTE_FIELDS[name] for name in (
    "id", "meeting_id", "author_id", "author_name", "at", "kind", "text", "item_id", "section",
    "depth", "source_message_id", "place"))
_NOTE_KINDS = {kind.value: kind for kind in NoteKind}
_SECTIONS = {section.value: section for section in Section}
# ...and back, for the rows a replay writes by the thousand (``.value`` is a property call).
_KIND_VALUES = {kind: value for value, kind in _NOTE_KINDS.items()}
_SECTION_VALUES = {section: value for value, section in _SECTIONS.items()}


def _note(row: Any, shared: dict[str, str] | None = None) -> Note:
    """A note from its row (all of ``notes``' columns, as ``select(notes)`` reads them);
    ``shared`` gives one string per spelling of the author's id and name across many rows
    (a long meeting's notes come from a few people)."""
    fields = tuple(row)
    author_id, author_name = fields[_N_AUTHOR_ID], fields[_N_AUTHOR_NAME]
    if shared is not None:
        author_id = shared.setdefault(author_id, author_id)
        author_name = shared.setdefault(author_name, author_name)
    return Note(fields[_N_ID], fields[_N_MEETING], author_id, author_name,
                _utc(fields[_N_AT]),  # type: ignore[arg-type]
                _NOTE_KINDS[fields[_N_KIND]], fields[_N_TEXT], fields[_N_ITEM],
                _SECTIONS[fields[_N_SECTION]], fields[_N_DEPTH], fields[_N_SOURCE],
                fields[_N_PLACE])


def _note_row(row: Sequence[Any]) -> NoteRow:
    """A row of ``_NOTE_ROWS``' columns as ``each_note_row`` yields it (its instant UTC)."""
    author_name, at, kind, text, item_id, section, depth = row
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return author_name, at, kind, text, item_id, section, depth


# The statements on the path of every chat line, built once: constructing a SQLAlchemy
# statement costs more than running it on SQLite.
# How long a delivery's claim is kept (see ``Store.claim_event``): far beyond any retry or
# replay window, so a repeat is still recognised, and short enough to keep the table small.
CLAIM_RETENTION = timedelta(days=1)

_RUNNING = select(meetings).where(
    meetings.c.platform == bindparam("platform"),
    meetings.c.workspace == bindparam("workspace"),
    meetings.c.channel == bindparam("channel"),
    meetings.c.status == Status.RUNNING.value,
)
_RUNNING_MEETING = Prepared(_RUNNING, ("platform", "workspace", "channel"))
# PostgreSQL, in a transaction that may write: the same read, locking the meeting's row to
# the transaction's end (see ``SpeakerTallies``). NO KEY UPDATE, the lock an UPDATE of the
# row takes: it leaves alone the KEY SHARE locks that inserting a note or a line (their
# foreign keys to the meeting) takes, so those never wait on it.
_RUNNING_MEETING_LOCKED = Prepared(_RUNNING.with_for_update(key_share=True),
                                   ("platform", "workspace", "channel"))
# The safety net of ``Store.flush``: meetings locked in one statement, in id order.
_LOCK_MEETINGS = (select(meetings.c.id)
                  .where(meetings.c.id.in_(bindparam("meeting_ids", expanding=True)))
                  .order_by(meetings.c.id).with_for_update(key_share=True))
_AGENDA_ITEM = Prepared(select(agenda_items).where(agenda_items.c.id == bindparam("item_id")),
                        ("item_id",))
_ROLE_HOLDERS = Prepared(select(roles.c.who).where(
    roles.c.meeting_id == bindparam("meeting_id"), roles.c.role == bindparam("role")),
    ("meeting_id", "role"))
_ROLE_NAMES = Prepared(select(roles.c.name).where(roles.c.meeting_id == bindparam("meeting_id"),
                                                  roles.c.role == bindparam("role"))
                       .order_by(func.lower(roles.c.name)), ("meeting_id", "role"))
# A transcript line's values, in this order (``Store.log_line``).
_UNREAD = object()  # a cache's "not read yet", where None is an answer
_LOG_LINE = Prepared(insert(transcript), ("meeting_id", "at", "author_id", "author_name",
                                            "text", "message_id", "change"))
_NOTE_KEYS = ("meeting_id", "author_id", "author_name", "at", "kind", "text", "item_id",
              "section", "depth", "source_message_id", "deleted")
# A note: ``add_note``'s written at once, ``keep_note``'s held back and written in batches.
_ADD_NOTE = Prepared(insert(notes), _NOTE_KEYS)
_INSERT_NOTE = Prepared(insert(notes), (*_NOTE_KEYS, "place"))  # one with a place (``i/``)
_MARK_DISCUSSED = Prepared(update(agenda_items).where(agenda_items.c.id == bindparam("item_id"))
                           .values(discussed=True), ("item_id",))
_MEETING = Prepared(select(meetings).where(meetings.c.id == bindparam("meeting_id")),
                    ("meeting_id",))
_AGENDA = (select(agenda_items).where(agenda_items.c.meeting_id == bindparam("meeting_id"))
           .order_by(agenda_items.c.position, agenda_items.c.id))
_LAST_POSITION = Prepared(select(func.coalesce(func.max(agenda_items.c.position), 0)).where(
    agenda_items.c.meeting_id == bindparam("meeting_id")), ("meeting_id",))
_ADD_ITEM = Prepared(insert(agenda_items), (
    "meeting_id", "position", "source", "title", "repo", "number", "url", "is_pr", "discussed",
    "title_key"))
# Lookups for a transaction that has not read the whole agenda (a live command): what they
# read does not grow with the agenda's rows.
_AGENDA_SIZE = select(func.count()).select_from(agenda_items).where(
    agenda_items.c.meeting_id == bindparam("meeting_id"))
_MOST_ITEMS = 2**62  # more than any agenda holds, less than the databases' largest OFFSET
_AGENDA_AT = _AGENDA.limit(1).offset(bindparam("offset"))
_AGENDA_NUMBERED = _AGENDA.where(agenda_items.c.number == bindparam("number"))
# The items whose title's key is one of ``bot.text.title_keys`` (``agenda_items_by_title``).
_AGENDA_KEYED = Prepared(select(agenda_items)
                         .where(agenda_items.c.meeting_id == bindparam("meeting_id"),
                                agenda_items.c.title_key.in_([bindparam("key_1"),
                                                              bindparam("key_2"),
                                                              bindparam("key_3")]))
                         .order_by(agenda_items.c.position, agenda_items.c.id),
                         ("meeting_id", "key_1", "key_2", "key_3"))
_AGENDA_REPOSITORIES = (select(agenda_items.c.repo, func.max(agenda_items.c.position))
                        .where(agenda_items.c.meeting_id == bindparam("meeting_id"),
                               agenda_items.c.repo != "")
                        .group_by(agenda_items.c.repo))
# ``record_topic``'s history rows, held back: (meeting id, item id, section, at)
_RECORD_TOPICS = Prepared(insert(topic_changes), ("meeting_id", "item_id", "section", "at",
                                                  "set_by", "set_by_name"))
# Who made an item the topic (``Store.is_topic_setter``, ``topic_setters``).
_SETTERS = Prepared(select(topic_changes.c.set_by, topic_changes.c.set_by_name).distinct()
                    .where(topic_changes.c.meeting_id == bindparam("meeting_id"),
                           topic_changes.c.item_id == bindparam("item_id"),
                           topic_changes.c.set_by != ""), ("meeting_id", "item_id"))
# The agenda items that were the topic, each once, in the order first taken up.
_TAKEN_UP = (select(topic_changes.c.item_id)
             .where(topic_changes.c.meeting_id == bindparam("meeting_id"),
                    topic_changes.c.item_id.is_not(None))
             .group_by(topic_changes.c.item_id)
             .order_by(func.min(topic_changes.c.id)))
_SET_TOPIC = Prepared(
    update(meetings).where(meetings.c.id == bindparam("b_meeting_id")).values(
        current_item_id=bindparam("b_item_id"), current_section=bindparam("b_section")),
    ("b_meeting_id", "b_item_id", "b_section"))
_NOTES = (select(notes).where(notes.c.meeting_id == bindparam("meeting_id"),
                              notes.c.deleted.is_(False))
          .order_by(notes.c.id))
# What the minutes show of a note, in ``NoteRow``'s order (``Store.each_note_row``).
_NOTE_ROWS = (select(notes.c.author_name, notes.c.at, notes.c.kind, notes.c.text,
                     notes.c.item_id, notes.c.section, notes.c.depth)
              .where(notes.c.meeting_id == bindparam("meeting_id"), notes.c.deleted.is_(False))
              .order_by(notes.c.id))
# The same with where each stands: the inserted notes (read first, by their own index), then
# the others, merged as ``Note.minutes_order`` sorts them.
_INSERTED_NOTE_ROWS = (select(notes.c.place, notes.c.id, *_NOTE_ROWS.selected_columns)
                       .where(notes.c.meeting_id == bindparam("meeting_id"),
                              notes.c.place.is_not(None), notes.c.deleted.is_(False))
                       .order_by(notes.c.place, notes.c.id))
_NOTE_ROWS_IN_ORDER = (select(notes.c.id, *_NOTE_ROWS.selected_columns)
                       .where(notes.c.meeting_id == bindparam("meeting_id"),
                              notes.c.place.is_(None), notes.c.deleted.is_(False))
                       .order_by(notes.c.id))
_NOTE_COUNTS = select(
    func.count(), func.sum(case((notes.c.kind == NoteKind.ACTION.value, 1), else_=0))).where(
    notes.c.meeting_id == bindparam("meeting_id"), notes.c.deleted.is_(False))
# Per speaker and spelling of their name (a few rows): which spelling is shown is chosen
# in Python (``_Speakers``), as for the lines counted one by one, since SQL's ``max`` of
# a text follows the database's collation and would pick another than an ICU or en_US
# database's, so two processes, one counting along and one reading whole, would disagree.
_LINES_SAID = (select(transcript.c.author_id, transcript.c.author_name.label("name"),
                      func.count().label("lines"), func.min(transcript.c.id).label("first"),
                      func.max(transcript.c.id).label("last"))
               .where(transcript.c.meeting_id == bindparam("meeting_id"),
                      transcript.c.change == "")
               .group_by(transcript.c.author_id, transcript.c.author_name))
# The lines said since a tally committed earlier (see ``SpeakerTallies``): a range of the
# meeting's index, as long as the lines said since, however long the meeting.
_LINES_SAID_AFTER = Prepared(
    select(transcript.c.id, transcript.c.author_id, transcript.c.author_name)
    .where(transcript.c.meeting_id == bindparam("meeting_id"),
           transcript.c.id > bindparam("after"), transcript.c.change == "")
    .order_by(transcript.c.id), ("meeting_id", "after"))
# A meeting's attendance, in the order marked (each live ``#action`` reads it for owners).
_ATTENDANCE = Prepared(
    select(attendance.c.person_id, people.c.platform, people.c.user_id, attendance.c.shown_name,
           attendance.c.shown_github, attendance.c.shown_affiliation, attendance.c.status,
           attendance.c.how, attendance.c.at, attendance.c.left_at)
    .join(people, people.c.id == attendance.c.person_id)
    .where(attendance.c.meeting_id == bindparam("meeting_id"))
    .order_by(attendance.c.id), ("meeting_id",))
# One author's notes, newest first, a page at a time (``Store.notes_by``): a small first
# page (the note wanted is almost always the last), then larger ones.
_FIRST_NOTES, _MORE_NOTES = 4, 64
_NOTES_BY = (select(notes).where(notes.c.meeting_id == bindparam("meeting_id"),
                                 notes.c.author_id == bindparam("author_id"),
                                 notes.c.deleted.is_(False))
             .order_by(notes.c.id.desc()))
_NOTES_BY_FIRST = _NOTES_BY.limit(_FIRST_NOTES)
_NOTES_BY_BEFORE = _NOTES_BY.where(notes.c.id < bindparam("before")).limit(_MORE_NOTES)


class _Agenda:
    """One meeting's agenda as read in this transaction, kept up to date by our own
    writes, with the lookups a ``#topic`` makes: by id, by title (as ``spaced_title`` and
    ``bare_title`` read titles), by GitHub reference. Each is a dictionary, so a long
    meeting's hundredth topic costs what its first did."""

    def __init__(self, items: list[AgendaItem]) -> None:
        self.items: list[AgendaItem] = []
        self.index: dict[int, int] = {}  # item id -> place in ``items``
        # key function -> {key(title) -> the first item with that key}, built when asked
        self.keyed: dict[Callable[[str], str], dict[str, AgendaItem]] = {}
        self.referenced: dict[tuple[str, int], AgendaItem] = {}  # (repo folded, number)
        self.repositories: dict[str, str] = {}  # repo casefolded -> its latest spelling
        self.last_position = 0
        for item in items:
            self.append(item)

    def append(self, item: AgendaItem) -> None:
        self.index[item.id] = len(self.items)
        self.items.append(item)
        for key, index in self.keyed.items():
            index.setdefault(key(item.title), item)
        repo = item.repo.casefold()
        if repo:
            self.repositories[repo] = item.repo
        if item.number is not None:
            self.referenced.setdefault((repo, item.number), item)
        self.last_position = max(self.last_position, item.position)

    def replace(self, item: AgendaItem) -> None:
        """The same item with new values (title, repo and number never change)."""
        self.items[self.index[item.id]] = item
        for key, index in self.keyed.items():
            title = key(item.title)
            if (known := index.get(title)) is not None and known.id == item.id:
                index[title] = item
        if item.number is not None:
            reference = (item.repo.casefold(), item.number)
            if (known := self.referenced.get(reference)) is not None and known.id == item.id:
                self.referenced[reference] = item


class _Speakers:
    """One meeting's lines said per speaker as read in this transaction, kept up to date by
    the lines this transaction logs, so that each ``#action`` (whose owners may be anyone
    who spoke) costs the same at the meeting's end as at its start instead of counting the
    whole transcript again."""

    def __init__(self, rows: Iterable[Any] = ()) -> None:
        # author id -> [name (the greatest spelling by code point), lines, order of first line]
        self.tally: dict[str, list[Any]] = {}
        self.next_order = 0
        # The greatest transcript id counted from the database; without a transcript
        # (``Store.keeps_transcript``), the lines counted, so a later tally still wins.
        self.last_id = 0
        for row in rows:  # (one per speaker and spelling: ``_LINES_SAID``)
            if (known := self.tally.get(row.author_id)) is None:
                self.tally[row.author_id] = [row.name, row.lines, row.first]
            else:
                known[0] = max(known[0], row.name)
                known[1] += row.lines
                known[2] = min(known[2], row.first)
            self.next_order = max(self.next_order, row.first + 1)
            self.last_id = max(self.last_id, row.last)

    def copy(self) -> _Speakers:
        twin = _Speakers()
        twin.tally = {author_id: list(known) for author_id, known in self.tally.items()}
        twin.next_order, twin.last_id = self.next_order, self.last_id
        return twin

    def read(self, rows: Iterable[Any]) -> None:
        """Lines read from the database after ``last_id``, in the order of their ids (so a
        newcomer ranks by its first line's id, as the full count ranks it): (id, author id,
        author name) each."""
        for line_id, author_id, author_name in rows:
            if (known := self.tally.get(author_id)) is None:
                self.tally[author_id] = [author_name, 1, line_id]
            else:
                known[0] = max(known[0], author_name)
                known[1] += 1
            self.next_order = max(self.next_order, line_id + 1)
            self.last_id = line_id

    def said(self, author_id: str, author_name: str) -> None:
        if (known := self.tally.get(author_id)) is None:
            self.tally[author_id] = [author_name, 1, self.next_order]
            self.next_order += 1
            return
        if author_name > known[0]:  # (the greatest name, as ``max`` would keep)
            known[0] = author_name
        known[1] += 1

    def most_first(self) -> list[tuple[str, str, int]]:
        ranked = sorted(self.tally.items(), key=lambda kv: (-kv[1][1], kv[1][2]))
        return [(author_id, name, lines) for author_id, (name, lines, _) in ranked]


class SpeakerTallies:
    """Lines said per speaker as of the last commit that read them, per meeting, kept
    between transactions so that a live ``#action`` (whose owners may be anyone who spoke)
    reads only the lines said since, not the whole transcript again: its cost then stays
    flat over a long meeting.

    Exact because every line of a meeting not yet counted has an id above the tally's
    ``last_id``, whichever process wrote it (transcript rows are never deleted, and only
    ``Store.flush`` writes them; the tally a transaction reads is published only once it
    commits, a rolled-back one's lines never existing):

    * SQLite: one writer at a time, and a row's id is one more than the greatest before.
    * PostgreSQL: a sequence hands out ids as rows are inserted, before commit, so two
      writers of one meeting could commit in another order than their ids, and a line
      committed late would sit below a ``last_id`` read in between. So a transaction that
      may write locks the meeting's row at its first step on it, the read of the running
      meeting (``Store.running_meeting``; ``start_meeting``'s new row is its own), before
      it inserts any line, and holds the lock to its commit or rollback. A meeting's
      writers thus take turns, and each draws its lines' ids (``nextval``, at the insert)
      after every earlier writer committed: ids follow the order writers commit in. A
      read (one statement: READ COMMITTED, PostgreSQL's default and ours, snapshots each
      statement) sees the lines of writers that committed before it; any it cannot see
      belong to a writer that held the lock then or took it later, so drew greater ids
      (the sequence has no per-session cache, as SERIAL makes it). Reads take no lock,
      and a read-only transaction (``Database.reading``) counts as exactly.

    Why the lock comes first and not when the first line is written: a lock taken late,
    after the transaction's other row locks, can close a cycle. (It did: ``#topic``
    updated the meeting row and then cleared the speaker queue while a ``q-`` that had
    deleted a queue row waited for the meeting row to write its line.) Taken at the
    first read, no writer of a meeting holds any other row lock of it while it waits, so
    whoever holds the meeting row waits for nobody of that meeting. What a meeting's
    writer touches beside its meeting (notes, queue, roles, votes, a claim of the
    delivery, ...) it touches after that lock (``MeetingBot.handle`` reads the meeting
    before claiming the event for this reason).

    Chosen over a per-speaker count table kept by the writers: that needs a migration and
    a backfill, adds an upsert (a row written, not only locked) to every chat line's
    transaction with the same queueing on the counted rows, and must keep the order of
    first lines that breaks ties; and the read it would spare is already only as long as
    the lines said since.
    """

    def __init__(self) -> None:
        self.committed: dict[int, _Speakers] = {}  # meeting id -> tally (never mutated)

    def publish(self, read: dict[int, _Speakers], ended: Iterable[int] = ()) -> None:
        """Tallies a transaction read, once it committed (a rolled-back one's lines may
        never exist); the tallies of meetings it ended are let go (a long-running bot
        would otherwise keep one per meeting it ever counted; a later read counts whole)."""
        for meeting_id, tally in read.items():
            known = self.committed.get(meeting_id)
            if known is None or known.last_id <= tally.last_id:
                self.committed[meeting_id] = tally
        for meeting_id in ended:
            self.committed.pop(meeting_id, None)


class Store:
    """The meeting domain's reads and writes on one open connection (one transaction)."""

    def __init__(self, connection: Connection, tallies: SpeakerTallies | None = None,
                 keeps_transcript: bool = True, locks_meetings: bool = True) -> None:
        self.connection = connection
        self._tallies = tallies
        # PostgreSQL, in a transaction that may write: the running meeting's row is locked
        # as it is first read (see ``SpeakerTallies``), and these are the meetings locked
        # so far. SQLite has one writer at a time and needs no lock. No read of a running
        # meeting happens in a savepoint, so a savepoint's rollback never gives one back.
        self._serialises = connection.dialect.name != "sqlite"  # (lines wait for the lock)
        self._locks = locks_meetings and self._serialises
        self.locked: set[int] = set()
        self.ended: set[int] = set()  # meetings this transaction ended (``update_meeting``)
        # False for a replay's scratch database (``Database.scratch``): the lines said are
        # only counted, in ``tallies`` (so there must be some), and the transcript table
        # stays empty.
        self.keeps_transcript = keeps_transcript or tallies is None
        # meeting id -> the tally as read from the database here (before our later lines),
        # for ``tallies`` once this transaction commits; without a transcript, the tally
        # with this transaction's lines counted (there is nothing to read them back from)
        self.speakers_read: dict[int, _Speakers] = {}
        # Reads this transaction already made, forgotten by our own writes to them. They
        # matter when one transaction handles many events (a replayed log); within a single
        # event each is read once anyway.
        self._running: dict[Place, Meeting | None] = {}
        self._roles: dict[tuple[int, str], frozenset[str]] = {}
        self._role_names: dict[tuple[int, str], list[str]] = {}
        self._attendance: dict[int, list[Attendance]] = {}
        # group -> the greatest action number this transaction has read or given (see
        # ``ActionStore.add``); another writer's number is caught by the unique constraint.
        self.action_numbers: dict[str, int] = {}
        self._pending_lines: list[tuple[int, datetime, str, str, str, str, str]] = []
        self._pending_notes: list[tuple[Any, ...]] = []  # see ``keep_note``
        self._pending_topics: list[tuple[Any, ...]] = []  # see ``record_topic``
        self._agendas: dict[int, _Agenda] = {}
        self._notes: dict[int, list[Note]] = {}
        self._speakers: dict[int, _Speakers] = {}
        # Meetings whose speaker queue this transaction emptied and nobody wrote to since
        # (every ``#topic`` empties it; a replayed log has hundreds of topics).
        self.emptied_queues: set[int] = set()

    def write(self, statement: Insert | Update | Delete, parameters: Any = None
              ) -> CursorResult[Any]:
        """Run a write of the row modules beside this one (``dialect_rows``, ``actions``,
        ...), first forgetting what this transaction cached of the table it writes, so a
        later read here sees the change without the writer knowing about the caches."""
        self._forget(getattr(statement.table, "name", ""))
        return self.connection.execute(statement, parameters)

    def write_prepared(self, statement: Prepared, values: Sequence[Any]) -> None:
        """``write`` of a statement those modules run once per command (see ``Prepared``)."""
        self._forget(getattr(getattr(statement.statement, "table", None), "name", ""))
        statement.rows(self.connection, values)

    def _forget(self, table: str) -> None:
        self._flush_topics()  # (rows held back refer to meetings and items)
        if table == meetings.name:
            self._flush_notes()  # (a meeting's notes go with it)
            self._running.clear()
        elif table == roles.name:
            self._roles.clear()
            self._role_names.clear()
        elif table in (attendance.name, people.name):
            self._attendance.clear()
        elif table == agenda_items.name:
            self._agendas.clear()
        elif table == notes.name:
            self._flush_notes()
            self._notes.clear()
        elif table == transcript.name and self.keeps_transcript:
            self.flush()  # the lines held back go first, in the order they were said
            self._speakers.clear()
            self.speakers_read.clear()
        elif table == speaker_queue.name:
            self.emptied_queues.clear()

    # -- meetings -------------------------------------------------------------------

    def running_meeting(self, place: Place) -> Meeting | None:
        if (meeting := self._running.get(place, _UNREAD)) is _UNREAD:  # (asked every line)
            values = (place.platform, place.workspace, place.channel)
            if not self._locks:
                rows = _RUNNING_MEETING.rows(self.connection, values)
            else:  # the transaction's first step on the meeting (see ``SpeakerTallies``)
                rows = _RUNNING_MEETING_LOCKED.rows(self.connection, values)
                if rows:
                    self.locked.add(rows[0][_MEETING_FIELDS["id"]])
            meeting = self._running[place] = _meeting(rows[0]) if rows else None
        return meeting  # type: ignore[return-value]

    def meeting(self, meeting_id: int) -> Meeting | None:
        rows = _MEETING.rows(self.connection, (meeting_id,))
        return _meeting(rows[0]) if rows else None

    def meetings(self, group_name: str | None = None, limit: int = 50) -> list[Meeting]:
        query = select(meetings).order_by(meetings.c.id.desc()).limit(limit)
        if group_name:
            query = query.where(meetings.c.group_name == group_name)
        return [_meeting(r) for r in self.connection.execute(query)]

    def all_running_meetings(self) -> list[Meeting]:
        rows = self.connection.execute(
            select(meetings).where(meetings.c.status == Status.RUNNING.value)
        )
        return [_meeting(r) for r in rows]

    def start_meeting(self, place: Place, group_name: str, title: str, meeting_date: str,
                      at: datetime, started_by: str) -> Meeting:
        self._running.clear()
        try:
            with self._savepoint():
                meeting_id = self.connection.execute(
                    insert(meetings).values(
                        group_name=group_name, title=title, platform=place.platform,
                        workspace=place.workspace, channel=place.channel,
                        status=Status.RUNNING.value, meeting_date=meeting_date,
                        started_at=at, started_by=started_by, current_section="none",
                        lurking=False, links="{}",
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise AlreadyRunning() from None
        if self._locks:  # a row inserted here is nobody else's until this commits
            self.locked.add(meeting_id)
        meeting = self.meeting(meeting_id)
        assert meeting is not None
        return meeting

    def update_meeting(self, meeting_id: int, **values: Any) -> None:
        self._running.clear()
        if values.get("status") is Status.ENDED and self.keeps_transcript:
            self.ended.add(meeting_id)  # (without a transcript the tally is all there is)
        if "links" in values:
            values["links"] = json.dumps(values["links"], sort_keys=True)
        for key in ("status", "current_section"):
            if key in values and hasattr(values[key], "value"):
                values[key] = values[key].value
        self.connection.execute(
            update(meetings).where(meetings.c.id == meeting_id).values(**values))

    def minutes_of(self, meeting_id: int) -> str | None:
        return self.connection.execute(
            select(meetings.c.minutes).where(meetings.c.id == meeting_id)
        ).scalar_one_or_none()

    # -- agenda -----------------------------------------------------------------------

    def _agenda(self, meeting_id: int) -> _Agenda:
        agenda = self._agendas.get(meeting_id)
        if agenda is None:
            rows = self.connection.execute(_AGENDA, {"meeting_id": meeting_id})
            agenda = self._agendas[meeting_id] = _Agenda([_item(r) for r in rows])
        return agenda

    def agenda(self, meeting_id: int) -> list[AgendaItem]:
        return list(self._agenda(meeting_id).items)

    # The lookups below use the agenda when this transaction has read it (a replay reads
    # it once for the whole log); otherwise they ask for just what they need, so a live
    # command late in a long meeting does not read every item.

    def agenda_size(self, meeting_id: int) -> int:
        if (agenda := self._agendas.get(meeting_id)) is not None:
            return len(agenda.items)
        return int(self.connection.execute(_AGENDA_SIZE, {"meeting_id": meeting_id})
                   .scalar_one())

    def agenda_item_at(self, meeting_id: int, number: int) -> AgendaItem | None:
        """Item ``number`` of the agenda, counting from 1, if there is one."""
        if not 1 <= number <= _MOST_ITEMS:
            return None  # (a number past any integer the database takes is no item either)
        if (agenda := self._agendas.get(meeting_id)) is not None:
            return agenda.items[number - 1] if number <= len(agenda.items) else None
        row = self.connection.execute(_AGENDA_AT, {"meeting_id": meeting_id,
                                                   "offset": number - 1}).first()
        return _item(row) if row else None

    def agenda_item_named(self, meeting_id: int, text: str) -> AgendaItem | None:
        """The item whose title ``text`` names: the first, in agenda order, that reads the
        same in any case with its spaces collapsed (``spaced_title``), else the first that
        does without a standing item's URL tail too (``bare_title``).

        Unread, only the items whose stored ``bare_title`` is one of ``title_keys(text)``
        are read, through an index: every item either rule finds is among them, and a long
        meeting's agenda (hundreds of items) is not read for each ``#topic``."""
        agenda = self._agendas.get(meeting_id)
        if agenda is not None:
            for key in (spaced_title, bare_title):
                index = agenda.keyed.get(key)
                if index is None:
                    index = agenda.keyed[key] = {}
                    for item in agenda.items:
                        index.setdefault(key(item.title), item)
                if (found := index.get(key(text))) is not None:
                    return found
            return None
        items = [_item(row) for row in
                 _AGENDA_KEYED.rows(self.connection, (meeting_id, *title_keys(text)))]
        for key in (spaced_title, bare_title):
            wanted = key(text)
            if (found := next((i for i in items if key(i.title) == wanted), None)) is not None:
                return found
        return None

    def agenda_item_for(self, meeting_id: int, repo: str, number: int) -> AgendaItem | None:
        """The first item of the agenda for issue or pull request ``repo#number`` (the
        repository's name in any case)."""
        folded = repo.casefold()
        if (agenda := self._agendas.get(meeting_id)) is not None:
            return agenda.referenced.get((folded, number))
        rows = self.connection.execute(_AGENDA_NUMBERED, {"meeting_id": meeting_id,
                                                          "number": number})
        return next((_item(r) for r in rows if r.repo.casefold() == folded), None)

    def agenda_repository(self, meeting_id: int, repo: str) -> str | None:
        """How the agenda's latest item of ``repo`` (any case) spells it, if it has one."""
        folded = repo.casefold()
        if (agenda := self._agendas.get(meeting_id)) is not None:
            return agenda.repositories.get(folded)
        rows = self.connection.execute(_AGENDA_REPOSITORIES, {"meeting_id": meeting_id})
        spellings = [(position, spelling) for spelling, position in rows
                     if spelling.casefold() == folded]
        return max(spellings)[1] if spellings else None

    def add_agenda_item(self, meeting_id: int, source: ItemSource, title: str, repo: str = "",
                        number: int | None = None, url: str = "", is_pr: bool = False,
                        discussed: bool = False) -> AgendaItem:
        """A new item at the agenda's end; ``discussed`` when it is added to be the topic
        (``#topic <new title>``), which saves marking it a moment later."""
        agenda = self._agendas.get(meeting_id)
        if agenda is not None:
            position = agenda.last_position + 1
        else:
            ((last,),) = _LAST_POSITION.rows(self.connection, (meeting_id,))
            position = last + 1
        item_id = _ADD_ITEM.insert(self.connection, (
            meeting_id, position, source.value, title, repo, number, url, is_pr, discussed,
            bare_title(title)))
        item = AgendaItem(item_id, meeting_id, position, source, title, repo, number, url, is_pr,
                          discussed)
        if agenda is not None:
            agenda.append(item)
        return item

    def agenda_item(self, item_id: int) -> AgendaItem | None:
        for agenda in self._agendas.values():
            if (place := agenda.index.get(item_id)) is not None:
                return agenda.items[place]
        rows = _AGENDA_ITEM.rows(self.connection, (item_id,))
        return _item(rows[0]) if rows else None

    def mark_discussed(self, item_id: int) -> None:
        for agenda in self._agendas.values():
            if (place := agenda.index.get(item_id)) is not None:
                if agenda.items[place].discussed:
                    return  # as this transaction read or wrote it: nothing to change
                agenda.replace(replace(agenda.items[place], discussed=True))
        _MARK_DISCUSSED.rows(self.connection, (item_id,))

    def record_topic(self, meeting_id: int, item_id: int | None, section: Section,
                     at: datetime, discussed: bool = False,
                     by: tuple[str, str] = ("", "")) -> None:
        """The meeting's topic is now ``item_id`` (or ``section``), set ``by`` (user id,
        name as shown); ``discussed`` when the caller read the item as discussed already
        (no need to mark it again).

        The history row (``topic_at`` and who set a topic read it) is held back and
        written with the next ones, as notes are: a replayed log changes topic hundreds of
        times."""
        self._pending_topics.append((meeting_id, item_id, _SECTION_VALUES[section], at, *by))
        for place, known in self._running.items():  # as a re-read would find it
            if known is not None and known.id == meeting_id:
                self._running[place] = replace(known, current_item_id=item_id,
                                               current_section=section)
        _SET_TOPIC.rows(self.connection, (meeting_id, item_id, _SECTION_VALUES[section]))
        if item_id is not None and not discussed:
            self.mark_discussed(item_id)

    def _flush_topics(self) -> None:
        if self._pending_topics:
            _RECORD_TOPICS.many(self.connection, self._pending_topics)
            self._pending_topics = []

    def topic_at(self, meeting_id: int, at: datetime) -> tuple[int | None, Section] | None:
        """The topic that was current at ``at`` (a thread's root time, say)."""
        self._flush_topics()
        row = self.connection.execute(
            select(topic_changes.c.item_id, topic_changes.c.section)
            .where(topic_changes.c.meeting_id == meeting_id, topic_changes.c.at <= at)
            .order_by(topic_changes.c.at.desc(), topic_changes.c.id.desc())
            .limit(1)
        ).first()
        return (row.item_id, Section(row.section)) if row else None

    def taken_up(self, meeting_id: int) -> list[int]:
        """The ids of the agenda items that were the topic, in the order each was first
        taken up: the order the meeting went through them, whatever their agenda order
        (a ``topic:`` said mid-agenda is added at the agenda's end, and stays there, so
        that Zakim's agendum numbers keep meaning what they meant)."""
        self._flush_topics()
        return [item_id for item_id, in self.connection.execute(
            _TAKEN_UP, {"meeting_id": meeting_id})]

    def _topic_setters(self, meeting_id: int, item_id: int) -> list[tuple[str, str]]:
        self._flush_topics()
        return [(who, name) for who, name in
                _SETTERS.rows(self.connection, (meeting_id, item_id))]

    def is_topic_setter(self, meeting_id: int, item_id: int, who: str) -> bool:
        """Whether ``who`` (a user id) made agenda item ``item_id`` the topic at some point
        of the meeting (``#topic``, ``#next``, W3C's ``topic:``, Zakim's ``take up``).
        Nothing but the topic's history records it: a replay's or the console's store
        keeps no transcript."""
        return any(setter == who for setter, _ in self._topic_setters(meeting_id, item_id))

    def topic_setters(self, meeting_id: int, item_id: int) -> list[str]:
        """The names of those who made agenda item ``item_id`` the topic, by name."""
        return sorted({name for _, name in self._topic_setters(meeting_id, item_id)},
                      key=str.casefold)

    # -- people and attendance --------------------------------------------------------

    def person(self, platform: str, user_id: str) -> Person | None:
        row = self.connection.execute(
            select(people).where(people.c.platform == platform, people.c.user_id == user_id)
        ).first()
        return _person(row) if row else None

    def save_person(self, platform: str, user_id: str, name: str, github: str | None = None,
                    affiliation: str | None = None) -> Person:
        """Create or update a person; ``None`` keeps what was remembered before."""
        known = self.person(platform, user_id)
        if known is None:
            person_id = self.connection.execute(
                insert(people).values(platform=platform, user_id=user_id, name=name,
                                      github=github or "", affiliation=affiliation or "")
            ).inserted_primary_key[0]  # type: ignore[index]
            return Person(person_id, platform, user_id, name, github or "", affiliation or "")
        changes: dict[str, str] = {}
        if name and name != known.name:
            changes["name"] = name
        if github is not None and github != known.github:
            changes["github"] = github
        if affiliation is not None and affiliation != known.affiliation:
            changes["affiliation"] = affiliation
        if changes:
            self._attendance.clear()
            self.connection.execute(update(people).where(people.c.id == known.id).values(**changes))
            return Person(known.id, platform, user_id, changes.get("name", known.name),
                          changes.get("github", known.github),
                          changes.get("affiliation", known.affiliation))
        return known

    def github_handles(self, user_ids: Collection[str]) -> list[str]:
        """The GitHub handles remembered (``#here @handle``) for these platform user ids,
        on any platform."""
        if not user_ids:
            return []
        rows = self.connection.execute(
            select(people.c.github).where(people.c.user_id.in_(list(user_ids)),
                                          people.c.github != ""))
        return [row.github for row in rows]

    def mark_attendance(self, meeting_id: int, person_id: int, status: str, how: str,
                        at: datetime) -> bool:
        """Record presence or regrets; returns False when nothing changed.

        The person's name, handle and affiliation are copied onto the row each time: the
        minutes of this meeting show them as they were here, whatever they say later.
        """
        self._attendance.pop(meeting_id, None)
        person = self.connection.execute(
            select(people.c.name, people.c.github, people.c.affiliation)
            .where(people.c.id == person_id)).one()
        shown = {"shown_name": person.name, "shown_github": person.github,
                 "shown_affiliation": person.affiliation}
        row = self.connection.execute(
            select(attendance.c.id, attendance.c.status, attendance.c.left_at,
                   attendance.c.shown_name, attendance.c.shown_github,
                   attendance.c.shown_affiliation).where(
                attendance.c.meeting_id == meeting_id, attendance.c.person_id == person_id)
        ).first()
        if row is None:
            self.connection.execute(insert(attendance).values(
                meeting_id=meeting_id, person_id=person_id, status=status, how=how, at=at,
                **shown))
            return True
        if row.status == status and row.left_at is None:
            if (row.shown_name, row.shown_github, row.shown_affiliation) != tuple(shown.values()):
                self.connection.execute(update(attendance).where(attendance.c.id == row.id)
                                        .values(**shown))
            return False
        self.connection.execute(update(attendance).where(attendance.c.id == row.id)
                                .values(status=status, how=how, left_at=None, **shown))
        return True

    def hand_over_attendance(self, meeting_id: int, from_id: int, to_id: int) -> None:
        """``from_id``'s row at this meeting becomes ``to_id``'s (a name a chair gave is
        someone's nick): its place in the list and its status stay. When ``to_id`` has a
        row already, theirs is kept and the other goes: one row per person."""
        self._attendance.pop(meeting_id, None)
        theirs = self.connection.execute(select(attendance.c.id).where(
            attendance.c.meeting_id == meeting_id, attendance.c.person_id == to_id)).first()
        named = (attendance.c.meeting_id == meeting_id) & (attendance.c.person_id == from_id)
        if theirs is not None:
            self.connection.execute(delete(attendance).where(named))
        else:
            self.connection.execute(update(attendance).where(named).values(person_id=to_id))

    def mark_left(self, meeting_id: int, person_id: int, at: datetime) -> None:
        self._attendance.pop(meeting_id, None)
        self.connection.execute(
            update(attendance)
            .where(attendance.c.meeting_id == meeting_id, attendance.c.person_id == person_id)
            .values(left_at=at)
        )

    def attendance(self, meeting_id: int) -> list[Attendance]:
        """The meeting's attendance, in the order marked; read once per transaction until
        it is written (each ``#action`` asks, to find its owners)."""
        if (known := self._attendance.get(meeting_id)) is None:
            known = self._attendance[meeting_id] = self._read_attendance(meeting_id)
        return list(known)

    def _read_attendance(self, meeting_id: int) -> list[Attendance]:
        return [
            Attendance(person=Person(person_id, platform, user_id, name, github, affiliation),
                       status=status, how=how, at=_utc(at),  # type: ignore[arg-type]
                       left_at=_utc(left_at))
            for (person_id, platform, user_id, name, github, affiliation, status, how, at,
                 left_at) in _ATTENDANCE.rows(self.connection, (meeting_id,))
        ]

    # -- roles: chairs, scribes, nicks ------------------------------------------------

    def add_role(self, meeting_id: int, role: str, who: str, name: str) -> bool:
        if self.has_role(meeting_id, role, who):
            return False
        self._roles.pop((meeting_id, role), None)
        self._role_names.pop((meeting_id, role), None)
        self.connection.execute(insert(roles).values(meeting_id=meeting_id, role=role, who=who,
                                                     name=name))
        return True

    def remove_role(self, meeting_id: int, role: str, who: str) -> bool:
        self._roles.pop((meeting_id, role), None)
        self._role_names.pop((meeting_id, role), None)
        result = self.connection.execute(delete(roles).where(
            roles.c.meeting_id == meeting_id, roles.c.role == role, roles.c.who == who))
        return bool(result.rowcount)

    def has_role(self, meeting_id: int, role: str, *who: str) -> bool:
        key = (meeting_id, role)
        if (holders := self._roles.get(key)) is None:  # (asked for most lines: one lookup)
            rows = _ROLE_HOLDERS.rows(self.connection, key)
            holders = self._roles[key] = frozenset(who for (who,) in rows)
        return not holders.isdisjoint(who)

    def role_names(self, meeting_id: int, role: str) -> list[str]:
        """Names of the role's holders, by name; read once per transaction until a role
        is written (each ``#action`` asks for the nicks)."""
        key = (meeting_id, role)
        if (names := self._role_names.get(key)) is None:
            rows = _ROLE_NAMES.rows(self.connection, key)
            names = self._role_names[key] = [name for (name,) in rows]
        return list(names)

    # -- notes --------------------------------------------------------------------------

    def add_note(self, meeting_id: int, author_id: str, author_name: str, at: datetime,
                 kind: NoteKind, text: str, item_id: int | None, section: Section,
                 depth: int = 0, source_message_id: str = "", place: float | None = None
                 ) -> Note:
        """A note saved now, with its id (an ``#action`` is kept under it); ``place`` puts
        it elsewhere than last in the minutes (``Note.place``)."""
        self._flush_notes()  # ids follow the order notes were taken
        values = (meeting_id, author_id, author_name, at, _KIND_VALUES[kind], text, item_id,
                  _SECTION_VALUES[section], depth, source_message_id, False)
        if place is None:
            note_id = _ADD_NOTE.insert(self.connection, values)
        else:
            note_id = _INSERT_NOTE.insert(self.connection, (*values, place))
        self._notes.pop(meeting_id, None)
        return Note(note_id, meeting_id, author_id, author_name, at, kind, text, item_id,
                    section, depth, source_message_id, place)

    def keep_note(self, meeting_id: int, author_id: str, author_name: str, at: datetime,
                  kind: NoteKind, text: str, item_id: int | None, section: Section,
                  depth: int = 0, source_message_id: str = "") -> None:
        """A note whose id nobody needs now: held back and written with the next ones, as
        transcript lines are (a replayed log takes thousands in one transaction). Every
        read or change of notes here, and the commit, writes them first."""
        self._pending_notes.append((  # (in the order of ``_NOTE_KEYS``)
            meeting_id, author_id, author_name, at, _KIND_VALUES[kind], text, item_id,
            _SECTION_VALUES[section], depth, source_message_id, False))
        self._notes.pop(meeting_id, None)
        if len(self._pending_notes) >= 1000:
            self._flush_notes()

    def _flush_notes(self) -> None:
        if self._pending_notes:
            _ADD_NOTE.many(self.connection, self._pending_notes)
            self._pending_notes = []

    def notes(self, meeting_id: int) -> list[Note]:
        """The meeting's notes in the minutes' order (oldest first, an inserted one where
        it was inserted); read once per transaction until a note is written (closing a
        meeting asks twice: the minutes and the summary)."""
        if meeting_id not in self._notes:
            self._flush_notes()
            rows = self.connection.execute(_NOTES, {"meeting_id": meeting_id})
            shared: dict[str, str] = {}
            found = [_note(r, shared) for r in rows]
            if any(note.place is not None for note in found):
                found.sort(key=attrgetter("minutes_order"))
            self._notes[meeting_id] = found
        return list(self._notes[meeting_id])

    def each_note_row(self, meeting_id: int) -> Iterator[NoteRow]:
        """The meeting's notes, oldest first, as the minutes read them: a plain tuple of
        the columns they show (``NoteRow``), made one at a time as the rows are read and
        kept by nobody here. A long meeting's minutes read tens of thousands: a ``Note``
        each (its eleven fields, its enums, its instant made aware) cost twice the reading
        itself. (Read nothing else here until it is spent.)"""
        if (cached := self._notes.get(meeting_id)) is not None:
            for note in list(cached):
                yield (note.author_name, note.at, _KIND_VALUES[note.kind], note.text,
                       note.item_id, _SECTION_VALUES[note.section], note.depth)
            return
        self._flush_notes()
        parameters = {"meeting_id": meeting_id}
        inserted = self.connection.execute(_INSERTED_NOTE_ROWS, parameters).all()
        if inserted:
            yield from self._note_rows_merged(inserted, parameters)
            return
        result = self.connection.execute(_NOTE_ROWS, parameters)
        # A page at a time: cheaper than row by row. A small page: its rows (a datetime, a
        # row object and four strings each) are all alive at once, on top of the minutes'
        # lines, when a long meeting's minutes are at their largest (1024: +0.4 MiB).
        for rows in result.partitions(256):
            for author_name, at, kind, text, item_id, section, depth in rows:
                # SQLite's are naive, and UTC already; a server's in its session's zone.
                if at.tzinfo is not None:
                    at = at.astimezone(UTC)
                yield author_name, at, kind, text, item_id, section, depth

    def _note_rows_merged(self, inserted: Sequence[Any], parameters: dict[str, Any]
                          ) -> Iterator[NoteRow]:
        """``each_note_row`` for a meeting with inserted notes (``inserted``, in their
        order): each goes before the first other note whose id is not below its place."""
        waiting = iter(inserted)
        following = next(waiting, None)
        result = self.connection.execute(_NOTE_ROWS_IN_ORDER, parameters)
        for rows in result.partitions(256):
            for note_id, *row in rows:
                while following is not None and following[0] <= note_id:
                    yield _note_row(following[2:])
                    following = next(waiting, None)
                yield _note_row(row)
        while following is not None:
            yield _note_row(following[2:])
            following = next(waiting, None)

    def note_counts(self, meeting_id: int) -> tuple[int, int]:
        """(notes, of which actions) of the meeting, counted without reading them."""
        if (cached := self._notes.get(meeting_id)) is not None:
            return len(cached), sum(n.kind is NoteKind.ACTION for n in cached)
        self._flush_notes()
        row = self.connection.execute(_NOTE_COUNTS, {"meeting_id": meeting_id}).one()
        return int(row[0]), int(row[1] or 0)

    def last_note(self, meeting_id: int, author_id: str | None = None) -> Note | None:
        self._flush_notes()
        query = select(notes).where(notes.c.meeting_id == meeting_id, notes.c.deleted.is_(False))
        if author_id is not None:
            query = query.where(notes.c.author_id == author_id)
        row = self.connection.execute(query.order_by(notes.c.id.desc()).limit(1)).first()
        return _note(row) if row else None

    def notes_by(self, meeting_id: int, author_id: str) -> Iterator[Note]:
        """One author's notes, newest first, read a page at a time: ``s/old/new/`` stops at
        the first that holds ``old`` (almost always the last), so its cost does not grow
        with the meeting."""
        if (cached := self._notes.get(meeting_id)) is not None:
            if any(note.place is not None for note in cached):  # (kept in the minutes' order)
                cached = sorted(cached, key=attrgetter("id"))
            return (n for n in reversed(cached) if n.author_id == author_id)
        self._flush_notes()
        return self._notes_by(meeting_id, author_id)

    def _notes_by(self, meeting_id: int, author_id: str) -> Iterator[Note]:
        parameters: dict[str, Any] = {"meeting_id": meeting_id, "author_id": author_id}
        page = [_note(r) for r in self.connection.execute(_NOTES_BY_FIRST, parameters)]
        size = _FIRST_NOTES
        while page:
            yield from page
            if len(page) < size:
                return
            parameters["before"], size = page[-1].id, _MORE_NOTES
            page = [_note(r) for r in self.connection.execute(_NOTES_BY_BEFORE, parameters)]

    def notes_from_message(self, meeting_id: int, message_id: str) -> list[Note]:
        self._flush_notes()
        rows = self.connection.execute(
            select(notes).where(and_(notes.c.meeting_id == meeting_id,
                                     notes.c.source_message_id == message_id,
                                     notes.c.deleted.is_(False)))
        )
        return [_note(r) for r in rows]

    def delete_note(self, note_id: int) -> None:
        self._flush_notes()
        self._notes.clear()
        self.connection.execute(update(notes).where(notes.c.id == note_id).values(deleted=True))

    def change_note(self, note_id: int, **values: Any) -> None:
        self._flush_notes()
        self._notes.clear()
        if "kind" in values:
            values["kind"] = values["kind"].value
        self.connection.execute(update(notes).where(notes.c.id == note_id).values(**values))

    # -- transcript: every line said while the meeting runs -----------------------------

    def log_line(self, meeting_id: int, at: datetime, author_id: str, author_name: str,
                 text: str, message_id: str = "", change: str = "") -> None:
        """A line of the transcript; ``change`` ("edit", "delete") records a later change
        to the message ``message_id`` instead of a line said."""
        if not self.keeps_transcript:
            if not change:
                tally = self._counted(meeting_id)
                tally.said(author_id, author_name)
                tally.last_id += 1
                self.speakers_read[meeting_id] = tally  # (published only if a line was)
            return
        self._pending_lines.append(
            (meeting_id, at, author_id, author_name, text, message_id, change))
        if not change and (speakers := self._speakers.get(meeting_id)) is not None:
            speakers.said(author_id, author_name)
        if len(self._pending_lines) >= 1000:
            self.flush()

    def flush(self) -> None:
        """Write the transcript lines and notes held back; runs before every commit, and
        before a read of them that does not go through this class."""
        self._flush_notes()
        self._flush_topics()
        if self._pending_lines:
            if self._serialises:
                self._lock_unlocked({line[0] for line in self._pending_lines})
            _LOG_LINE.many(self.connection, self._pending_lines)
            self._pending_lines = []

    def _lock_unlocked(self, meeting_ids: set[int]) -> None:
        """A safety net: lock the meetings of lines about to be written that this
        transaction has not locked yet, so their ids still follow their writers' commits
        (see ``SpeakerTallies``).

        No path of the bot gets here: every line is logged to the meeting its transaction
        read first with ``running_meeting`` (locked then) or started (``start_meeting``,
        a row nobody else can see yet). A future path that logs to a meeting reached by id
        would lock it here, later than its first step: that keeps the counts exact, but
        if it held other row locks by then another meeting's writer could wait on them
        while holding this row, a cycle PostgreSQL would break by failing one transaction
        (the platform retries the event). So such a path should read the meeting with
        ``running_meeting`` first instead."""
        if unlocked := meeting_ids - self.locked:
            self.connection.execute(_LOCK_MEETINGS, {"meeting_ids": sorted(unlocked)}).all()
            self.locked |= unlocked

    def lines_said(self, meeting_id: int) -> list[tuple[str, str, int]]:
        """(author id, author name, lines) per speaker, most lines first (ties: who spoke
        first)."""
        if not self.keeps_transcript:
            return self._counted(meeting_id).most_first()
        if meeting_id not in self._speakers:
            self.flush()
            known = self._tallies.committed.get(meeting_id) if self._tallies else None
            if known is None:
                tally = _Speakers(self.connection.execute(_LINES_SAID,
                                                          {"meeting_id": meeting_id}))
            else:
                tally = known.copy()
                tally.read(_LINES_SAID_AFTER.rows(self.connection,
                                                  (meeting_id, known.last_id)))
            if self._tallies is not None:
                self.speakers_read[meeting_id] = tally.copy()
            self._speakers[meeting_id] = tally
        return self._speakers[meeting_id].most_first()

    def _counted(self, meeting_id: int) -> _Speakers:
        """Without a transcript: the meeting's tally as committed, with this transaction's
        lines counted in; ``Database.transaction`` publishes it when it commits if a line
        was counted, so a transaction that only read it never puts back an older one."""
        if (tally := self._speakers.get(meeting_id)) is None:
            known = self._tallies.committed.get(meeting_id) if self._tallies else None
            tally = self._speakers[meeting_id] = (
                known.copy() if known is not None else _Speakers())
        return tally

    # -- GitHub: meeting issues and publications ------------------------------------

    def meeting_issue(self, group_name: str, meeting_date: str) -> tuple[str, int, str] | None:
        """(repo, number, url) of the meeting issue opened for that day, if any."""
        row = self.connection.execute(
            select(meeting_issues).where(meeting_issues.c.group_name == group_name,
                                         meeting_issues.c.meeting_date == meeting_date)
        ).first()
        return (row.repo, row.number, row.url) if row else None

    def save_meeting_issue(self, group_name: str, meeting_date: str, repo: str, number: int,
                           url: str, at: datetime) -> None:
        self.connection.execute(delete(meeting_issues).where(
            meeting_issues.c.group_name == group_name,
            meeting_issues.c.meeting_date == meeting_date))
        self.connection.execute(insert(meeting_issues).values(
            group_name=group_name, meeting_date=meeting_date, repo=repo, number=number,
            url=url, updated_at=at))

    def unpublished_meetings(self) -> list[Meeting]:
        """Meetings that ended with minutes saved but no pull request yet, oldest first."""
        rows = self.connection.execute(
            select(meetings).where(meetings.c.status == Status.ENDED.value,
                                   meetings.c.minutes.is_not(None))
            .order_by(meetings.c.id))
        return [_meeting(r) for r in rows]

    def last_ended_meeting(self, place: Place) -> Meeting | None:
        """The most recent meeting that ended in this channel (published or not)."""
        row = self.connection.execute(
            select(meetings).where(
                meetings.c.platform == place.platform,
                meetings.c.workspace == place.workspace,
                meetings.c.channel == place.channel,
                meetings.c.status.in_([Status.ENDED.value, Status.PUBLISHED.value]),
            ).order_by(meetings.c.id.desc()).limit(1)
        ).first()
        return _meeting(row) if row else None

    def _savepoint(self) -> Any:
        """A savepoint inside this transaction, on SQLite too.

        Python's sqlite3 begins a transaction only before a write statement, not before
        ``SAVEPOINT``; a savepoint opened first thus becomes the outermost transaction, and
        its release commits it on its own: a claimed event or a started meeting would stay
        though the rest of this transaction rolled back (and the platform's retry of the
        event would be dropped as already seen). So on SQLite the transaction is begun
        first when nothing has begun it yet.
        """
        if self.connection.dialect.name == "sqlite":
            driver = self.connection.connection.driver_connection
            if driver is not None and not driver.in_transaction:
                self.connection.exec_driver_sql("BEGIN")
        return self.connection.begin_nested()

    # -- delivery bookkeeping ---------------------------------------------------------

    def claim_event(self, key: str, at: datetime) -> bool:
        """True the first time ``key`` is seen; platforms retry, replicas race.

        A claim is only needed while a repeat can still arrive (Slack retries for minutes,
        a signed request can be replayed for 5, a gateway resume replays what a short
        outage missed), so claims older than ``CLAIM_RETENTION`` before this one are swept
        here: the table holds about a day of deliveries instead of growing for good.
        """
        try:
            with self._savepoint():
                self.connection.execute(insert(processed_events).values(key=key, at=at))
        except IntegrityError:
            return False
        self.connection.execute(
            delete(processed_events).where(processed_events.c.at < at - CLAIM_RETENTION))
        return True


class Rehearsal:
    """The turns of a rehearsal (``Database.rehearsal``), in its one transaction."""

    def __init__(self, connection: Connection, keeps_transcript: bool) -> None:
        self.connection = connection
        self.keeps_transcript = keeps_transcript
        # Its own tallies, never the database's: its meetings never existed, and on SQLite
        # the next real meeting gets the same id.
        self.tallies = SpeakerTallies()

    @contextmanager
    def turn(self) -> Iterator[Store]:
        """A store of its own for each turn, as live turns have: a store keeps what it read
        for the next event (``handle_batch``), which would spare later turns the reads,
        and the compiling, that the live path's turns each make."""
        store = Store(self.connection, self.tallies, self.keeps_transcript)
        yield store
        store.flush()
        self.tallies.publish(store.speakers_read, store.ended)


class Database:
    """The engine, and transactions over it."""

    def __init__(self, engine: Engine, keeps_transcript: bool = True) -> None:
        self.engine = engine
        self.tallies = SpeakerTallies()
        self.keeps_transcript = keeps_transcript
        self.checkpoints = (Checkpointer(engine) if checkpoints_in_background(engine)
                            else None)

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(open_engine(url))

    @classmethod
    def scratch(cls, path: Path) -> Database:
        """A new, throwaway SQLite file at ``path`` (a replay's working copy): its schema
        is built from the table definitions, as for a memory database, since no earlier
        version of it can exist to migrate. A file rather than memory keeps a long
        meeting's rows in the page cache instead of the process.

        It keeps no transcript: only the web archive reads one back, and nothing serves
        this file to it; lines said per speaker (the minutes' and the JSON's) are counted in
        this process instead. A 200k-line log writes 200k rows fewer (about a sixth of
        its replay)."""
        return cls(open_scratch_engine(path), keeps_transcript=False)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A transaction that may write: on PostgreSQL it locks each running meeting it
        reads (``Store.running_meeting``) to its end, so a meeting's writers take their
        turns in the order they first read it (see ``SpeakerTallies``)."""
        with self._transaction(locks_meetings=True) as store:
            yield store

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A transaction that only reads (a command's prepare step, a page, the console's
        greeting): it locks no meeting, so it never waits for a meeting's writer, nor
        makes one wait. Its counts of lines said are exact all the same (see
        ``SpeakerTallies``)."""
        with self._transaction(locks_meetings=False) as store:
            yield store

    @contextmanager
    def rehearsal(self) -> Iterator[Rehearsal]:
        """A transaction that is always rolled back (``MeetingBot.warm_up``): its turns
        write as live ones do, so the same statements compile, and leave nothing behind."""
        with translated_errors(self.engine), self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield Rehearsal(connection, self.keeps_transcript)
            finally:
                transaction.rollback()

    @contextmanager
    def _transaction(self, locks_meetings: bool) -> Iterator[Store]:
        with translated_errors(self.engine):
            with self.engine.begin() as connection:
                store = Store(connection, self.tallies, self.keeps_transcript,
                              locks_meetings)
                yield store
                store.flush()
            self.tallies.publish(store.speakers_read, store.ended)  # (committed)
            if self.checkpoints is not None and locks_meetings:  # (``reading`` writes none)
                self.checkpoints.committed()

    def close(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.close()
        self.engine.dispose()
