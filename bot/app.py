"""Wiring the core together from a config: the store, the handler, the optional GitHub.

Adapters receive a ``Core`` and know nothing of how it was built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Secrets, Settings
from bot.ports import AgendaSource
from bot.store import Database


@dataclass
class Core:
    settings: Settings
    secrets: Secrets
    database: Database
    bot: MeetingBot

    @property
    def minutes_dir(self) -> Path:
        return Path(self.settings.data_dir) / "minutes"

    def close(self) -> None:
        self.database.close()


def build_core(settings: Settings, secrets: Secrets | None = None,
               database_url: str | None = None,
               agenda_source: AgendaSource | None = None) -> Core:
    """Open the database (migrating it) and make the handler for this config."""
    secrets = secrets if secrets is not None else Secrets.from_environment()
    database = Database.open(database_url or settings.database_url_or_default())
    minutes_dir = str(Path(settings.data_dir) / "minutes")
    bot = MeetingBot(database, settings, agenda_source=agenda_source, minutes_dir=minutes_dir)
    return Core(settings, secrets, database, bot)
