"""The W3C scribe's and Zakim's habits that are not notes: insertions, the speaker queue,
closing agenda items, ``present-``, the ``Date:`` and ``Agenda:`` header lines, and
``...`` continuation lines.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.commands.actions import follow_note
from bot.commands.agenda import may_move_topic
from bot.commands.attendance import is_author, named_in, named_person, remember_author
from bot.commands.notes import confirm
from bot.commands.parse import parse_insertion
from bot.commands.turn import Turn
from bot.domain import Note, NoteKind, Person
from bot.effects import Purpose
from bot.store import dialect_rows as rows
from bot.text import small_number

CONTINUATION = re.compile(r"(?:\.\.\.|…)\s*(.*)", re.DOTALL)
_DATES = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d-%m-%Y")


def continue_note(turn: Turn, text: str) -> bool:
    """A scribe's ``... more`` joins their previous note (scribe.perl's continuation)."""
    match = CONTINUATION.fullmatch(text.strip())
    if match is None:
        return False
    last = turn.store.last_note(turn.running().id, turn.author_id)
    if last is None:
        return False
    text = f"{last.text} {match.group(1).strip()}".strip()
    turn.store.change_note(last.id, text=text)
    if last.kind is NoteKind.ACTION:  # (the action item read as the note did before)
        follow_note(turn, last.id, text, same_owners=True)
    return True


def insert(turn: Turn, argument: str) -> None:
    """``i/anchor/text/``: a note of the author's holding ``text``, shown just before the
    last note that holds ``anchor``. It is a note of its own (its own id, its message's):
    no other note changes, so an action stays with its note and its message, and deleting
    or editing the inserting line touches only the inserted note."""
    parsed = parse_insertion(argument)
    meeting = turn.running()
    notes = turn.store.notes(meeting.id)  # in the minutes' order
    if parsed is None:
        return
    anchor, text = parsed
    at = next((i for i in reversed(range(len(notes))) if anchor in notes[i].text), None)
    if at is None:
        turn.effects.tell(f"No note holds '{anchor}': nothing was inserted.")
        return
    before = notes[at]
    turn.store.add_note(meeting.id, turn.author_id, turn.author_name, turn.now,
                        NoteKind.INFO, text, before.item_id, before.section, before.depth,
                        turn.event.message_id,
                        place=place_before(before, notes[at - 1] if at else None))
    confirm(turn, f"Inserted before '{anchor}': {text}")


def place_before(note: Note, previous: Note | None) -> float:
    """A place between ``previous`` and ``note`` (``Note.place``): halfway between where
    they stand. Should halving run out of precision (dozens of insertions into one gap),
    the place is the note's own: a note taken in order still comes after it."""
    end = note.minutes_order[0]
    start = previous.minutes_order[0] if previous is not None else end - 1
    middle = (start + end) / 2
    return middle if start < middle < end else end


def close_item(turn: Turn, argument: str) -> None:
    """Zakim's ``close item N``: the item is done (discussed)."""
    number = small_number(argument.strip())
    if number is None:
        return  # Zakim's phrase in ordinary chat: stay quiet
    items = turn.store.agenda(turn.running().id)
    if not 1 <= number <= len(items):
        return
    if not may_move_topic(turn):
        return
    item = items[number - 1]
    turn.store.mark_discussed(item.id)
    confirm(turn, f"Closed item {number}: {item.title}")


# -- the speaker queue ------------------------------------------------------------------

def queue_me(turn: Turn, argument: str) -> None:
    about = re.sub(r"^to\s+", "", argument.strip())
    meeting = turn.running()
    if rows.enqueue(turn.store, meeting.id, turn.author_id.casefold(), turn.author_name,
                    about):
        confirm(turn, f"{turn.author_name} is on the queue.")
    show_queue(turn, "")


def unqueue(turn: Turn, argument: str) -> None:
    if rows.dequeue(turn.store, turn.running().id, turn.author_id.casefold()):
        confirm(turn, f"{turn.author_name} left the queue.")


def show_queue(turn: Turn, argument: str) -> None:
    waiting = rows.queue(turn.store, turn.running().id)
    if not waiting:
        turn.effects.say("The queue is empty.", purpose=Purpose.QUEUE)
        return
    turn.effects.say("Queue: " + ", ".join(
        f"{name} (to {about})" if about else name for _, name, about in waiting),
        purpose=Purpose.QUEUE)


def ack(turn: Turn, argument: str) -> None:
    """``ack alice`` gives alice the floor: she leaves the queue. Anything else is chat."""
    meeting = turn.running()
    waiting = rows.queue(turn.store, meeting.id)
    name = argument.strip().lstrip("@").rstrip(",:").casefold()
    chosen = next(((w, n, a) for w, n, a in waiting if name in (w, n.casefold())), None)
    if chosen is None:
        return
    rows.dequeue(turn.store, meeting.id, chosen[0])
    turn.effects.say(f"{chosen[1]}, you have the floor" + (
        f" (to {chosen[2]})." if chosen[2] else "."), purpose=Purpose.QUEUE)


# -- attendance and header lines --------------------------------------------------------

def absent(turn: Turn, argument: str) -> None:
    """``present-`` (yourself, or, for chairs, the names): off the list of those present."""
    meeting = turn.running()
    named = named_in(turn)
    if not named:
        person = remember_author(turn)
        rows.drop_attendance(turn.store, meeting.id, person.id)
        confirm(turn, f"{person.name} is no longer listed as present.")
        return
    if not all(is_author(turn, one) for one in named) and not turn.is_chair():
        turn.only_chairs("take others off the list (present- alone takes you off)")
        return
    gone = []
    for one in named:
        found: Person | None = (remember_author(turn) if is_author(turn, one)
                                else named_person(turn, one))
        if found is not None and rows.drop_attendance(turn.store, meeting.id, found.id):
            gone.append(found.name)
    confirm(turn, "No longer present: " + (", ".join(gone) or "nobody"))


def set_date(turn: Turn, argument: str) -> None:
    text = argument.strip()
    for pattern in _DATES:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        turn.store.update_meeting(turn.running().id, meeting_date=day.isoformat())
        turn.refresh()
        confirm(turn, f"Meeting date: {day.isoformat()}")
        return
    turn.effects.tell(f"'{text}' is not a date I can read: write it as 2023-01-19.")


def agenda_link(turn: Turn, argument: str) -> None:
    """``Agenda: <url>``: a link note before the first topic, as scribe.perl shows it."""
    text = argument.strip()
    if not text:
        return
    meeting = turn.running()
    item, section = turn.current_topic()
    turn.store.add_note(meeting.id, turn.author_id, turn.author_name, turn.now, NoteKind.LINK,
                        f"Agenda: {text}", item.id if item else None, section, 0,
                        turn.event.message_id)
    confirm(turn, f"Agenda: {text}")
