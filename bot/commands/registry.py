"""The table of commands: one small function each, registered by name.

``needs_meeting`` commands are ignored outside a running meeting (a `#info` in an idle
channel is just chat); ``chair_only`` ones are refused to anyone but a chair. A command
that needs an answer from outside (GitHub) declares a ``prepare`` step: it runs before the
command's transaction opens and hands what it learnt to the command in ``Turn.prepared``,
so the command itself only reads and writes the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.commands.parse import Command
from bot.commands.turn import Turn
from bot.config import Group, Settings
from bot.domain import AgendaItem, Meeting
from bot.events import Event
from bot.ports import AgendaSource

Handler = Callable[[Turn, str], None]


@dataclass(frozen=True, slots=True)
class Preparation:
    """What a prepare step may use. No store: no transaction is open while it asks GitHub,
    so a slow answer cannot hold the database (and every other channel) up.

    ``meeting`` and ``agenda`` are the channel as it stood just before, read in a
    transaction of their own, so the step can skip questions whose answer is already
    known; the command re-reads the store and must not trust them.
    """

    settings: Settings
    group: Group
    event: Event
    command: Command
    agenda_source: AgendaSource | None
    meeting: Meeting | None
    agenda: tuple[AgendaItem, ...]


# What a prepare step returns is the command's own business (``Turn.prepared``).
Prepare = Callable[[Preparation], object]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    handler: Handler
    needs_meeting: bool
    chair_only: bool
    usage: str
    prepare: Prepare | None = None


COMMANDS: dict[str, CommandSpec] = {}


def command(name: str, usage: str, *, needs_meeting: bool = True, chair_only: bool = False,
            prepare: Prepare | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = CommandSpec(name, handler, needs_meeting, chair_only, usage, prepare)
        return handler

    return register


# Slash commands with another meaning when no meeting runs (``/meeting next`` shows the next
# meeting instead of moving through the agenda). Registered by ``when_idle``.
IDLE_COMMANDS: dict[str, Handler] = {}


def when_idle(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        IDLE_COMMANDS[name] = handler
        return handler

    return register
