"""A transaction that fails takes back everything it did, its savepoints included.

On SQLite, Python's driver begins a transaction only before a write statement; a savepoint
opened as a transaction's first statement used to become a transaction of its own, which
its release committed: an event's claim survived the event's failed work, so the
platform's retry of that event was dropped as a duplicate and the line was lost.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events import Place
from bot.store import Database

AT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
PLACE = Place("slack", "C1", "T1")


class Failed(Exception):
    pass


def test_an_event_whose_work_failed_is_not_claimed(database: Database) -> None:
    with pytest.raises(Failed), database.transaction() as store:
        assert store.claim_event("slack:Ev1", AT)
        raise Failed
    with database.transaction() as store:
        assert store.claim_event("slack:Ev1", AT), "the retry must be handled, not dropped"
        assert not store.claim_event("slack:Ev1", AT)


def test_a_meeting_started_in_a_failed_transaction_is_not_running(database: Database) -> None:
    with pytest.raises(Failed), database.transaction() as store:
        store.start_meeting(PLACE, "Gavel", "Meeting", "2026-12-03", AT, "chair")
        raise Failed
    with database.transaction() as store:
        assert store.running_meeting(PLACE) is None
