"""What a command's ``prepare`` step is given (the commands themselves are listed in
``table.py``).

A command that needs an answer from outside (GitHub) declares a ``prepare`` step: it runs
before the command's transaction opens and hands what it learnt to the command in
``Turn.prepared``, so the command itself only reads and writes the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.parse import Command
from bot.config import Group, Settings
from bot.domain import AgendaItem, Meeting
from bot.events import Event
from bot.ports import AgendaSource


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
