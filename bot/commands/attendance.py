"""Who was there: #here, #present (chairs), #regrets; the "I'm here" button."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.attendance_history import attendance_history, attendance_text
from bot.commands.notes import confirm
from bot.commands.registry import command
from bot.commands.turn import Turn
from bot.domain import Person
from bot.text import split_names

_FROM = re.compile(r"\s+from\s+(.+)$", re.IGNORECASE)
_HANDLE = re.compile(r"(?:^|\s)\(?@([A-Za-z0-9][A-Za-z0-9-]{0,38})\)?(?=\s|$)")


@dataclass(frozen=True, slots=True)
class Introduction:
    """``Name [@github] [from Affiliation]``, any part optional."""

    name: str = ""
    github: str | None = None
    affiliation: str | None = None


def parse_introduction(text: str) -> Introduction:
    text = text.strip()
    affiliation = None
    if match := _FROM.search(" " + text):
        affiliation = match.group(1).strip()
        text = (" " + text)[: match.start()].strip()
    github = None
    if match := _HANDLE.search(text):
        github = match.group(1)
        text = (text[: match.start()] + text[match.end():]).strip()
    return Introduction(" ".join(text.split()), github, affiliation)


def mark_present(turn: Turn, person: Person, how: str) -> bool:
    return turn.store.mark_attendance(turn.running().id, person.id, "present", how, turn.now)


def remember_author(turn: Turn, introduction: Introduction | None = None) -> Person:
    intro = introduction or Introduction()
    known = turn.store.person(turn.event.place.platform, turn.author_id)
    name = intro.name or (known.name if known else turn.author_name)
    return turn.store.save_person(turn.event.place.platform, turn.author_id, name,
                                  intro.github, intro.affiliation)


@dataclass(frozen=True, slots=True)
class Named:
    """One person an attendance command names: what was said of them, and the platform
    user, when a mention says exactly who."""

    introduction: Introduction
    user_id: str | None = None


def named_in(turn: Turn, argument: str) -> list[Named]:
    """``Robert Waite, @Joe Sepi @joesepi from IBM`` -> two people (commas separate)."""
    return [_named(turn, piece) for piece in split_names(argument, full_names=True)]


def _named(turn: Turn, piece: str) -> Named:
    # A mention comes first, whole (an adapter turned ``<@U123>`` into a display name,
    # which may hold spaces); what follows it is the handle and affiliation.
    for user_id, name in sorted(turn.event.mentions.items(), key=lambda m: -len(m[1])):
        for spelling in (f"@{name}", name, user_id):
            if spelling and (piece == spelling or piece.startswith(spelling + " ")):
                rest = parse_introduction(piece[len(spelling):])
                return Named(Introduction(name, rest.github, rest.affiliation), user_id)
    introduction = parse_introduction(piece)
    bare = introduction.name.lstrip("@")
    for user_id, name in turn.event.mentions.items():
        if bare and bare in (user_id, name):
            return Named(Introduction(name, introduction.github, introduction.affiliation),
                         user_id)
    return Named(Introduction(bare, introduction.github, introduction.affiliation))


def is_author(turn: Turn, named: Named) -> bool:
    """Whether the author named themselves: their mention, or a name or GitHub handle that
    is theirs (W3C habit: ``present+ Filip Skokan @panva``, said by Filip).

    Names decide only whom the line is about, never what anyone may do: a line about the
    author changes the author's own record, whatever name matched.
    """
    if named.user_id is not None:
        return named.user_id == turn.author_id
    known = turn.store.person(turn.event.place.platform, turn.author_id)
    names = {_fold(turn.author_id), _fold(turn.author_name)}
    handles = set(names)
    if known is not None:
        names.add(_fold(known.name))
        handles.add(_fold(known.github))
    intro = named.introduction
    if intro.name and _fold(intro.name) in names:
        return True
    return bool(intro.github) and _fold(intro.github or "") in handles


def _fold(name: str) -> str:
    return " ".join(name.lstrip("@").split()).casefold()


def _person(turn: Turn, named: Named, mine: bool) -> Person:
    """The record a named person is kept in; only chairs get here for someone else."""
    intro = named.introduction
    if mine:
        return remember_author(turn, intro)
    user_id = named.user_id or "name:" + intro.name.casefold()
    return turn.store.save_person(turn.event.place.platform, user_id, intro.name,
                                  intro.github, intro.affiliation)


def _about_others(turn: Turn, named: list[Named], doing: str) -> list[bool] | None:
    """Which of ``named`` are the author; None, once refused, when a non-chair's line
    would mark or change someone else."""
    mine = [is_author(turn, one) for one in named]
    if all(mine) or turn.is_chair():
        return mine
    turn.only_chairs(doing)
    return None


@command("here", "#here [Name] [@github] [from Affiliation] — mark yourself present")
def here(turn: Turn, argument: str) -> None:
    if any(one.user_id is not None for one in named_in(turn, argument)):
        present(turn, argument)  # a mention says who: someone else is for chairs
        return
    person = remember_author(turn, parse_introduction(argument))
    mark_present(turn, person, "command")
    confirm(turn, f"Welcome, {_describe(person)}: you are marked present.")


@command("present", "#present <names> — chairs mark others present (present+ in W3C)")
def present(turn: Turn, argument: str) -> None:
    named = named_in(turn, argument)
    if not named:
        here(turn, "")
        return
    mine = _about_others(turn, named, "mark others present (#here marks you)")
    if mine is None:
        return
    people = []
    for one, is_mine in zip(named, mine, strict=True):
        person = _person(turn, one, is_mine)
        mark_present(turn, person, "command" if is_mine else "chair")
        people.append(person)
    confirm(turn, "Present: " + ", ".join(_describe(p) for p in people))


@command("regrets", "#regrets [names] — could not attend; chairs name others (regrets+ in W3C)")
def regrets(turn: Turn, argument: str) -> None:
    named = named_in(turn, argument)
    mine = _about_others(turn, named, "give regrets for others (#regrets alone gives yours)")
    if mine is None:
        return
    people = [_person(turn, one, is_mine) for one, is_mine in zip(named, mine, strict=True)
              ] or [remember_author(turn)]
    for person in people:
        turn.store.mark_attendance(turn.running().id, person.id, "regrets", "command", turn.now)
    confirm(turn, "Regrets: " + ", ".join(p.name for p in people))


def _describe(person: Person) -> str:
    text = person.name
    if person.affiliation:
        text += f" from {person.affiliation}"
    if person.github:
        text += f" (@{person.github})"
    return text


ATTENDANCE_DEFAULT, ATTENDANCE_MAX = 10, 52


@command("attendance", "/meeting attendance [N] — who came to the last N meetings, and "
         "each person's rate (only you see it)", needs_meeting=False)
def show_attendance(turn: Turn, argument: str) -> None:
    wanted = argument.strip() or str(ATTENDANCE_DEFAULT)
    if not (wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= ATTENDANCE_MAX):
        turn.effects.tell(f"Usage: /meeting attendance [N], N a number of past meetings "
                          f"from 1 to {ATTENDANCE_MAX} (default {ATTENDANCE_DEFAULT}).")
        return
    history = attendance_history(turn.store.connection, turn.group, int(wanted))
    turn.effects.tell(attendance_text(history))
