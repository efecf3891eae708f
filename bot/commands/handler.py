"""The one command handler every platform shares: an event in, effects out.

Each event is handled inside one database transaction, which commits before the effects
are returned: whatever the bot confirms is already saved. Nothing inside it calls out: a
command that needs GitHub asks in its ``prepare`` step, before the transaction opens, as
SQLite has one writer and a slow answer would lock every other channel out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

from bot.commands import after_commit, rehearsal
from bot.commands.actions import DONE_BUTTON, follow_note, press_done
from bot.commands.attendance import mark_present, presence, remember_author
from bot.commands.dialects import continue_note
from bot.commands.notes import note_depth, take_note
from bot.commands.parse import Command, parse_line, parse_slash
from bot.commands.registry import Preparation
from bot.commands.table import COMMANDS, CommandTable, resolve, usage_text
from bot.commands.turn import Turn
from bot.commands.votes import cast, is_plain_ballot, press
from bot.config import DEFAULT_GROUP, Group, Settings
from bot.domain import NoteKind
from bot.effects import Effect, Effects, Post, Purpose, SetTopic
from bot.events import Event, EventKind, Place
from bot.mentions import shown
from bot.ports import ActionTracker, AgendaSource, MinutesPublisher
from bot.store import Database, Store
from bot.store.database import is_memory, is_read_only
from bot.store.dialect_rows import open_vote_of
from bot.text import drop_control_characters, has_control_characters

log = logging.getLogger("gavel.bot")


class MeetingBot:
    """Runs meetings in any number of channels, on any platform, from one store."""

    def __init__(self, database: Database, settings: Settings,
                 agenda_source: AgendaSource | None = None, minutes_dir: str = "",
                 publisher: MinutesPublisher | None = None,
                 commands: CommandTable = COMMANDS,
                 action_tracker: ActionTracker | None = None) -> None:
        self.database = database
        self.commands = commands
        self.settings = settings
        self.agenda_source = agenda_source
        self.minutes_dir = minutes_dir
        self.publisher = publisher
        self.action_tracker = action_tracker

    def handle(self, event: Event, once_key: str = "") -> list[Effect]:
        """Handle one event in its own transaction, committed before anything is said.

        ``once_key`` names a delivery that platforms may repeat (Slack retries, a gateway
        replay): it is claimed in the same transaction as the event's work, so the event
        takes effect exactly once, even across replicas, and a crash claims nothing.
        """
        if event.author.is_bot:
            return []
        event, command = self._read(event)
        prepared = self._prepare(event, command)  # GitHub is asked here, no transaction open
        with self.database.transaction() as store:
            # The meeting first: on PostgreSQL this read locks its row, and a meeting's
            # writers must take that lock before any other (see ``SpeakerTallies``).
            meeting = store.running_meeting(event.place)
            # Chat in a channel with no meeting is not ours to keep, nor to claim.
            if once_key and (command is not None or event.kind is not EventKind.MESSAGE
                             or meeting is not None) and (
                    not store.claim_event(once_key, event.at)):
                return []
            turn = self._turn(store, event, command, prepared)
        # After the commit: what GitHub is asked to do is saved whatever it answers, and
        # it is never asked with a transaction open.
        return [*_quiet_if_lurking(turn), *after_commit.run(
            turn.after_commit, turn.group, self.publisher, self.action_tracker)]

    def handle_batch(self, events: Iterable[Event]) -> Iterator[list[Effect]]:
        """Handle many events in one transaction: for replaying a log, where nobody waits
        for a confirmation and a commit per line would be most of the work.

        No prepare steps run: a replay asks nothing of GitHub, so its minutes depend on
        the log alone (a ``#startmeeting`` gets the standing items only). On PostgreSQL
        the batch holds each meeting it reads locked to its end (see ``SpeakerTallies``):
        meant for a replay's own database, not for one live bots write to.
        """
        with self.database.transaction() as store:  # each event's effects as it is handled
            groups: dict[Place, Group] = {}  # (the settings do not change during a batch)
            for event in events:
                if event.author.is_bot:
                    continue
                event, command = self._read(event)
                if command is None and event.kind is EventKind.MESSAGE and _only_logged(
                        store, event):
                    yield []
                    continue
                if (group := groups.get(event.place)) is None:
                    group = groups[event.place] = self._group(event)
                yield _quiet_if_lurking(self._turn(store, event, command, group=group))

    def warm_up(self) -> None:
        """Rehearse every live command kind (``bot.commands.rehearsal``) through the real
        turn code, in a transaction that is rolled back: the first real command of each
        kind then finds its statements compiled and its modules loaded. Returns nothing:
        no effect is delivered, nothing runs after commit (no GitHub, no publishing), and
        nothing stays in the database. As ``handle_batch``, no prepare step runs.

        It runs as the default group whatever the config (a group is a statement's value,
        not its text), so no configured chair or voter list refuses a line; an action
        number it takes is given back with the rollback. Each line is a turn of its own,
        as live (``Rehearsal.turn``), all in the one transaction rolled back."""
        with self.database.rehearsal() as rehearsed:
            for event in rehearsal.events():
                event, command = self._read(event)
                with rehearsed.turn() as store:
                    store.running_meeting(event.place)  # (read first, as ``handle`` does)
                    self._turn(store, event, command, group=DEFAULT_GROUP)

    def warm_up_in_background(self) -> threading.Thread | None:
        """``warm_up`` in a thread of its own, for a service that is ready for input. A
        command that arrives meanwhile waits for the rehearsal to end (SQLite has one
        writer; the busy timeout is 5 s): 50-100 ms, once per start, where each first
        command of a kind would otherwise cost a few ms more.

        SQLite files only. Not on a memory database: its one connection is every
        thread's, so a command would share the rehearsal's transaction. Not on one opened
        read-only: every write refuses, and saying so is the commands' job. Not on
        PostgreSQL: a rolled-back meeting still takes its id from the sequence (a gap in
        the meeting numbers users see at every start), and its round trips, not the
        statements' compiling, are most of a first command there."""
        engine = self.database.engine
        if engine.dialect.name != "sqlite" or is_memory(engine) or is_read_only(engine):
            return None
        thread = threading.Thread(target=self._warm_up_or_log, name="gavel-rehearsal",
                                  daemon=True)
        thread.start()
        return thread

    def _warm_up_or_log(self) -> None:
        try:
            self.warm_up()
        except Exception as exc:  # only the first commands' speed depends on it
            # Not a warning: a file this process may not write (its mode, its owner)
            # refuses the rehearsal too, and the commands themselves say so in one line.
            log.info("the start-up rehearsal of the commands did not run (%s); the first "
                     "command of each kind will be a few ms slower", exc)
            log.debug("start-up rehearsal", exc_info=True)

    def running_places(self, platform: str) -> list[Place]:
        """The channels of ``platform`` with a meeting running (to catch up on presence)."""
        with self.database.reading() as store:
            return [Place(m.platform, m.channel, m.workspace)
                    for m in store.all_running_meetings() if m.platform == platform]

    def _read(self, event: Event) -> tuple[Event, Command | None]:
        """The event as the core keeps it (control characters dropped, mentions shown as
        names) and the command it carries, read before that (mentions still as ids)."""
        event = readable(event)
        command = self._command_in(event)
        text = shown(event.text, event.mentions)
        return (event if text is event.text else replace(event, text=text)), command

    def _command_in(self, event: Event) -> Command | None:
        """The command an event carries: a chat line's or a slash command's (a typed
        option marked ``is_argument`` is its argument, as typed)."""
        if event.kind in (EventKind.MESSAGE, EventKind.EDIT):
            return parse_line(event.text, self.commands)
        if event.kind is not EventKind.COMMAND:
            return None
        command = parse_slash(event.text, self.commands)
        entry = self.commands.by_name.get(command.name) if command is not None else None
        if command is None or entry is None or not event.options:
            return command
        argument = next((event.options.get(o.name, "") for o in entry.options
                         if o.is_argument), "")
        return replace(command, argument=argument.strip())

    def _prepare(self, event: Event, command: Command | None) -> object:
        """The answer of the command's prepare step, if it has one (else None).

        The channel's meeting and agenda are read first, in a short transaction of their
        own, so the step can skip questions the store already answers.
        """
        if event.kind not in (EventKind.MESSAGE, EventKind.COMMAND):
            return None
        spec = self.commands.by_name.get(command.name) if command is not None else None
        if command is None or spec is None or not spec.prepare:
            return None
        place = event.place
        with self.database.reading() as store:  # (locks nothing, waits for nobody)
            meeting = store.running_meeting(place)
            # Only asking GitHub needs the agenda (to skip what it already holds).
            agenda = (tuple(store.agenda(meeting.id))
                      if meeting is not None and self.agenda_source is not None else ())
        return resolve(spec.prepare)(Preparation(
            settings=self.settings, group=self._group(event), event=event, command=command,
            agenda_source=self.agenda_source, meeting=meeting, agenda=agenda))

    def _group(self, event: Event) -> Group:
        place = event.place
        return self.settings.group_for_channel(place.platform, place.workspace, place.channel)

    def _turn(self, store: Store, event: Event, command: Command | None,
              prepared: object = None, group: Group | None = None) -> Turn:
        place = event.place
        turn = Turn(
            store=store,
            settings=self.settings,
            group=group if group is not None else self._group(event),
            event=event,
            meeting=store.running_meeting(place),
            effects=Effects(place, event.author.user_id),
            prepared=prepared,
            minutes_dir=self.minutes_dir,
            can_publish=self.publisher is not None,
            command=command or Command(""),
            commands=self.commands,
        )
        _HANDLERS[event.kind](turn)
        return turn


def readable(event: Event) -> Event:
    """The event with control characters dropped from everything a person chose (the text,
    names, ids a log may carry): they would break the store (PostgreSQL refuses NUL) or the
    minutes, and nobody can see them. Done here, at the core's one door, so every platform
    and the replay get it, and a note holding them is still saved."""
    author = event.author
    mentions, options = event.mentions, event.options
    if not has_control_characters("".join((  # the usual case, checked in one pass
            event.text, author.user_id, author.name, event.message_id, event.thread_id,
            event.action, *mentions, *mentions.values(), *options.values())
            if mentions or options else (  # (most lines mention nobody)
            event.text, author.user_id, author.name, event.message_id, event.thread_id,
            event.action))):
        return event
    return replace(
        event,
        text=drop_control_characters(event.text),
        author=replace(author, user_id=drop_control_characters(author.user_id),
                       name=drop_control_characters(author.name)),
        message_id=drop_control_characters(event.message_id),
        thread_id=drop_control_characters(event.thread_id),
        action=drop_control_characters(event.action),
        mentions={drop_control_characters(user_id): drop_control_characters(name)
                  for user_id, name in event.mentions.items()},
        options={name: drop_control_characters(value) for name, value in event.options.items()},
    )


def _on_message(turn: Turn) -> None:
    event = turn.event
    command = turn.command if turn.command.name else None
    if turn.meeting is not None:
        turn.store.log_line(turn.meeting.id, event.at, event.author.user_id, event.author.name,
                            event.text, event.message_id)
    if command is None:
        if turn.meeting is not None and _plain_ballot(turn):
            return
        if turn.meeting is not None and turn.is_scribe() and not continue_note(
                turn, event.text):
            take_note(turn, NoteKind.INFO, event.text)
        return
    _run(turn, command)


def _only_logged(store: Store, event: Event) -> bool:
    """Whether a chat line without a command only goes into the transcript, as most lines
    of a replayed log do (logged here, then): ``_on_message`` without building a turn.
    Not when it may do more there: a ballot, a scribe's line (a note)."""
    meeting = store.running_meeting(event.place)
    if meeting is None:
        return True  # chat with no meeting running is not kept
    author = event.author
    if is_plain_ballot(event.text.strip()) or store.has_role(
            meeting.id, "scribe", author.user_id, author.user_id.casefold()):
        return False
    store.log_line(meeting.id, event.at, author.user_id, author.name, event.text,
                   event.message_id)
    return True


def _on_slash_command(turn: Turn) -> None:
    if not turn.command.name:
        sub = turn.event.text.split()[0]
        turn.effects.tell(f"Unknown command '{sub}'.\n{usage_text(turn.commands)}")
        return
    _run(turn, turn.command)


def _run(turn: Turn, command: Command) -> None:
    name = command.name
    spec = turn.commands.by_name[name]
    argument = shown(command.argument, turn.event.mentions)
    if spec.needs_meeting and turn.meeting is None:
        if spec.when_idle and command.dialect == "slash":
            resolve(spec.when_idle)(turn, argument)
            return
        # A `#word` we know, or a slash command, is meant for a meeting: say there is none.
        # W3C lines, links and `s/a/b/` are everyday chat too, so they stay quiet.
        if command.dialect == "slash":
            turn.effects.tell("No meeting is running in this channel. "
                              "Start one with /meeting start [title].")
        elif command.dialect == "meetbot":
            turn.effects.tell(f"No meeting is running in this channel, so #{name} did nothing. "
                              "Start one with #startmeeting [title].")
        return
    if spec.chair_only and not turn.is_chair():
        turn.only_chairs(f"use {name}")
        return
    resolve(spec.run)(turn, argument)


def _on_edit(turn: Turn) -> None:
    """An edited chat line: its note follows the new text, or goes if it is no note now.

    Only notes follow edits: an edited ``#topic`` or ``#agenda add`` is not run again
    (that would move the meeting or add a second item behind everyone's back).
    """
    if turn.meeting is None or not turn.event.message_id:
        return
    _log_change(turn, "edit")
    existing = turn.store.notes_from_message(turn.meeting.id, turn.event.message_id)
    wanted = _note_in(turn)
    if not existing:
        if wanted is not None:
            take_note(turn, *wanted)
        return
    for note in existing:
        if wanted is None:
            turn.store.delete_note(note.id)
            follow_note(turn, note.id, None)
        else:
            depth, text = note_depth(wanted[0], wanted[1].strip())
            turn.store.change_note(note.id, kind=wanted[0], text=text, depth=depth)
            follow_note(turn, note.id, text if wanted[0] is NoteKind.ACTION else None)


def _note_in(turn: Turn) -> tuple[NoteKind, str] | None:
    """The note a chat line makes, if any: a note command, or a scribe's plain line."""
    command = turn.command
    if not command.name:
        return (NoteKind.INFO, turn.event.text) if turn.is_scribe() else None
    kind = turn.commands.note_kinds.get(command.name)
    argument = shown(command.argument, turn.event.mentions)
    return (kind, argument) if kind is not None and argument else None


def _log_change(turn: Turn, change: str) -> None:
    """The transcript keeps what was said and, after it, what became of it."""
    event = turn.event
    turn.store.log_line(turn.running().id, event.at, event.author.user_id, event.author.name,
                        event.text if change == "edit" else "", event.message_id, change)


def _on_delete(turn: Turn) -> None:
    if turn.meeting is None or not turn.event.message_id:
        return
    _log_change(turn, "delete")
    for note in turn.store.notes_from_message(turn.meeting.id, turn.event.message_id):
        turn.store.delete_note(note.id)
        follow_note(turn, note.id, None)


def _plain_ballot(turn: Turn) -> bool:
    """``+1``, ``-1``, ``+0`` said while a vote is open: a ballot (Mootbot, meetingology)."""
    text = turn.event.text.strip()
    if not is_plain_ballot(text):
        return False
    open_one = open_vote_of(turn.store, turn.running().id)
    if open_one is None:
        return False
    cast(turn, open_one, text.split()[0])  # "+0 not read it yet": the vote is "+0"
    return True


def _on_button(turn: Turn) -> None:
    if turn.event.action.startswith("vote:"):
        press(turn, turn.event.action)
        return
    if turn.event.action.startswith(DONE_BUTTON):
        press_done(turn, turn.event.action)
        return
    if turn.event.action == "here":
        if turn.meeting is None:
            turn.effects.tell("This meeting has ended.")
            return
        person = remember_author(turn)
        mark_present(turn, person, "button")
        turn.effects.tell(f"You are marked present, {person.name}.")


_HANDLERS = {
    EventKind.MESSAGE: _on_message,
    EventKind.COMMAND: _on_slash_command,
    EventKind.EDIT: _on_edit,
    EventKind.DELETE: _on_delete,
    EventKind.BUTTON: _on_button,
    EventKind.PRESENCE: presence,
}


def _quiet_if_lurking(turn: Turn) -> list[Effect]:
    if turn.meeting is None or not turn.meeting.lurking:
        return turn.effects.items
    return [e for e in turn.effects.items
            if not isinstance(e, SetTopic)
            and not (isinstance(e, Post) and e.purpose != Purpose.MINUTES)]
