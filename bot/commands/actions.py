"""Action items across meetings: ``#action`` gives each one a group id (``A-17``);
``#done``, ``#drop`` and ``#reassign`` change it in any later meeting or between meetings;
``/meeting actions`` lists the open ones with a Done button each.

Owners are worked out when the action is saved, with MeetBot's rule (``action_owners``),
and kept with the platform ids the platform vouches for: only an owner (by id, never by a
name they chose) or a chair may close or reassign an action. An owner's id comes from a
mention the platform resolved (``<@U123>``), or from a word that is someone's platform
identity (the nick, on the console and in a replay, where the nick is the identity); a
display name or a ``#here <name>`` names the owner in the minutes but owns nothing, so
such an action is changed by a chair.
"""

from __future__ import annotations

import re

from bot.commands.after_commit import SyncActionIssue
from bot.commands.turn import Turn
from bot.domain import NAME_ONLY, Note
from bot.effects import Button, Purpose
from bot.memory import by_owner, flat
from bot.mentions import split_mentions
from bot.minutes.action_owners import KnownPeople
from bot.store.actions import DONE, DROPPED, UNDONE, ActionItem, ActionStore
from bot.text import split_names

_LABEL = re.compile(r"(?:A-?)?(\d{1,9})\b[\s:,.-]*(.*)", re.IGNORECASE | re.DOTALL)
DONE_BUTTON = "action-done:"
_LISTED_BUTTONS = 25  # Slack takes 25 elements in a block, Discord 25 buttons a message


def actions_of(turn: Turn) -> ActionStore:
    return ActionStore(turn.store)


# -- owners -------------------------------------------------------------------------------


# Casefolded platform identity -> the user ids that read so (IRC nicks ignore case).
Identities = dict[str, list[str]]


def _identities(turn: Turn) -> Identities:
    """Everyone ``Turn.known_ids`` finds, by their id casefolded."""
    identities: Identities = {}
    for user_id, _shown in turn.known_ids():
        users = identities.setdefault(user_id.casefold(), [])
        if user_id not in users:
            users.append(user_id)
    return identities


def _vouched_ids(turn: Turn, known: KnownPeople, text: str, owners: set[str]
                 ) -> dict[str, str | None]:
    """Owner name (of ``owners``) -> the one user id whose platform identity ``text`` says
    for that owner (None when several could be meant).

    A word gives an owner's id only when it is the id of someone the meeting knows
    (``Turn.known_ids``) and the name the minutes show for it is one of that person's own.
    Only the owners' spellings are looked for, in one reading of the text."""
    said = dict(known.spellings_said(text, owners))  # spelling (casefolded) -> owner
    found: dict[str, set[str]] = {}
    if said:
        for user_id, shown in turn.known_ids():
            spelling = user_id.casefold()
            if (name := said.get(spelling)) is not None and (
                    name.casefold() in (shown.casefold(), spelling)):
                found.setdefault(name, set()).add(user_id)
    return {name: next(iter(ids)) if len(ids) == 1 else None for name, ids in found.items()}


