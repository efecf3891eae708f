"""The order the meeting took its topics up in, as MeetBot's and scribe.perl's minutes list
them.

The agenda keeps its own order: a topic set mid-agenda (``#topic``, ``topic:``) is added
at its end, and Zakim's ``take up item N`` means agendum N as numbered when it was added,
so the agenda is never renumbered. Minutes that tell what was discussed (the ``meetbot``
layout, the JSON data's ``topics``) list the items in the order the store's topic
history took them up instead, then those never taken up, in the order given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


def taken_up_first(things: Sequence[T], item_id: Callable[[T], int],
                   taken_up: Iterable[int]) -> list[T]:
    """``things`` (one per agenda item) in the order their items were first taken up
    (``Store.taken_up``), then the others in their order in ``things``."""
    by_id = {item_id(thing): thing for thing in things}
    first = [by_id[i] for i in taken_up if i in by_id]
    chosen = {id(thing) for thing in first}
    return first + [thing for thing in things if id(thing) not in chosen]
