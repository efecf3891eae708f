"""A command's single-row writes (a note, an agenda item, the topic, an action), which on
SQLite skip SQLAlchemy's per-statement work, store and read back exactly what was said, and
a refused one is refused as any other write is, on either dialect; the meeting read back
through the same path (every live event's first read) is the one written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain import Attendance, ItemSource, NoteKind, Section
from bot.events import Place
from bot.store import Database
from bot.store.actions import ActionStore

AT = datetime(2024, 3, 7, 14, 0, 0, 1, tzinfo=UTC)  # (to the microsecond)
PLACE = Place("console", "wg")


def test_a_commands_rows_read_back_as_they_were_written(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "Security WG", "WG", "2024-03-07", AT, "rafael")
        item = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Threat model ✓",
                                     "w3c/webauthn", 42, "https://example.org/42", True, True)
        store.record_topic(meeting.id, item.id, Section.ITEM, AT, discussed=True)
        plain = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Release")
        note = store.add_note(meeting.id, "id-1", "Ana", AT, NoteKind.ACTION, "Ana to ✓",
                              item.id, Section.ITEM, 1, "m7")
        action = ActionStore(store).add("Security WG", "Ana to ✓", ("Ana",), ("id-1",),
                                        meeting.id, note.id, AT + timedelta(seconds=1), "rafael")
        store.mark_discussed(plain.id)
        ana = store.save_person("console", "id-1", "Ana", "ana-gh", "W3C")
        store.mark_attendance(meeting.id, ana.id, "present", "here", AT)
        store.mark_left(meeting.id, ana.id, AT + timedelta(minutes=5))
    with database.transaction() as store:
        assert store.agenda(meeting.id) == [item, store.agenda_item(plain.id)]
        assert store.agenda_item(plain.id).discussed  # type: ignore[union-attr]
        assert (item.is_pr, item.discussed, item.number) == (True, True, 42)
        assert store.notes(meeting.id) == [note]
        assert store.notes(meeting.id)[0].at == AT
        running = store.running_meeting(PLACE)
        assert running is not None
        assert (running.current_item_id, running.current_section) == (item.id, Section.ITEM)
        assert (running.started_at, running.lurking) == (AT, False)  # (a time, a bool)
        assert store.meeting(meeting.id) == running == replace(meeting, current_item_id=item.id,
                                                              current_section=Section.ITEM)
        assert ActionStore(store).by_number("Security WG", 1) == action
        assert action.created_at == AT + timedelta(seconds=1)
        assert store.attendance(meeting.id) == [
            Attendance(ana, "present", "here", AT, AT + timedelta(minutes=5))]


def test_who_set_a_topic_is_read_from_the_topics_history(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "Security WG", "WG", "2024-03-07", AT, "rafael")
        item = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Threat model")
        other = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Release")
        for who, name in (("id-2", "Bo"), ("id-1", "Ana"), ("id-2", "Bo")):
            store.record_topic(meeting.id, item.id, Section.ITEM, AT, by=(who, name))
            assert store.is_topic_setter(meeting.id, item.id, who)  # (held back, then read)
        store.record_topic(meeting.id, None, Section.QA, AT, by=("id-3", "Cy"))
    with database.transaction() as store:
        assert store.topic_setters(meeting.id, item.id) == ["Ana", "Bo"]
        assert store.is_topic_setter(meeting.id, item.id, "id-1")
        assert not store.is_topic_setter(meeting.id, item.id, "rafael")
        assert not store.is_topic_setter(meeting.id, other.id, "id-1")
        assert store.topic_setters(meeting.id, other.id) == []


@pytest.mark.parametrize("write", ["note", "agenda item", "action"])
def test_a_row_for_a_meeting_that_is_gone_is_refused_like_any_other_write(
        database: Database, write: str) -> None:
    # The database's refusal comes as SQLAlchemy's own error, on either dialect, so
    # whatever handles a refused write handles this one.
    with pytest.raises(IntegrityError), database.transaction() as store:
        if write == "note":
            store.add_note(999, "id-1", "Ana", AT, NoteKind.INFO, "hello", None, Section.NONE)
        elif write == "agenda item":
            store.add_agenda_item(999, ItemSource.ADHOC, "Threat model")
        else:
            ActionStore(store).add("Security WG", "Ana to", ("Ana",), ("id-1",), 999, None,
                                   AT, "rafael")
