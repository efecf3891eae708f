"""Opening, running and closing a meeting: start, end, name, chairs, scribes, lurking."""

from __future__ import annotations

from bot.commands.after_commit import PublishMinutes
from bot.commands.agenda import asked
from bot.commands.notes import confirm
from bot.commands.table import usage_text
from bot.commands.turn import Turn
from bot.domain import ItemSource, Meeting, Status
from bot.effects import Attachment, Button, Purpose
from bot.memory import open_action_lines
from bot.mentions import split_mentions
from bot.minutes import TemplateFailed, compile_minutes, save_minutes_file
from bot.store import AlreadyRunning
from bot.store.actions import ActionStore
from bot.text import quote_names, split_names


def start_meeting(turn: Turn, argument: str) -> None:
    if turn.meeting is not None:
        turn.effects.tell(f"A meeting is already running here: {turn.meeting.title} "
                          f"(started {turn.meeting.started_at:%H:%M} UTC).")
        return
    title = argument or turn.group.meeting_title
    try:
        meeting = turn.store.start_meeting(turn.event.place, turn.group.name, title,
                                           turn.local_date, turn.now, turn.author_id)
    except AlreadyRunning:
        turn.effects.tell("A meeting is already running here.")
        return
    turn.meeting = meeting
    turn.store.log_line(meeting.id, turn.now, turn.author_id, turn.author_name, turn.event.text,
                        turn.event.message_id)
    turn.store.add_role(meeting.id, "chair", turn.author_id, turn.author_name)
    for standing in turn.group.standing_items:
        turn.store.add_agenda_item(meeting.id, ItemSource.STANDING, standing)
    github = asked(turn)  # fetched before the transaction: GitHub is slow at times
    for entry in github.agenda or ():
        turn.store.add_agenda_item(meeting.id, ItemSource.GITHUB, entry.title, entry.repo,
                                   entry.number, entry.url, entry.is_pr)
    _take_pending_items(turn, meeting.id)
    problem = github.problem
    links = {}
    if turn.group.links.join:
        links["join"] = turn.group.links.join
    if (issue := turn.store.meeting_issue(turn.group.name, turn.local_date)) is not None:
        links["issue"] = issue[2]
    if links:
        turn.store.update_meeting(meeting.id, links=links)
    lines = [f"Meeting started: {title} {turn.local_date}",
             f"Chair: {turn.author_name}. Mark yourself present with #here; "
             "take notes with #info, #action, #agreed; #help lists the rest."]
    live = _live_link(turn, meeting.id)
    if live:
        lines.append(live)
    agenda = turn.store.agenda(meeting.id)
    if agenda:
        lines.append("Agenda:")
        lines.extend(f"{n}. {_agenda_line(item)}" for n, item in enumerate(agenda, 1))
    open_actions = ActionStore(turn.store).open_actions(turn.group.name)
    if open_actions:
        lines.append("Open actions (#done A-N, #drop A-N, #reassign A-N @someone):")
        listed = open_action_lines(open_actions)
        lines.extend(listed[:_OPEN_ACTIONS_SHOWN])
        if len(listed) > _OPEN_ACTIONS_SHOWN:  # the start post stays readable
            lines.append(f"… and {len(listed) - _OPEN_ACTIONS_SHOWN} more: "
                         "/meeting actions all lists them.")
    if problem:
        lines.append(f"GitHub could not be asked for the agenda ({problem}), so it holds only "
                     "what was fetched before. Add items with #agenda add owner/repo#N Title.")
    buttons = [Button("here", "I'm here")]
    if turn.group.links.join:
        buttons.append(Button("join", "Join the call", url=turn.group.links.join))
    turn.effects.say("\n".join(lines), buttons=tuple(buttons), purpose=Purpose.START)


_OPEN_ACTIONS_SHOWN = 30


def _take_pending_items(turn: Turn, meeting_id: int) -> None:
    """Items added between meetings join this meeting's agenda (once: GitHub's own
    listing may already hold the same issue)."""
    for pending in ActionStore(turn.store).take_pending(turn.group.name, meeting_id):
        if not pending.repo:
            turn.store.add_agenda_item(meeting_id, ItemSource.ADHOC, pending.title)
            continue
        if any(item.repo.casefold() == pending.repo.casefold() and item.number == pending.number
               for item in turn.store.agenda(meeting_id)):
            continue
        turn.store.add_agenda_item(meeting_id, ItemSource.GITHUB, pending.title, pending.repo,
                                   pending.number, pending.url, pending.is_pr)


def _agenda_line(item: object) -> str:
    from bot.domain import AgendaItem

    assert isinstance(item, AgendaItem)
    return f"{item.title} ({item.reference})" if item.reference else item.title


