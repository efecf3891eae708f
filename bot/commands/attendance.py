"""Who was there: #here, #present (chairs), #regrets; the "I'm here" button."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def _named_person(turn: Turn, intro: Introduction) -> Person:
    """Someone named by a chair: a mention's platform identity, or a remembered name."""
    bare = intro.name.lstrip("@")
    for user_id, name in turn.event.mentions.items():
        if bare in (user_id, name):
            return turn.store.save_person(turn.event.place.platform, user_id, name,
                                          intro.github, intro.affiliation)
    return turn.store.save_person(turn.event.place.platform, "name:" + bare.casefold(), bare,
                                  intro.github, intro.affiliation)


def named_people(turn: Turn, argument: str) -> list[Person]:
    """``Robert Waite, Joe Sepi @joesepi from IBM`` -> two people, remembered."""
    return [_named_person(turn, parse_introduction(name))
            for name in split_names(argument, full_names=True)]


@command("here", "#here [Name] [@github] [from Affiliation] — mark yourself present")
def here(turn: Turn, argument: str) -> None:
    person = remember_author(turn, parse_introduction(argument))
    mark_present(turn, person, "command")
    confirm(turn, f"Welcome, {_describe(person)}: you are marked present.")


@command("present", "#present <names> — chairs mark others present (present+ in W3C)")
def present(turn: Turn, argument: str) -> None:
    if not argument:
        here(turn, "")
        return
    if not turn.is_chair():
        turn.effects.tell("Only a chair can mark others present; use #here for yourself.")
        return
    people = named_people(turn, argument)
    for person in people:
        mark_present(turn, person, "chair")
    confirm(turn, "Present: " + ", ".join(_describe(p) for p in people))


@command("regrets", "#regrets [names] — could not attend (regrets+ in W3C)")
def regrets(turn: Turn, argument: str) -> None:
    people = [remember_author(turn)] if not argument else named_people(turn, argument)
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