def owners_in(turn: Turn, text: str, raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(owner names, their platform ids) of an action: everyone ``raw`` mentions (by id),
    then MeetBot's rule on ``text`` over the people the meeting knows, each with an id only
    when the word that names them is their platform identity (``_vouched_ids``)."""
    names: list[str] = []
    ids: list[str] = []
    for user_id, name in split_mentions(raw, turn.event.mentions)[0]:
        if name not in names:
            names.append(name)
            ids.append(user_id)
    if turn.meeting is not None:
        known = KnownPeople.of_meeting(turn.store, turn.meeting.id)
        named = [name for name in known.owners_of(text) if name not in names]
        if named:
            vouched = _vouched_ids(turn, known, text, set(named))
            for name in named:
                names.append(name)
                if (owner_id := vouched.get(name)) is not None and owner_id not in ids:
                    ids.append(owner_id)
    return tuple(names), tuple(ids)


def track_action(turn: Turn, note: Note) -> ActionItem:
    """The ``#action`` just noted, kept as the group's next action (and said with its id)."""
    owners, ids = owners_in(turn, note.text, turn.command.argument)
    action = actions_of(turn).add(turn.group.name, note.text, owners, ids, note.meeting_id,
                                  note.id, turn.now, turn.author_id)
    turn.after_commit.append(SyncActionIssue(action.id))
    return action


def follow_note(turn: Turn, note_id: int, text: str | None, same_owners: bool = False
                ) -> None:
    """An ``#action`` line was edited (``text``) or undone/deleted (None); with
    ``same_owners`` it only grew (a scribe's ``... more``, which names nobody new), and
    its owners stay as they were."""
    store = actions_of(turn)
    action = store.of_note(note_id)
    if action is None:
        return
    turn.after_commit.append(SyncActionIssue(action.id))
    if text is None:
        store.forget_note(note_id, turn.now)
        return
    owners, ids = ((action.owners, action.owner_ids) if same_owners
                   else owners_in(turn, text, turn.command.argument))
    store.retext(action.id, text, owners, ids)


def announce_saved(turn: Turn, action: ActionItem) -> None:
    owners = f" ({', '.join(action.owners)})" if action.owners else ""
    turn.effects.say(f"Action {action.label}{owners}: {action.text}", purpose=Purpose.ACTION)


# -- rights -------------------------------------------------------------------------------


def is_chair(turn: Turn) -> bool:
    """A chair of the running meeting, or one the group's config names (between meetings
    only they are chairs)."""
    if turn.meeting is not None:
        return turn.is_chair()
    configured = {c.casefold().lstrip("@") for c in turn.group.chairs}
    return turn.author_id in configured or turn.author_id.casefold() in configured


def is_owner(turn: Turn, action: ActionItem) -> bool:
    return turn.author_id in action.owner_ids


def may_change(turn: Turn, action: ActionItem, doing: str) -> bool:
    if is_owner(turn, action) or is_chair(turn):
        return True
    owners = ", ".join(action.owners) or "nobody"
    turn.effects.tell(f"Only its owner ({owners}) or a chair can {doing} {action.label}.")
    return False


# -- the commands -------------------------------------------------------------------------


def _find(turn: Turn, argument: str, usage: str) -> tuple[ActionItem, str] | None:
    """The action the argument names first, and the rest of the argument."""
    match = _LABEL.fullmatch(argument.strip())
    if match is None:
        if turn.meeting is not None or turn.command.dialect == "slash":
            turn.effects.tell(f"Usage: {usage} (the action's id, as in A-17)")
        return None  # `#done` with no action id, in an idle channel, is a hashtag in chat
    action = actions_of(turn).by_number(turn.group.name, int(match.group(1)))
    if action is None:
        turn.effects.tell(f"There is no action A-{match.group(1)} in {turn.group.name}: "
                          "/meeting actions all lists the open ones.")
        return None
    if action.status == UNDONE:
        turn.effects.tell(f"{action.label} was undone when it was noted: it is no action.")
        return None
    if action.status != "open":
        turn.effects.tell(f"{action.label} is already {action.status}: {action.text}")
        return None
    return action, match.group(2).strip()


def names_an_action(argument: str) -> bool:
    """Whether ``#done``'s argument starts with an action's id (A-17, or 17)."""
    return _LABEL.fullmatch(argument.strip()) is not None


def _meeting_id(turn: Turn) -> int | None:
    return turn.meeting.id if turn.meeting is not None else None


def done(turn: Turn, argument: str) -> None:
    found = _find(turn, argument, "#done A-17 [note]")
    if found is None:
        return
    action, note = found
    note = note or turn.options.get("note", "").strip()
    if may_change(turn, action, "close"):
        close(turn, action, DONE, note)


def close(turn: Turn, action: ActionItem, status: str, note: str = "") -> None:
    actions_of(turn).close(action.id, status, turn.now, _meeting_id(turn), turn.author_name,
                           note)
    turn.after_commit.append(SyncActionIssue(action.id))
    said = f"{action.label} {status}: {action.text}"
    turn.effects.say(said + (f" ({note})" if note else ""), purpose=Purpose.ACTION)


def drop(turn: Turn, argument: str) -> None:
    found = _find(turn, argument, "#drop A-17 [why]")
    if found is None:
        return
    action, why = found
    why = why or turn.options.get("why", "").strip()
    if may_change(turn, action, "drop"):
        close(turn, action, DROPPED, why)


def reassign(turn: Turn, argument: str) -> None:
    usage = "#reassign A-17 @someone[, @someone else]"
    found = _find(turn, argument, usage)
    if found is None:
        return
    action, _rest = found
    # The new owners, from the argument as typed (mentions still carry their ids).
    raw = _LABEL.fullmatch(turn.command.argument.strip())
    owners, ids = _named(turn, raw.group(2) if raw else "")
    if person := turn.options.get("person"):  # Discord's user option: the id itself
        owners, ids = (turn.event.mentions.get(person, person),), (person,)
    if not owners:
        turn.effects.tell(f"Usage: {usage}")
        return
    if not may_change(turn, action, "reassign"):
        return
    actions_of(turn).reassign(action.id, owners, ids, turn.now, _meeting_id(turn),
                              turn.author_name)
    turn.after_commit.append(SyncActionIssue(action.id))
    turn.effects.say(f"{action.label} reassigned to {', '.join(owners)}: {action.text}",
                     purpose=Purpose.ACTION)


def _named(turn: Turn, raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, platform ids) of the people ``raw`` names: mentions by their id; a typed
    name by an id only when it is someone's platform identity (a user id, or on the
    console the nick), never by a display name anyone may share."""
    mentioned, rest = split_mentions(raw, turn.event.mentions)
    names = [name for _, name in mentioned]
    ids = [user_id for user_id, _ in mentioned]
    identities = _identities(turn)
    for typed in split_names(rest):
        bare = typed.lstrip("@").strip()
        if not bare or bare in names:
            continue
        names.append(bare)
        if (user_id := _identity_typed(turn, identities, bare)) is not None:
            ids.append(user_id)
    return tuple(names), tuple(ids)


def _identity_typed(turn: Turn, identities: Identities, typed: str) -> str | None:
    """The user whose platform identity ``typed`` is: one the meeting knows (IRC nicks
    ignore case), else one the platform's records know by that id, else on the console
    the nick itself."""
    users = identities.get(typed.casefold(), [])
    if len(users) == 1:
        return users[0]
    if typed in users:
        return typed
    if users:
        return None  # "Alice" and "alice" both spoke: which one is not said
    person = turn.store.person(turn.event.place.platform, typed)
    if person is not None and not person.user_id.startswith(NAME_ONLY):
        return person.user_id
    if turn.event.place.platform == "console":  # the nick is the id there
        return typed
    return None


def list_actions(turn: Turn, argument: str) -> None:
    """``/meeting actions [mine|@someone|all]``: the open actions, only to the asker."""
    wanted = argument.strip()
    actions = actions_of(turn).open_actions(turn.group.name)
    if wanted.casefold() == "mine":
        actions = [a for a in actions if is_owner(turn, a)]
        whose = "your"
    elif wanted and wanted.casefold() != "all":
        names, ids = _named(turn, turn.command.argument)
        folded = {n.casefold() for n in names}
        actions = [a for a in actions if set(ids) & set(a.owner_ids)
                   or folded & {o.casefold() for o in a.owners}]
        whose = f"{', '.join(names) or wanted}'s"
    else:
        whose = f"{turn.group.name}'s"
    if not actions:
        turn.effects.tell(f"No open actions ({whose}).")
        return
    lines = [f"Open actions ({whose}):"]
    for owner, theirs in by_owner(actions).items():
        lines.append(owner)
        lines.extend(f"  {a.label} {flat(a.text)}" for a in theirs)
    chair = is_chair(turn)
    buttons = tuple(Button(f"{DONE_BUTTON}{a.number}", f"Done {a.label}")
                    for a in actions if chair or is_owner(turn, a))[:_LISTED_BUTTONS]
    turn.effects.tell("\n".join(lines), buttons=buttons)


def press_done(turn: Turn, action_name: str) -> None:
    """A Done button: the owner or a chair closes the action."""
    number = action_name.removeprefix(DONE_BUTTON)
    action = actions_of(turn).by_number(turn.group.name, int(number)) if (
        number.isascii() and number.isdigit() and len(number) < 10) else None
    if action is None:
        turn.effects.tell("That action is not known here.")
        return
    if action.status != "open":
        turn.effects.tell(f"{action.label} is already {action.status}.")
        return
    if may_change(turn, action, "close"):
        close(turn, action, DONE)
