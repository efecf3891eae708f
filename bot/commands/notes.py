"""Taking notes: #info, #idea, #action, #agreed, #rejected, #link, #halp, #paragraph; #undo;
s/old/new/."""

from __future__ import annotations

import itertools
import re

from bot.commands.turn import Turn
from bot.domain import NoteKind
from bot.text import split_names

# As deep as the Node.js minutes nest their notes (six levels under an item); more dashes
# are text ("--------- cut here" is not a note eight levels down).
MAX_DEPTH = 6
_DEPTH = re.compile(rf"(-{{1,{MAX_DEPTH}}}|<)\s+(.*)", re.DOTALL)
_MARKS = ("-", "<")  # what a nested note opens with (``_DEPTH``)


def split_depth(text: str) -> tuple[int, str]:
    """``- point`` nests under the previous note, ``-- point`` one deeper, and so on.

    ``< point`` is a note beside the agenda items, not under one: the minutes list it at
    the items' level (a bullet of its own under ``### nodejs/node``, or beside a standing
    item), and the notes after it nest under it as under an item. Scribes need it for the
    point that belongs to the repository rather than to one issue ("We are having a real
    challenge with V8 upgrade"). A ``<`` not followed by a space (``<3``, ``<b>``) is text.
    """
    if not text.startswith(_MARKS):  # (most notes: no pattern to run)
        return 0, text
    match = _DEPTH.fullmatch(text)
    if match:
        marks = match.group(1)
        return (-1 if marks == "<" else len(marks)), match.group(2).strip()
    return 0, text


def note_depth(kind: NoteKind, text: str) -> tuple[int, str]:
    """A note's depth and text as typed: a paragraph has no depth, so its text stays whole
    (``#paragraph -- end of the meeting --``)."""
    return (0, text) if kind is NoteKind.PARAGRAPH else split_depth(text)


def take_note(turn: Turn, kind: NoteKind, text: str) -> None:
    text = text.strip()
    if not text:
        turn.effects.tell(f"Usage: #{kind.value} <text>")
        return
    depth, text = note_depth(kind, text)
    item, section = turn.current_topic()
    item_id = None if item is None else item.id
    if item is not None and not item.discussed:
        turn.store.mark_discussed(item.id)
    message_id = turn.event.message_id
    if kind is NoteKind.ACTION:  # kept beyond the meeting, under an id said now
        from bot.commands.actions import announce_saved, track_action

        note = turn.store.add_note(
            turn.running().id, turn.author_id, turn.author_name, turn.now, kind, text,
            item_id, section, depth, message_id)
        if message_id:
            turn.effects.ack(message_id)
        announce_saved(turn, track_action(turn, note))
        return
    # No id is needed: the note is written with the next ones (a replay takes thousands).
    turn.store.keep_note(
        turn.running().id, turn.author_id, turn.author_name, turn.now, kind, text,
        item_id, section, depth, message_id)
    if message_id:  # (as ``confirm``, without making the line a tick stands for)
        turn.effects.ack(message_id)
    else:
        turn.effects.tell(f"{kind.value.capitalize()} noted: {text}")


def done(turn: Turn, argument: str) -> None:
    """``#done A-17 [note]`` closes an action; meetingology's ``#done <text>`` (no action
    id, in a running meeting) is a DONE item in its minutes, as "#done seb128 mailed the
    flavour leads" during an action review: a "Done: ..." note here."""
    from bot.commands.actions import done as close_action
    from bot.commands.actions import names_an_action

    if (turn.meeting is not None and turn.command.dialect in ("meetbot", "mootbot")
            and argument.strip() and not names_an_action(argument)):
        take_note(turn, NoteKind.INFO, f"Done: {argument.strip()}")
        return
    close_action(turn, argument)


def confirm(turn: Turn, text: str) -> None:
    """A tick on the source message; slash commands have none, so they get a private line."""
    if turn.event.message_id:
        turn.effects.ack(turn.event.message_id)
    else:
        turn.effects.tell(text)


def note(turn: Turn, argument: str) -> None:
    """Every note command (``#info``, ``#action``, ...): the table says which kind."""
    kind = turn.commands.note_kinds[turn.command.name]
    take_note(turn, kind, argument)


