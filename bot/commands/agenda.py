"""Moving through the agenda: #agenda, #agenda add, #topic, #next."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.commands.notes import confirm
from bot.commands.registry import Preparation
from bot.commands.turn import Turn
from bot.domain import AgendaItem, ItemSource, Section
from bot.effects import Purpose, SetTopic
from bot.events import EventKind
from bot.memory import pending_line
from bot.minutes import closing_heading
from bot.ports import AgendaEntry
from bot.store.actions import ActionStore
from bot.store.dialect_rows import clear_queue
from bot.text import bare_title, small_number

# GitHub numbers fit in 9 digits; a longer one is plain text, never an overflowing integer.
_REFERENCE = re.compile(r"([\w.-]+/[\w.-]+)#(\d{1,9})\b\s*(.*)", re.DOTALL)
_GITHUB_URL = re.compile(
    r"https?://github\.com/([\w.-]+/[\w.-]+)/(issues|pull)/(\d{1,9})\S*\s*(.*)", re.DOTALL)
_SECTIONS = {
    "announcements": Section.ANNOUNCEMENTS,
    "announcement": Section.ANNOUNCEMENTS,
    "qa": Section.QA,
    "q&a": Section.QA,
    "other": Section.QA,
    "upcoming": Section.UPCOMING,
    "upcoming meetings": Section.UPCOMING,
}


def describe(item: AgendaItem) -> str:
    return f"{item.title} ({item.reference})" if item.reference else item.title


@dataclass(frozen=True, slots=True)
class AskedGitHub:
    """GitHub's answers, got in a command's prepare step before its transaction opened."""

    # The group's labelled agenda, when it was asked for (on failure: the last one fetched).
    agenda: tuple[AgendaEntry, ...] | None = None
    problem: str = ""  # why GitHub could not be asked for the agenda, if it could not
    # Issues and pull requests looked up, by (repository case-folded, number).
    issues: Mapping[tuple[str, int], AgendaEntry] = field(default_factory=dict)


def asked(turn: Turn) -> AskedGitHub:
    """What was asked for this turn; nothing when no step ran (a replay, or no GitHub)."""
    return turn.prepared if isinstance(turn.prepared, AskedGitHub) else AskedGitHub()


def fetch_agenda(preparation: Preparation) -> AskedGitHub:
    """The group's agenda from GitHub (``agenda_for`` never raises: it says why instead)."""
    source = preparation.agenda_source
    if source is None:
        return AskedGitHub(agenda=())
    entries = tuple(source.agenda_for(preparation.group))
    return AskedGitHub(agenda=entries, problem=source.last_problem)


def look_up_reference(preparation: Preparation, text: str) -> AskedGitHub:
    """The title of ``owner/repo#N`` in ``text``, if a running meeting would add it and it
    names no title of its own: the only case in which ``add_item`` wants GitHub."""
    source = preparation.agenda_source
    reference = _parse_reference(text.strip())
    if source is None or reference is None or preparation.meeting is None:
        return AskedGitHub()
    repo, number, _is_pr, title = reference
    if title or any(item.repo.casefold() == repo.casefold() and item.number == number
                    for item in preparation.agenda):
        return AskedGitHub()
    entry = source.lookup(repo, number)
    return AskedGitHub(issues={(repo.casefold(), number): entry} if entry else {})


def prepare_agenda(preparation: Preparation) -> AskedGitHub:
    argument = preparation.command.argument
    verb, _, rest = argument.partition(" ")
    if preparation.meeting is not None:
        return look_up_reference(preparation, rest) if verb.lower() == "add" else AskedGitHub()
    if not argument and preparation.event.kind is EventKind.COMMAND:
        return fetch_agenda(preparation)  # between meetings: the upcoming agenda
    if verb.lower() == "add":  # kept for the next meeting: its title, if GitHub knows it
        reference = _parse_reference(rest.strip())
        source = preparation.agenda_source
        if source is not None and reference is not None and not reference[3]:
            entry = source.lookup(reference[0], reference[1])
            if entry is not None:
                return AskedGitHub(issues={(reference[0].casefold(), reference[1]): entry})
    return AskedGitHub()


def prepare_add(preparation: Preparation) -> AskedGitHub:
    """``/meeting add X`` and ``agenda+ X``: what ``#agenda add X`` would ask."""
    command = replace(preparation.command, argument=f"add {preparation.command.argument}")
    return prepare_agenda(replace(preparation, command=command))


def add_to_agenda(turn: Turn, argument: str) -> None:
    agenda(turn, f"add {argument}".strip())


