"""Who was there: #here, #present (chairs), #regrets; the "I'm here" button."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.commands.notes import confirm
from bot.commands.turn import Turn
from bot.domain import NAME_ONLY, Person
from bot.mentions import split_mentions
from bot.text import small_number, split_names

_FROM = re.compile(r"\s+from\s+", re.IGNORECASE)
# ``@handle`` or ``(@handle)``, whole: "(@marco ippolito)" holds no handle (a handle has no
# space), so it stays part of the name instead of leaving "ippolito)" behind.
_HANDLE = re.compile(r"(?:^|\s)(?:\(@(?P<in>[A-Za-z0-9][A-Za-z0-9-]{0,38})\)"
                     r"|@(?P<bare>[A-Za-z0-9][A-Za-z0-9-]{0,38}))(?=\s|$)")


@dataclass(frozen=True, slots=True)
class Introduction:
    """``Name [@github] [from Affiliation]``, any part optional."""

    name: str = ""
    github: str | None = None
    affiliation: str | None = None


def parse_introduction(text: str) -> Introduction:
    """``Name @handle from Affiliation``. A handle or ``from`` inside parentheses belongs to
    a remark the person wrote ("Adam (guest, from OSTIF)", "Marco (@marco ippolito)"): it
    is not split out, so no part is left with half a pair of parentheses."""
    text = text.strip()
    affiliation = None
    spaced = " " + text
    for match in _FROM.finditer(spaced):
        if _outside_parentheses(spaced, match.start()) and spaced[match.end():].strip():
            affiliation = spaced[match.end():].strip()
            text = spaced[: match.start()].strip()
            break
    github = None
    for match in _HANDLE.finditer(text):
        if _outside_parentheses(text, match.start()):
            github = match.group("in") or match.group("bare")
            text = (text[: match.start()] + text[match.end():]).strip()
            break
    return Introduction(" ".join(text.split()), github, affiliation)


def _outside_parentheses(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` is outside every pair of parentheses."""
    before = text[:at]
    return before.count("(") <= before.count(")")


def mark_present(turn: Turn, person: Person, how: str) -> bool:
    return turn.store.mark_attendance(turn.running().id, person.id, "present", how, turn.now)


def remember_author(turn: Turn, introduction: Introduction | None = None) -> Person:
    intro = introduction or Introduction()
    known = turn.store.person(turn.event.place.platform, turn.author_id)
    name = intro.name or (known.name if known else turn.author_name)
    person = turn.store.save_person(turn.event.place.platform, turn.author_id, name,
                                    intro.github, intro.affiliation)
    _take_over_name(turn, person)
    return person


@dataclass(frozen=True, slots=True)
class Named:
    """One person an attendance command names: what was said of them, and the platform
    user, when a mention says exactly who."""

    introduction: Introduction
    user_id: str | None = None


def named_in(turn: Turn) -> list[Named]:
    """``Robert Waite, <@U1> @joesepi from IBM`` -> two people (commas separate); a
    mention says exactly who, by id (and what follows it is their handle, affiliation)."""
    named = []
    for piece in split_names(turn.command.argument, full_names=True):
        mentioned, rest = split_mentions(piece, turn.event.mentions)
        introduction = parse_introduction(rest)
        if mentioned:
            user_id, name = mentioned[0]
            named.append(Named(Introduction(name, introduction.github,
                                            introduction.affiliation), user_id))
        else:
            named.append(Named(replace(introduction, name=introduction.name.lstrip("@"))))
    return named


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
    # W3C's "present+ Kaz_Ashimura" said by kaz: the nick is one of the name's words.
    words = set(re.split(r"[\s_]+", _fold(intro.name))) if intro.name else set()
    if len(words) > 1 and not words.isdisjoint({_fold(turn.author_id), _fold(turn.author_name)}):
        return True
    return bool(intro.github) and _fold(intro.github or "") in handles


def _fold(name: str) -> str:
    return " ".join(name.lstrip("@").split()).casefold()


def _person(turn: Turn, named: Named, mine: bool) -> Person:
    """The record a named person is kept in; only chairs get here for someone else.

    A name that is the nick someone speaks under in this meeting is them (``#present
    dave`` after dave spoke); one nobody speaks under yet is kept by name, and becomes
    theirs when they come (``_take_over_name``), so either order lists them once.
    """
    intro = named.introduction
    if mine:
        return remember_author(turn, intro)
    platform = turn.event.place.platform
    if named.user_id is None and (nick := _speaking_as(turn, intro.name)) is not None:
        user_id, spoken_name = nick
        known = turn.store.person(platform, user_id)
        person = turn.store.save_person(platform, user_id,
                                        known.name if known else spoken_name,
                                        intro.github, intro.affiliation)
        _take_over_name(turn, person)
        return person
    user_id = named.user_id or NAME_ONLY + intro.name.casefold()
    return turn.store.save_person(platform, user_id, intro.name, intro.github,
                                  intro.affiliation)


