"""A transcript written many lines at a time (a replayed log) reads back exactly as it was
said: text, names, ids and times, to the microsecond, in any year a log may carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.events import Place
from bot.store import Database
from bot.store.history import logged_lines

AT = datetime(2024, 3, 7, 14, 0, tzinfo=UTC)
TIMES = [AT, AT + timedelta(microseconds=1), datetime(2, 1, 1, tzinfo=UTC),
         datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]  # (event times are UTC)


def test_lines_read_back_as_they_were_said(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "Security WG", "WG", "2024-03-07",
                                      AT, "rafael")
        for n, at in enumerate(TIMES * 500):  # more than one batch
            store.log_line(meeting.id, at, f"id-{n % 3}", f"Name {n % 3}", f"line {n} ✓",
                           f"m{n}")
        store.log_line(meeting.id, AT, "id-0", "Name 0", "line 0, edited", "m0", "edit")
    with database.transaction() as store:
        lines = logged_lines(store, meeting.id)
    assert len(lines) == 2001
    assert [line.at for line in lines[:-1]] == TIMES * 500
    assert [(line.author_id, line.author_name, line.text, line.message_id, line.change)
            for line in (lines[7], lines[-1])] == [
        ("id-1", "Name 1", "line 7 ✓", "m7", ""), ("id-0", "Name 0", "line 0, edited", "m0",
                                                   "edit")]


def test_a_line_for_a_meeting_that_is_gone_is_refused_like_any_other_write(
        database: Database) -> None:
    # The batched write reports the database's refusal as SQLAlchemy's own error, on
    # either dialect, so whatever handles a refused write handles this one.
    with pytest.raises(IntegrityError), database.transaction() as store:
        store.log_line(999, AT, "rafael", "rafael", "hello")


def test_a_bot_keeps_no_count_of_lines_said_for_meetings_that_ended(database: Database) -> None:
    """A bot that runs for months counts lines said per meeting between transactions
    (``SpeakerTallies``) only while the meeting runs: once it ends, its count is let go,
    and the minutes read later count the transcript whole, to the same figures."""
    from bot.domain import Status

    place = Place("console", "wg")
    with database.transaction() as store:
        meeting = store.start_meeting(place, "Security WG", "WG", "2024-03-07", AT, "rafael")
        for who in ("rafael", "joyce", "rafael"):
            store.log_line(meeting.id, AT, who, who, "hello")
    with database.transaction() as store:
        said = store.lines_said(meeting.id)
    assert meeting.id in database.tallies.committed
    with database.transaction() as store:
        store.update_meeting(meeting.id, status=Status.ENDED, ended_at=AT)
    assert meeting.id not in database.tallies.committed
    with database.reading() as store:
        assert store.lines_said(meeting.id) == said == [("rafael", "rafael", 2),
                                                        ("joyce", "joyce", 1)]
