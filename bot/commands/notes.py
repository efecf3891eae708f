"""Taking notes: #info, #idea, #action, #agreed, #rejected, #link, #halp; #undo; s/old/new/."""

from __future__ import annotations

import re

from bot.commands.registry import command
from bot.commands.turn import Turn
from bot.domain import Note, NoteKind
from bot.text import split_names

_DEPTH = re.compile(r"(-{1,3})\s+(.*)", re.DOTALL)


def split_depth(text: str) -> tuple[int, str]:
    """``- point`` nests under the previous note, ``-- point`` one deeper."""
    match = _DEPTH.fullmatch(text)
    if match:
        return len(match.group(1)), match.group(2).strip()
    return 0, text


def take_note(turn: Turn, kind: NoteKind, text: str) -> Note | None:
    if not text.strip():
        turn.effects.tell(f"Usage: #{kind.value} <text>")
        return None
    depth, text = split_depth(text.strip())
    item, section = turn.current_topic()
    note = turn.store.add_note(
        turn.running().id, turn.author_id, turn.author_name, turn.now, kind, text,
        item.id if item else None, section, depth, turn.event.message_id,
    )
    if item is not None and not item.discussed:
        turn.store.mark_discussed(item.id)
    confirm(turn, f"{kind.value.capitalize()} noted: {text}")
    return note


def confirm(turn: Turn, text: str) -> None:
    """A tick on the source message; slash commands have none, so they get a private line."""
    if turn.event.message_id:
        turn.effects.ack(turn.event.message_id)
    else:
        turn.effects.tell(text)


# The commands that make a note, by name: edits of their messages follow the note.
NOTE_KINDS: dict[str, NoteKind] = {}


def _note_command(kind: NoteKind, name: str, usage: str) -> None:
    @command(name, usage)
    def handler(turn: Turn, argument: str) -> None:
        take_note(turn, kind, argument)

    handler.__name__ = f"note_{name}"
    NOTE_KINDS[name] = kind


_note_command(NoteKind.INFO, "info", "#info <text> (or #note) — a note under the current topic")
_note_command(NoteKind.IDEA, "idea", "#idea <text> — an idea")
_note_command(NoteKind.ACTION, "action", "#action <text> — an action item; names in it own it")
_note_command(NoteKind.AGREED, "agreed",
              "#agreed <text> (or #agree, #accepted, #resolved) — a decision")
_note_command(NoteKind.REJECTED, "rejected", "#rejected <text> — a rejected proposal")
_note_command(NoteKind.HELP, "halp", "#halp <text> — a call for help")
_note_command(NoteKind.QUESTION, "question", "#question <text> — an open question")
_note_command(NoteKind.LINK, "link",
              "#link <url> [text] — a link (a line starting with a URL is one too)")


@command("undo", "#undo — remove your last note (chairs: the last note of anyone)")
def undo(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    only_mine = None if turn.is_chair() else turn.author_id
    target = turn.store.last_note(meeting.id, only_mine)
    if target is None:
        turn.effects.tell("Nothing to undo.")
        return
    turn.store.delete_note(target.id)
    who = "" if target.author_id == turn.author_id else f" (by {target.author_name})"
    turn.effects.say(f"Removed {target.kind.value}{who}: {target.text}")


@command("substitute", "s/old/new/ — correct your last note")
def substitute(turn: Turn, argument: str) -> None:
    from bot.commands.parse import parse_substitution

    parsed = parse_substitution(argument)
    note = turn.store.last_note(turn.running().id, turn.author_id)
    if parsed is None or note is None:
        turn.effects.tell("Nothing to correct: s/old/new/ changes your last note.")
        return
    if parsed.old not in note.text:
        turn.effects.tell(f"'{parsed.old}' is not in your last note: {note.text}")
        return
    text = note.text.replace(parsed.old, parsed.new, -1 if parsed.every else 1)
    turn.store.change_note(note.id, text=text)
    confirm(turn, f"Corrected: {text}")


@command("nick", "#nick <names> — names that can own action items")
def add_nicks(turn: Turn, argument: str) -> None:
    names = split_names(argument)
    if not names:
        turn.effects.tell("Usage: #nick <name>[, <name>...]")
        return
    for name in names:
        turn.store.add_role(turn.running().id, "nick", name.casefold(), name)
    confirm(turn, f"Nicks: {', '.join(names)}")
