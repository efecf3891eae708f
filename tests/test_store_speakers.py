"""Who spoke and how much, as the minutes' speaker list and the action owners read it,
within one transaction that goes on logging lines (a replayed log is one transaction)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events import Place
from bot.store import Database

AT = datetime(2024, 3, 7, 14, 0, tzinfo=UTC)


def test_lines_logged_after_a_count_are_counted_in_the_next(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        for who in ("rafael", "joyce", "rafael"):
            store.log_line(meeting.id, AT, who, who, "hello")
        assert store.lines_said(meeting.id) == [("rafael", "rafael", 2), ("joyce", "joyce", 1)]
        for _ in range(3):
            store.log_line(meeting.id, AT, "pedro", "pedro", "late, sorry")
        store.log_line(meeting.id, AT, "joyce", "joyce", "msg", message_id="9", change="edit")
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    with database.transaction() as store:  # what was committed reads the same afresh
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]


def test_a_tie_goes_to_whoever_spoke_first(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        store.log_line(meeting.id, AT, "ulises", "ulises", "first")
        assert store.lines_said(meeting.id) == [("ulises", "ulises", 1)]
        store.log_line(meeting.id, AT, "marco", "marco", "second")
        store.log_line(meeting.id, AT, "diogo", "diogo", "third")
        assert [who for who, _, _ in store.lines_said(meeting.id)] == ["ulises", "marco", "diogo"]


def test_later_transactions_count_the_lines_said_since_and_never_a_rolled_back_one(
        database: Database, database_url: str) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        for who in ("rafael", "joyce", "rafael"):
            store.log_line(meeting.id, AT, who, who, "hello")
        assert store.lines_said(meeting.id) == [("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    with database.transaction() as store:
        for _ in range(3):
            store.log_line(meeting.id, AT, "pedro", "pedro", "late, sorry")
        store.log_line(meeting.id, AT, "joyce", "joyce", "msg", message_id="9", change="edit")
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    try:
        with database.transaction() as store:
            for _ in range(5):
                store.log_line(meeting.id, AT, "marco", "marco", "never said")
            assert store.lines_said(meeting.id)[0] == ("marco", "marco", 5)
            raise RuntimeError("the event failed")
    except RuntimeError:
        pass
    with database.transaction() as store:
        assert store.lines_said(meeting.id) == [
            ("pedro", "pedro", 3), ("rafael", "rafael", 2), ("joyce", "joyce", 1)]
    other = Database.open(database_url)  # another process on the same database
    try:
        with other.transaction() as store:
            for _ in range(3):
                store.log_line(meeting.id, AT, "joyce", "Joyce", "from elsewhere")
    finally:
        other.close()
    with database.transaction() as store:
        store.log_line(meeting.id, AT, "ulises", "ulises", "hi")
        assert store.lines_said(meeting.id) == [
            ("joyce", "joyce", 4), ("pedro", "pedro", 3), ("rafael", "rafael", 2),
            ("ulises", "ulises", 1)]