def end_meeting(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    turn.store.update_meeting(meeting.id, status=Status.ENDED, ended_at=turn.now)
    meeting = turn.refresh()
    minutes = _minutes_of(turn, meeting)
    turn.store.update_meeting(meeting.id, minutes=minutes)
    filename = f"{meeting.meeting_date}.md"
    saved = ""
    if turn.minutes_dir:
        try:
            saved = f" Saved as {save_minutes_file(turn.minutes_dir, meeting, minutes)}."
        except OSError as exc:
            # The database copy is the one that matters; the file is a convenience.
            saved = (f" The minutes file could not be written ({exc.strerror}: "
                     f"{exc.filename}); `gavel minutes {meeting.id}` prints them.")
    notes, actions = turn.store.note_counts(meeting.id)  # (counted: a replay's are many)
    present = [a for a in turn.store.attendance(meeting.id) if a.status == "present"]
    summary = (f"Meeting ended: {meeting.title} {meeting.meeting_date}. "
               f"{len(present)} present, {_count(notes, 'note')}, "
               f"{_count(actions, 'action item')}. "
               f"Minutes attached (meeting {meeting.id}).{saved}{_archive_link(turn)}")
    turn.effects.say(summary, attachment=Attachment(filename, minutes, f"Minutes: {meeting.title}"),
                     purpose=Purpose.MINUTES)
    turn.after_commit.append(PublishMinutes(meeting.id, pending_only=True))


def _minutes_of(turn: Turn, meeting: Meeting) -> str:
    """The meeting's minutes in the group's layout; if the group's own file fails, the
    meeting still ends and nothing is lost: the default layout stands in, and the chat is
    told what failed where."""
    try:
        return compile_minutes(turn.store, meeting, turn.group)
    except TemplateFailed as exc:
        turn.effects.tell(f"The group's {exc}; the minutes use the nodejs layout instead.")
        return compile_minutes(turn.store, meeting, turn.group, "nodejs")


def _archive_link(turn: Turn) -> str:
    """`` Archive: <url>`` when this server has a public address and the meeting belongs
    to a configured group (a stray channel's meetings have no archive)."""
    if turn.group not in turn.settings.groups or not turn.settings.web.public_url:
        return ""  # (and no link, no token: a replay's case)
    from bot.archive.links import meeting_url  # (with the tokens: only for a served archive)

    url = meeting_url(turn.store, turn.settings, turn.group, turn.running().id)
    return f" Archive: {url}" if url else ""


def _live_link(turn: Turn, meeting_id: int) -> str:
    """``The record, live: <url>``: the archive's page of this meeting, which follows it
    as it runs (issue 15) when the group keeps no HackMD note, whose link says the same.
    Only with a public address, and for a configured group (a stray channel has no
    archive)."""
    if turn.group not in turn.settings.groups or not turn.settings.web.public_url:
        return ""
    from bot.archive.links import meeting_url
    from bot.store.hackmd_rows import note_for

    if turn.group.uses_hackmd and note_for(turn.store, turn.group.name,
                                           turn.local_date) is not None:
        return ""
    url = meeting_url(turn.store, turn.settings, turn.group, meeting_id)
    return f"The record, live: {url}" if url else ""


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def rename_meeting(turn: Turn, argument: str) -> None:
    if not argument:
        turn.effects.tell("Usage: #meetingname <title>")
        return
    meeting = turn.running()
    if (_typed_word(turn) == "meetingname" and meeting.title != turn.group.meeting_title
            and turn.command.dialect == "meetbot"):
        # MeetBot's #meetingname names the files ("#meetingname fesco" after "#startmeeting
        # FESCO (2023-01-19)"); its minutes keep the title #startmeeting gave. Only a
        # meeting opened without one (hcoop-meetbot's habit) takes the name as its title.
        turn.effects.say(f"Meeting name set to: {argument} (the title stays "
                         f"{meeting.title}; #meetingtopic changes it)")
        return
    turn.store.update_meeting(meeting.id, title=argument)
    turn.effects.say(f"Meeting renamed: {argument}")


def _typed_word(turn: Turn) -> str:
    """The command word as typed (``#meetingname`` and ``#meetingtopic`` share an entry)."""
    word = turn.event.text.lstrip().lstrip("#[").split(maxsplit=1)
    return word[0].rstrip("]").casefold() if word else ""


MEETING_LINKS = {"recording": "recording", "video": "recording", "issue": "issue",
                 "doc": "minutes_doc", "notes": "minutes_doc"}


def set_meeting_link(turn: Turn, argument: str) -> None:
    kind, _, url = argument.partition(" ")
    if turn.options:  # Discord's typed options
        kind, url = turn.options.get("kind", ""), turn.options.get("url", "")
    key = MEETING_LINKS.get(kind.lower())
    url = url.strip()
    if key is None or not url.startswith(("http://", "https://")):
        turn.effects.tell("Usage: #meetinglink <recording|issue|doc> <https://...>")
        return
    meeting = turn.running()
    turn.store.update_meeting(meeting.id, links={**meeting.links, key: url})
    confirm(turn, f"The minutes will link the {kind.lower()}: {url}")


def add_chairs(turn: Turn, argument: str) -> None:
    names = _people_named(turn)
    if not names:
        turn.effects.tell("Usage: #chair <name>[, <name>...]")
        return
    # A typed name is its own id (IRC has no other), and IRC nicks ignore case: "Chair:
    # McCool" from McCool, who opened the meeting, names the chair already there.
    held = {name.casefold() for name in turn.store.role_names(turn.running().id, "chair")}
    for who, name, by_id in names:
        if not by_id and name.casefold() in held:
            continue
        turn.store.add_role(turn.running().id, "chair", who, name)
    chairs = turn.store.role_names(turn.running().id, "chair")
    turn.effects.say(f"Current chairs: {quote_names(chairs)}")


def remove_chairs(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    for who, name, _ in _people_named(turn):
        last = len(turn.store.role_names(meeting.id, "chair")) == 1
        if last and turn.store.has_role(meeting.id, "chair", who):
            turn.effects.tell(f"{name} is the last chair: add another with #chair first.")
            return
        turn.store.remove_role(meeting.id, "chair", who)
    chairs = turn.store.role_names(meeting.id, "chair")
    turn.effects.say(f"Current chairs: {quote_names(chairs) or 'none'}")


def add_scribe(turn: Turn, argument: str) -> None:
    names = _people_named(turn) or [(turn.author_id, turn.author_name, True)]
    if any(who not in (turn.author_id, turn.author_id.casefold()) for who, _, _ in names) and (
            not turn.is_chair()):
        turn.only_chairs("make someone else a scribe (#scribe alone makes you one)")
        return
    for who, name, _ in names:
        turn.store.add_role(turn.running().id, "scribe", who, name)
    turn.effects.say(f"Scribe: {quote_names(n for _, n, _ in names)}. "
                     "Their plain lines are notes now.")


def remove_scribe(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    names = _people_named(turn) or [(turn.author_id, turn.author_name, True)]
    mine = [_is_author(turn, *one) for one in names]
    if not all(mine) and not turn.is_chair():
        turn.only_chairs("unscribe someone else (#unscribe alone stops yours)")
        return
    for (who, name, _), is_mine in zip(names, mine, strict=True):
        if is_mine:  # by the author's ids only: a name they chose may be someone else's
            who, name = turn.author_id, turn.author_id
        turn.store.remove_role(meeting.id, "scribe", who)
        turn.store.remove_role(meeting.id, "scribe", name.casefold())
    turn.effects.say(f"No longer scribing: {quote_names(n for _, n, _ in names)}")


def _is_author(turn: Turn, who: str, name: str, by_id: bool) -> bool:
    """``who`` (a mention's user id, or a typed name) is the author: by their user id, or
    their display name as they typed it. A mention says exactly who, by id."""
    if by_id:
        return who == turn.author_id
    return who in (turn.author_id, turn.author_id.casefold()) or (
        name.casefold() == turn.author_name.casefold())


def lurk(turn: Turn, argument: str) -> None:
    turn.store.update_meeting(turn.running().id, lurking=True)
    turn.refresh()
    turn.effects.tell("Lurking: I keep recording but stay quiet until #unlurk or #endmeeting.")


def unlurk(turn: Turn, argument: str) -> None:
    turn.store.update_meeting(turn.running().id, lurking=False)
    turn.refresh()
    turn.effects.say("Back: I will confirm commands in the channel again.")


def minutes_so_far(turn: Turn, argument: str) -> None:
    turn.effects.tell(_minutes_of(turn, turn.running()))


def show_help(turn: Turn, argument: str) -> None:
    """Bare ``#help`` lists the commands; meetingology's ``#help <text>`` asks for help
    (a help-wanted note), as ``#halp`` does."""
    asking = argument and turn.meeting is not None and not turn.event.text.lstrip(
        ).casefold().startswith("#commands")
    if asking:
        from bot.commands.notes import take_note
        from bot.domain import NoteKind

        take_note(turn, NoteKind.HELP, argument)
        return
    turn.effects.tell(usage_text(turn.commands))


def _people_named(turn: Turn) -> list[tuple[str, str, bool]]:
    """(who, display name, by id) for each person the command names: the ``person``
    option's user, each mention (by its id), then each typed name (by itself)."""
    if person := turn.options.get("person"):
        return [(person, turn.event.mentions.get(person, person), True)]
    mentioned, rest = split_mentions(turn.command.argument, turn.event.mentions)
    found = [(user_id, name, True) for user_id, name in mentioned]
    for name in split_names(rest):
        bare = name.lstrip("@")
        found.append((bare.casefold(), bare, False))
    return found


# The people a command names, for the other command modules (#voters).
people_named = _people_named
