"""One turn of the bot: the event being handled and everything a command needs for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.after_commit import AfterCommit
from bot.commands.parse import Command
from bot.commands.table import COMMANDS, CommandTable
from bot.config import Group, Settings
from bot.domain import NAME_ONLY, AgendaItem, Meeting, Section
from bot.effects import Effects
from bot.events import Event
from bot.store import Store


@dataclass
class Turn:
    """The store (one transaction), the event, its group and meeting, and the reply."""

    store: Store
    settings: Settings
    group: Group
    event: Event
    meeting: Meeting | None
    effects: Effects
    # What the command's prepare step learnt before the transaction opened (GitHub's
    # answers); None when it has none. Commands never call out themselves.
    prepared: object = None
    minutes_dir: str = ""
    can_publish: bool = False  # a minutes publisher (GitHub) is configured
    # What to do once the turn commits (publish minutes, sync action issues), in order.
    after_commit: list[AfterCommit] = field(default_factory=list)
    command: Command = field(default_factory=lambda: Command(""))  # the command run, if any
    commands: CommandTable = COMMANDS  # the table it came from

    @property
    def now(self) -> datetime:
        return self.event.at

    @property
    def local_date(self) -> str:
        return self.event.at.astimezone(ZoneInfo(self.group.timezone)).date().isoformat()

    @property
    def author_id(self) -> str:
        return self.event.author.user_id

    @property
    def author_name(self) -> str:
        return self.event.author.name

    @property
    def options(self) -> dict[str, str]:
        """A slash command's typed options, by name (Discord's; none on Slack or in chat).
        A ``user`` option's value is the user's id (``event.mentions`` has their name)."""
        return self.event.options

    def running(self) -> Meeting:
        assert self.meeting is not None, "command needs a running meeting"
        return self.meeting

    def refresh(self) -> Meeting:
        meeting = self.store.meeting(self.running().id)
        assert meeting is not None
        self.meeting = meeting
        return meeting

    def _me(self) -> tuple[str, str]:
        """How roles know the author: the platform's user id, never a name they chose.

        A display name or a GitHub handle typed in ``#here`` can be anyone's; the user id
        cannot (on the console and in replays, the nick is the id).
        """
        return self.author_id, self.author_id.casefold()

    def known_ids(self) -> Iterator[tuple[str, str]]:
        """(user id, name shown) of everyone the running meeting knows by an id the
        platform gave them (the attendance, then whoever spoke): a Slack or Discord user
        id, or on the console and in a replay the nick. Never a display name or a name
        typed with ``#here`` (``NAME_ONLY`` ids): anyone can choose those, and two people
        can share one."""
        if self.meeting is None:
            return
        for attendance in self.store.attendance(self.meeting.id):
            if not attendance.person.user_id.startswith(NAME_ONLY):
                yield attendance.person.user_id, attendance.person.name
        for author_id, name, _lines in self.store.lines_said(self.meeting.id):
            if author_id and not author_id.startswith(NAME_ONLY):
                yield author_id, name

    def may_set_topics(self) -> bool:
        """Anyone moves the topic, unless the group keeps that to its chairs
        (``chair_only_topic``): ``#topic``, ``#next``, ``close item``, a title's ``s///``."""
        return not self.group.chair_only_topic or self.is_chair()

    def is_chair(self) -> bool:
        """The starter, anyone added by ``#chair``, and the chairs named in the config."""
        if self.store.has_role(self.running().id, "chair", *self._me()):
            return True
        configured = {c.casefold().lstrip("@") for c in self.group.chairs}
        return not configured.isdisjoint(self._me())

    def chair_names(self) -> list[str]:
        """Who can do what only chairs may: the meeting's chairs, then the configured."""
        names = [*self.store.role_names(self.running().id, "chair"), *self.group.chairs]
        return list(dict.fromkeys(names))

    def only_chairs(self, doing: str) -> None:
        """Refuse in one line that says who may: ``Only a chair can <doing>. Chairs: ...``"""
        self.effects.tell(f"Only a chair can {doing}. Chairs: " + ", ".join(self.chair_names()))

    def is_scribe(self) -> bool:
        return self.store.has_role(self.running().id, "scribe", *self._me())

    def current_topic(self) -> tuple[AgendaItem | None, Section]:
        """The agenda item (or section) a new note belongs to.

        A note posted in a thread belongs to the topic that was current when the thread
        began (the thread id is the root message's timestamp on Slack).
        """
        meeting = self.running()
        if self.event.thread_id:
            root_time = _thread_root_time(self.event.thread_id)
            if root_time is not None:
                found = self.store.topic_at(meeting.id, root_time)
                if found is not None:
                    item_id, section = found
                    return self._item(item_id), section
        return self._item(meeting.current_item_id), meeting.current_section

    def _item(self, item_id: int | None) -> AgendaItem | None:
        return None if item_id is None else self.store.agenda_item(item_id)


def _thread_root_time(thread_id: str) -> datetime | None:
    """Slack thread ids are the root's ``ts`` (Unix seconds); other platforms' are not."""
    from datetime import UTC

    try:
        seconds = float(thread_id)
    except ValueError:
        return None
    if not 1e9 < seconds < 1e10:
        return None
    return datetime.fromtimestamp(seconds, UTC)