def undo(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    only_mine = None if turn.is_chair() else turn.author_id
    target = turn.store.last_note(meeting.id, only_mine)
    if target is None:
        turn.effects.tell("Nothing to undo.")
        return
    turn.store.delete_note(target.id)
    if target.kind is NoteKind.ACTION:
        from bot.commands.actions import follow_note

        follow_note(turn, target.id, None)
    who = "" if target.author_id == turn.author_id else f" (by {target.author_name})"
    turn.effects.say(f"Removed {target.kind.value}{who}: {target.text}")


def substitute(turn: Turn, argument: str) -> None:
    """``s/old/new/``: the author's last line holding ``old`` (scribe.perl's rule), which
    may be the current topic's title when no note under it holds ``old``: corrected when
    the author set that topic (their line, as the rule says; in a group with
    ``chair_only_topic``, only while they chair). Anyone else's correction falls through
    to their own last note holding ``old``, under whichever topic; only when they have
    none are they told who may correct the title, and nothing changes."""
    from bot.commands.parse import parse_substitution
    from bot.store.dialect_rows import retitle_item

    parsed = parse_substitution(argument)
    meeting = turn.running()
    # Newest first, read only as far as the note that holds ``old`` (usually the last).
    mine = turn.store.notes_by(meeting.id, turn.author_id)
    last = next(mine, None)
    if parsed is None or (last is None and meeting.current_item_id is None):
        turn.effects.tell("Nothing to correct: s/old/new/ changes your last note.")
        return
    note = next((n for n in itertools.chain((last,) if last else (), mine)
                 if parsed.old in n.text), None)
    item, _ = turn.current_topic()
    if item is not None and parsed.old in item.title and (
            note is None or note.item_id != item.id):
        if _may_retitle(turn, item.id):
            title = item.title.replace(parsed.old, parsed.new, -1 if parsed.every else 1)
            retitle_item(turn.store, item.id, title)
            confirm(turn, f"Topic corrected: {title}")
            return
        if note is None:  # not their title, and no line of theirs holds it
            _refuse_retitle(turn, item.id)
            return
    if note is None:
        text = last.text if last else ""
        turn.effects.tell(f"'{parsed.old}' is not in your last note, nor in any before it"
                          + (f": {text}" if text else "."))
        return
    text = note.text.replace(parsed.old, parsed.new, -1 if parsed.every else 1)
    turn.store.change_note(note.id, text=text)
    if note.kind is NoteKind.ACTION:
        from bot.commands.actions import follow_note

        follow_note(turn, note.id, text)
    confirm(turn, f"Corrected: {text}")


def _may_retitle(turn: Turn, item_id: int) -> bool:
    """Whether the author may correct the title of the topic ``item_id``.

    Only whoever set the topic may: the ``#topic`` line (or ``#next``, ``topic:``) is
    theirs, and ``s/old/new/`` corrects one's own lines, a chair's as anyone's (a chair's
    power over others' notes is ``#undo``'s, not this). Where only chairs set topics, only
    a chair corrects one."""
    if not turn.may_set_topics():
        return False
    return turn.store.is_topic_setter(turn.running().id, item_id, turn.author_id)


def _refuse_retitle(turn: Turn, item_id: int) -> None:
    """Tell the author, in one line, who may correct the title of the topic ``item_id``."""
    if not turn.may_set_topics():
        turn.only_chairs("correct the topic in this group")
        return
    setters = ", ".join(turn.store.topic_setters(turn.running().id, item_id))
    turn.effects.tell(f"Only whoever set the topic{f' ({setters})' if setters else ''} can "
                      "correct it: ask them to (s/old/new/ corrects your own lines).")


def add_nicks(turn: Turn, argument: str) -> None:
    names = split_names(argument)
    if not names:
        turn.effects.tell("Usage: #nick <name>[, <name>...]")
        return
    for name in names:
        turn.store.add_role(turn.running().id, "nick", name.casefold(), name)
    confirm(turn, f"Nicks: {', '.join(names)}")