def agenda(turn: Turn, argument: str) -> None:
    if turn.meeting is None:
        _upcoming_agenda(turn, argument)
        return
    verb, _, rest = argument.partition(" ")
    if verb.lower() == "add":
        known = _find(turn, rest.strip())
        if known is not None:
            turn.effects.tell(f"Already on the agenda: {describe(known)}")
            return
        item = add_item(turn, rest.strip())
        if item is not None:
            confirm(turn, f"Added to the agenda: {describe(item)}")
        return
    if argument:
        turn.effects.tell("Usage: #agenda, or #agenda add <text | owner/repo#N | GitHub URL>")
        return
    items = turn.store.agenda(turn.running().id)
    if not items:
        turn.effects.tell("The agenda is empty. Add to it with #agenda add <text>.")
        return
    current = turn.running().current_item_id
    lines = ["Agenda:"] + [
        f"{'→' if item.id == current else ' '} {n}. {describe(item)}"
        for n, item in enumerate(items, 1)
    ]
    turn.effects.tell("\n".join(lines))


def _upcoming_agenda(turn: Turn, argument: str) -> None:
    """Between meetings: the agenda as GitHub has it now (refreshed on each ask)."""
    verb, _, rest = argument.partition(" ")
    if verb.lower() == "add":
        _keep_for_next_meeting(turn, rest.strip())
        return
    if argument or turn.event.kind is not EventKind.COMMAND:
        if argument:
            turn.effects.tell("Usage: #agenda add <text | owner/repo#N | GitHub URL> keeps an "
                              "item for the next meeting; /meeting agenda shows its agenda.")
        return  # a bare `#agenda` in an idle channel is chat
    group = turn.group
    answer = asked(turn)
    if answer.agenda is None:  # a meeting ended between the question and the answer
        turn.effects.tell("The meeting here just ended: ask again for the upcoming agenda.")
        return
    entries = answer.agenda
    lines = [f"Upcoming agenda for {group.meeting_title}:"]
    lines += [f"• {item}" for item in group.standing_items]
    repo = None
    for entry in entries:
        if entry.repo != repo:
            repo = entry.repo
            lines.append(repo)
        kind = "PR" if entry.is_pr else "issue"
        lines.append(f"  • {entry.title} ({kind} {entry.repo}#{entry.number})")
    pending = ActionStore(turn.store).pending(group.name)
    if pending:
        lines.append("Added in chat:")
        lines += [f"  • {pending_line(item)}" for item in pending]
    problem = answer.problem
    if problem:
        lines.append(f"(GitHub could not be asked just now: {problem} This is the last "
                     "agenda fetched.)")
    elif len(lines) == 1:
        lines.append("Nothing on it yet" + (f": label an issue or pull request "
                                             f"{' or '.join(group.labels)}." if group.labels
                                             else "."))
    turn.effects.tell("\n".join(lines))


def _keep_for_next_meeting(turn: Turn, text: str) -> None:
    """``#agenda add`` between meetings: the item waits for the group's next meeting."""
    if not text:
        turn.effects.tell("Usage: #agenda add <text | owner/repo#N | GitHub URL>")
        return
    store = ActionStore(turn.store)
    reference = _parse_reference(text)
    repo, number, url, is_pr, title = "", None, "", False, text
    if reference is not None:
        repo, number, is_pr, title = reference
        url = f"https://github.com/{repo}/{'pull' if is_pr else 'issues'}/{number}"
        if not title:
            entry = asked(turn).issues.get((repo.casefold(), number))
            if entry is not None:
                title, url, is_pr = entry.title, entry.url, entry.is_pr
        title = title or f"{repo}#{number}"
    for item in store.pending(turn.group.name):
        if (repo and item.repo.casefold() == repo.casefold() and item.number == number) or (
                not repo and not item.repo and item.title.casefold() == title.casefold()):
            turn.effects.tell(f"Already on the next meeting's agenda: {pending_line(item)}")
            return
    item = store.add_pending(turn.group.name, title, repo, number, url, is_pr,
                             turn.author_id, turn.now)
    confirm(turn, f"Kept for the next meeting's agenda: {pending_line(item)}")


def add_item(turn: Turn, text: str, discussed: bool = False) -> AgendaItem | None:
    """An agenda item from a GitHub reference (title looked up when GitHub is set up);
    ``discussed`` when it is added to be the topic."""
    if not text:
        turn.effects.tell("Usage: #agenda add <text | owner/repo#N | GitHub URL>")
        return None
    reference = _parse_reference(text)
    meeting = turn.running()
    if reference is None:
        return turn.store.add_agenda_item(meeting.id, ItemSource.ADHOC, text,
                                          discussed=discussed)
    repo, number, is_pr, title = reference
    known = turn.store.agenda_item_for(meeting.id, repo, number)
    if known is not None:
        return known
    # One spelling per repository, so one heading in the minutes.
    repo = turn.store.agenda_repository(meeting.id, repo) or repo
    url = f"https://github.com/{repo}/{'pull' if is_pr else 'issues'}/{number}"
    if not title:
        entry = asked(turn).issues.get((repo.casefold(), number))
        if entry is not None:
            title, url, is_pr = entry.title, entry.url, entry.is_pr
    return turn.store.add_agenda_item(meeting.id, ItemSource.GITHUB, title or f"{repo}#{number}",
                                      repo, number, url, is_pr, discussed)


