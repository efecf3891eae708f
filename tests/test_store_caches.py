"""What one transaction keeps of its own reads and writes stays true to the database.

A replayed log runs in one transaction, so the ``Store`` keeps what it read (attendance,
role names, the group's last action number) and holds notes back to write them together.
Each test changes the data inside that transaction the way a command would and checks that
what the next command sees is what the database holds, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from bot.domain import NoteKind, Section
from bot.events import Place
from bot.store import Database
from bot.store.actions import ActionStore
from bot.store.dialect_rows import clear_queue, enqueue, queue
from bot.store.schema import action_items

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PLACE = Place("slack", "C1", "T1")


def test_an_action_number_taken_meanwhile_is_skipped(database: Database) -> None:
    """Another writer took the next number after this transaction counted its actions:
    the new action gets the one after, not an error, and keeps its own text."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "wg", "Weekly", "2026-03-02", NOW, "U1")
        actions = ActionStore(store)
        first = actions.add("wg", "alice to ship", ("alice",), ("U2",), meeting.id, None,
                            NOW, "U1")
        store.write(insert(action_items).values(
            group_name="wg", number=first.number + 1, text="taken elsewhere", status="open",
            created_at=NOW))
        second = actions.add("wg", "bob to review", ("bob",), (), meeting.id, None, NOW, "U1")
    assert (first.label, second.label) == ("A-1", "A-3")
    with database.transaction() as store:
        stored = ActionStore(store).by_number("wg", 3)
    assert stored == second  # what add said is what a read finds
    assert stored is not None and stored.text == "bob to review"


def test_attendance_and_nicks_read_again_after_a_change(database: Database) -> None:
    """``#here`` and ``#nick`` in the middle of a replayed log count for the lines after."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "wg", "Weekly", "2026-03-02", NOW, "U1")
        assert store.attendance(meeting.id) == []
        assert store.role_names(meeting.id, "nick") == []
        person = store.save_person("slack", "U2", "Alice Smith")
        store.mark_attendance(meeting.id, person.id, "present", "here", NOW)
        store.add_role(meeting.id, "nick", "al", "Al")
        assert [a.person.name for a in store.attendance(meeting.id)] == ["Alice Smith"]
        assert store.role_names(meeting.id, "nick") == ["Al"]
        store.save_person("slack", "U2", "Alice Jones")  # a rename shows at the next mark
        store.mark_attendance(meeting.id, person.id, "present", "here", NOW)
        assert [a.person.name for a in store.attendance(meeting.id)] == ["Alice Jones"]
        store.remove_role(meeting.id, "nick", "al")
        assert store.role_names(meeting.id, "nick") == []


def test_notes_held_back_are_read_in_the_order_taken(database: Database) -> None:
    """Notes kept for a later write come back, between notes saved at once, in the order
    they were taken, in the same transaction and after the commit."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "wg", "Weekly", "2026-03-02", NOW, "U1")
        store.keep_note(meeting.id, "U1", "Ann", NOW, NoteKind.INFO, "first", None,
                        Section.NONE)
        store.add_note(meeting.id, "U1", "Ann", NOW, NoteKind.ACTION, "second", None,
                       Section.NONE)
        store.keep_note(meeting.id, "U1", "Ann", NOW, NoteKind.INFO, "third", None,
                        Section.NONE)
        assert [n.text for n in store.notes(meeting.id)] == ["first", "second", "third"]
        store.keep_note(meeting.id, "U1", "Ann", NOW, NoteKind.INFO, "fourth", None,
                        Section.NONE)
        last = store.last_note(meeting.id)
        assert last is not None and last.text == "fourth"
        store.keep_note(meeting.id, "U1", "Ann", NOW, NoteKind.INFO, "fifth", None,
                        Section.NONE)
    with database.transaction() as store:
        texts = [n.text for n in store.notes(meeting.id)]
    assert texts == ["first", "second", "third", "fourth", "fifth"]


def test_the_queue_empties_at_each_topic_after_someone_queued(database: Database) -> None:
    """``#topic`` empties Zakim's queue; after ``q+`` in the same replayed log, the next
    ``#topic`` empties it again."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "wg", "Weekly", "2026-03-02", NOW, "U1")
        clear_queue(store, meeting.id)
        assert enqueue(store, meeting.id, "U2", "Alice", "")
        clear_queue(store, meeting.id)
        assert queue(store, meeting.id) == []
        assert enqueue(store, meeting.id, "U3", "Bob", "a question")
        assert queue(store, meeting.id) == [("U3", "Bob", "a question")]
        clear_queue(store, meeting.id)
        clear_queue(store, meeting.id)
    with database.transaction() as store:
        assert queue(store, meeting.id) == []


def test_an_authors_last_note_is_the_last_taken_though_the_minutes_show_it_earlier(
        database: Database) -> None:
    """An inserted note (``i/``) is shown before older ones, but it is still its author's
    last (``s///`` and ``...`` take it): the kept notes agree with the database."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "wg", "Weekly", "2026-03-02", NOW, "U1")
        first = store.add_note(meeting.id, "U2", "alice", NOW, NoteKind.INFO, "one", None,
                               Section.NONE)
        store.add_note(meeting.id, "U2", "alice", NOW, NoteKind.INFO, "two", None,
                       Section.NONE)
        store.add_note(meeting.id, "U2", "alice", NOW, NoteKind.INFO, "inserted", None,
                       Section.NONE, place=first.id - 0.5)
        read = [n.text for n in store.notes_by(meeting.id, "U2")]
        assert [n.text for n in store.notes(meeting.id)] == ["inserted", "one", "two"]
        assert [n.text for n in store.notes_by(meeting.id, "U2")] == read == [
            "inserted", "two", "one"]
        assert [row[3] for row in store.each_note_row(meeting.id)] == [
            "inserted", "one", "two"]
    with database.transaction() as store:
        assert [row[3] for row in store.each_note_row(meeting.id)] == [
            "inserted", "one", "two"]