def named_person(turn: Turn, named: Named) -> Person | None:
    """The record of someone a chair names, if there is one (``present- dave``): the
    nick's, once they have one, else the name's (dave only spoke, after ``#present dave``).
    """
    platform = turn.event.place.platform
    if named.user_id is None and (nick := _speaking_as(turn, named.introduction.name)) and (
            person := turn.store.person(platform, nick[0])) is not None:
        _take_over_name(turn, person)
        return person
    return turn.store.person(
        platform, named.user_id or NAME_ONLY + named.introduction.name.casefold())


def _speaking_as(turn: Turn, name: str) -> tuple[str, str] | None:
    """(user id, name) of whoever speaks, or is marked, under the nick ``name`` in this
    meeting: nicks compare as everywhere else (casefolded, ``_fold``). Only the platform's
    user id is a nick (on the console and in replays it is the nick said); a display name
    (Slack, Discord) is never matched to a typed name, which a mention is for."""
    wanted = _fold(name)
    if not wanted:
        return None
    return next(((user_id, shown) for user_id, shown in turn.known_ids()
                 if _fold(user_id) == wanted), None)


def _take_over_name(turn: Turn, person: Person) -> None:
    """What a chair marked under this person's nick before they spoke (``#present dave``,
    then dave's ``#here``) becomes theirs: one person, the latest status."""
    if turn.meeting is None:
        return
    wanted = _fold(person.user_id)
    for row in turn.store.attendance(turn.meeting.id):
        user_id = row.person.user_id
        if user_id.startswith(NAME_ONLY) and _fold(user_id[len(NAME_ONLY):]) == wanted:
            turn.store.hand_over_attendance(turn.meeting.id, row.person.id, person.id)


def _about_others(turn: Turn, named: list[Named], doing: str) -> list[bool] | None:
    """Which of ``named`` are the author; None, once refused, when a non-chair's line
    would mark or change someone else."""
    mine = [is_author(turn, one) for one in named]
    if all(mine) or turn.is_chair():
        return mine
    turn.only_chairs(doing)
    return None


def here(turn: Turn, argument: str) -> None:
    if any(one.user_id is not None for one in named_in(turn)):
        present(turn, argument)  # a mention says who: someone else is for chairs
        return
    options = turn.options
    introduction = parse_introduction(argument) if not options else Introduction(
        argument, options.get("github", "").strip().lstrip("@") or None,
        options.get("affiliation", "").strip() or None)
    person = remember_author(turn, introduction)
    mark_present(turn, person, "command")
    confirm(turn, f"Welcome, {_describe(person)}: you are marked present.")


def present(turn: Turn, argument: str) -> None:
    named = named_in(turn)
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


def regrets(turn: Turn, argument: str) -> None:
    named = named_in(turn)
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


# -- presence in the meeting's call (an adapter's join, leave and roll events) ------------

VOICE = "voice"


def presence(turn: Turn) -> None:
    """Who is in the meeting's call is present (``how="voice"``), with join and leave times;
    a roll (everyone in the call now, after a start or a reconnect) catches up with moves
    missed. Presence by ``#here`` is never undone by leaving the call."""
    if turn.meeting is None:
        return
    action = turn.event.action
    if action == "join":
        _voice_present(turn, turn.author_id, turn.author_name)
    elif action == "leave":
        _voice_left(turn, {turn.author_id})
    elif action == "roll":
        for user_id, name in turn.event.mentions.items():
            _voice_present(turn, user_id, name)
        present_ids = {a.person.user_id for a in turn.store.attendance(turn.running().id)}
        _voice_left(turn, present_ids - set(turn.event.mentions))


def _voice_present(turn: Turn, user_id: str, name: str) -> None:
    """A remembered person keeps the name they gave (``#here Rafael Gonzaga``)."""
    platform = turn.event.place.platform
    person = turn.store.person(platform, user_id) or turn.store.save_person(
        platform, user_id, name)
    turn.store.mark_attendance(turn.running().id, person.id, "present", VOICE, turn.now)


def _voice_left(turn: Turn, user_ids: set[str]) -> None:
    meeting = turn.running()
    for row in turn.store.attendance(meeting.id):
        if row.person.user_id in user_ids and row.how == VOICE and row.left_at is None:
            turn.store.mark_left(meeting.id, row.person.id, turn.now)


# -- attendance over time ------------------------------------------------------------------

ATTENDANCE_DEFAULT, ATTENDANCE_MAX = 10, 52


def show_attendance(turn: Turn, argument: str) -> None:
    """``/meeting attendance [N]``: the table ``gavel attendance`` prints, to the asker."""
    wanted = argument.strip() or str(ATTENDANCE_DEFAULT)
    if not 1 <= (small_number(wanted) or 0) <= ATTENDANCE_MAX:
        turn.effects.tell(f"Usage: /meeting attendance [N], N a number of past meetings "
                          f"from 1 to {ATTENDANCE_MAX} (default {ATTENDANCE_DEFAULT}).")
        return
    # Here, not at the top: the history's queries (``bot.store.history``, ~0.1 MiB) serve
    # this one command, which a replay's ``#here`` and ``#regrets`` never need.
    from bot.attendance_history import attendance_history, attendance_text

    history = attendance_history(turn.store, turn.group, int(wanted))
    turn.effects.tell(attendance_text(history))
