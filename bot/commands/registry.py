"""The table of commands: one small function each, registered by name.

``needs_meeting`` commands get one reply outside a running meeting (none is running, how
to start one); ``chair_only`` ones are refused to anyone but a chair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.commands.turn import Turn

Handler = Callable[[Turn, str], None]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    handler: Handler
    needs_meeting: bool
    chair_only: bool
    usage: str


COMMANDS: dict[str, CommandSpec] = {}


def command(name: str, usage: str, *, needs_meeting: bool = True,
            chair_only: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = CommandSpec(name, handler, needs_meeting, chair_only, usage)
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
