"""``chat_event``: the replay's quick way to make an ``Event`` must make the same one."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from bot.events import Author, Event, EventKind, Place, chat_event

PLACE = Place("replay", "replay-default")
AUTHOR = Author("alice", "Alice")
AT = datetime(2024, 1, 1, 14, 0, tzinfo=UTC)


def test_chat_event_equals_the_dataclass_made_one_in_every_field() -> None:
    quick = chat_event(EventKind.EDIT, PLACE, AUTHOR, AT, "#info hello", "line-7")
    made = Event(EventKind.EDIT, PLACE, AUTHOR, AT, "#info hello", "line-7")
    assert quick == made
    assert [getattr(quick, f.name) for f in fields(Event)] == [
        getattr(made, f.name) for f in fields(Event)]
    assert hash(quick.place) == hash(made.place)


def test_chat_events_have_their_own_mentions_and_options() -> None:
    first = chat_event(EventKind.MESSAGE, PLACE, AUTHOR, AT, "one", "line-1")
    second = chat_event(EventKind.MESSAGE, PLACE, AUTHOR, AT, "two", "line-2")
    assert first.mentions is not second.mentions
    assert first.options is not second.options


def test_a_chat_event_is_frozen_and_replaceable() -> None:
    event = chat_event(EventKind.MESSAGE, PLACE, AUTHOR, AT, "hello", "line-1")
    with pytest.raises(AttributeError):
        event.text = "changed"  # type: ignore[misc]
    assert replace(event, text="changed").text == "changed"