def _parse_reference(text: str) -> tuple[str, int, bool, str] | None:
    if match := _GITHUB_URL.fullmatch(text):
        return match.group(1), int(match.group(3)), match.group(2) == "pull", match.group(4)
    if match := _REFERENCE.fullmatch(text):
        return match.group(1), int(match.group(2)), False, match.group(3).strip()
    return None


def prepare_topic(preparation: Preparation) -> AskedGitHub:
    return look_up_reference(preparation, preparation.command.argument)


def may_move_topic(turn: Turn) -> bool:
    """Whether the speaker may change what the meeting is on (``#topic``, ``#next``,
    Zakim's ``next item`` and ``close item N``): anyone, unless the group keeps it to its
    chairs (``chair_only_topic``), who are then named in the refusal."""
    if not turn.may_set_topics():
        turn.only_chairs("change the topic in this group")
        return False
    return True


def topic(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    if not may_move_topic(turn):
        return
    if not argument:
        turn.effects.tell(
            "Usage: #topic <N | owner/repo#N | text | announcements | qa | upcoming>")
        return
    section = _SECTIONS.get(argument.casefold())
    if section is None and bare_title(argument) == bare_title(closing_heading(turn.group)):
        section = Section.QA  # the closing section by its heading in the group's layout
    if section is not None:
        turn.store.record_topic(meeting.id, None, section, turn.now,
                                by=(turn.author_id, turn.author_name))
        _announce(turn, {Section.ANNOUNCEMENTS: "Announcements",
                         Section.UPCOMING: "Upcoming Meetings"}.get(
                             section, closing_heading(turn.group)))
        return
    if argument.isascii() and argument.isdigit():
        number = small_number(argument)  # (None: past any agenda's length)
        chosen: AgendaItem | None = (None if number is None else
                                     turn.store.agenda_item_at(meeting.id, number))
        if chosen is None:
            shown = argument if len(argument) <= 40 else argument[:40] + "…"
            turn.effects.tell(f"There is no item {shown}: the agenda has "
                              f"{turn.store.agenda_size(meeting.id)} items (#agenda lists them).")
            return
    else:
        chosen = _find(turn, argument) or add_item(turn, argument, discussed=True)
    if chosen is None:
        return
    turn.store.record_topic(meeting.id, chosen.id, Section.ITEM, turn.now, chosen.discussed,
                            by=(turn.author_id, turn.author_name))
    _announce(turn, describe(chosen))


def next_topic(turn: Turn, argument: str) -> None:
    if argument and turn.command.dialect == "w3c":
        return  # "next item please, said the chair" is chat; Zakim's phrase stands alone
    if not may_move_topic(turn):
        return
    meeting = turn.running()
    items = turn.store.agenda(meeting.id)
    position = next((n for n, item in enumerate(items) if item.id == meeting.current_item_id),
                    None)
    if meeting.current_section in (Section.QA, Section.UPCOMING):
        turn.effects.tell("That was the last topic: #endmeeting closes the meeting.")
        return
    upcoming = items[0 if position is None else position + 1:]
    if not upcoming:
        turn.store.record_topic(meeting.id, None, Section.QA, turn.now,
                                by=(turn.author_id, turn.author_name))
        _announce(turn, closing_heading(turn.group))
        return
    turn.store.record_topic(meeting.id, upcoming[0].id, Section.ITEM, turn.now,
                            upcoming[0].discussed, by=(turn.author_id, turn.author_name))
    _announce(turn, describe(upcoming[0]))


def _find(turn: Turn, text: str) -> AgendaItem | None:
    """The item ``text`` names: by GitHub reference (any case), else by its title in any
    case, with or without a standing item's URL tail. Looked up, not searched: a long
    meeting's agenda grows with every topic."""
    meeting_id = turn.running().id
    reference = _parse_reference(text)
    if reference:
        return turn.store.agenda_item_for(meeting_id, reference[0], reference[1])
    return turn.store.agenda_item_named(meeting_id, text)


def _announce(turn: Turn, title: str) -> None:
    """Say the new topic; Zakim's speaker queue starts afresh with each one."""
    clear_queue(turn.store, turn.running().id)

    turn.effects.say(f"Topic: {title}", purpose=Purpose.TOPIC)
    turn.effects.items.append(SetTopic(turn.event.place, title))
