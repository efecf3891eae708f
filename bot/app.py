"""Wiring the core together from a config: the store, the handler, the optional GitHub.

Adapters receive a ``Core`` and know nothing of how it was built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.handler import MeetingBot
from bot.commands.table import COMMANDS, CommandTable
from bot.config import Secrets, Settings
from bot.observe import NoObserver, ObservedBot, Observer
from bot.ports import AgendaSource
from bot.store import Database
from bot.store.database import make_data_dir

if TYPE_CHECKING:
    from bot.github.client import GitHub
    from bot.github.publishing import Publisher
    from bot.hackmd.client import HackMD


@dataclass
class Core:
    settings: Settings
    secrets: Secrets
    database: Database
    bot: MeetingBot
    github: GitHub | None = None
    publisher: Publisher | None = None
    hackmd: HackMD | None = None  # the live meeting notes (bot/hackmd), when configured
    observer: Observer = field(default_factory=NoObserver)  # metrics, under ``gavel serve``

    @property
    def minutes_dir(self) -> Path:
        return Path(self.settings.data_dir) / "minutes"

    def close(self) -> None:
        self.database.close()


def database_url_for(settings: Settings, explicit: str | None = None) -> str:
    """The URL to open: ``explicit`` (``--database``), the configured one, or SQLite in
    ``data_dir``, whose folder is created here and only here: a URL someone typed must
    name a folder that exists (a typo is an error, not a new empty database)."""
    url = explicit or settings.configured_database_url()
    if url:
        return url
    make_data_dir(settings.data_dir)
    return settings.database_url_or_default()


def build_core(settings: Settings, secrets: Secrets | None = None,
               database_url: str | None = None,
               agenda_source: AgendaSource | None = None,
               commands: CommandTable = COMMANDS,
               observer: Observer | None = None) -> Core:
    """Open the database (migrating it) and make the handler for this config; with an
    ``observer``, the handler reports each event to it (``gavel serve``'s metrics)."""
    secrets = secrets if secrets is not None else Secrets.from_environment()
    database = Database.open(database_url_for(settings, database_url))
    minutes_dir = str(Path(settings.data_dir) / "minutes")
    github, publisher = None, None
    if any(g.orgs or g.minutes_repo or g.issue_repo or g.actions_repo for g in settings.groups):
        from bot.github.client import client_from_settings

        github = client_from_settings(settings, secrets)
    if github is not None:
        from bot.github.agenda import GitHubAgenda
        from bot.github.publishing import Publisher

        if agenda_source is None and any(g.orgs and g.labels for g in settings.groups):
            agenda_source = GitHubAgenda(github)
        if any(g.minutes_repo for g in settings.groups):
            publisher = Publisher(github, database, settings)
    action_issues = None
    if github is not None and any(g.actions_repo for g in settings.groups):
        from bot.github.action_issues import ActionIssues

        action_issues = ActionIssues(github, database, settings)
    hackmd = None
    if secrets.hackmd_api_token and any(g.uses_hackmd for g in settings.groups):
        from bot.hackmd.client import HackMD
        from bot.hackmd.minutes_source import NoteMinutes

        hackmd = HackMD(secrets.hackmd_api_token, settings.hackmd.api_url,
                        settings.hackmd.timeout_seconds)
        if publisher is not None:
            publisher.minutes_source = NoteMinutes(database, settings, hackmd)
    bot = MeetingBot(database, settings, agenda_source=agenda_source, minutes_dir=minutes_dir,
                     publisher=publisher, commands=commands,
                     action_tracker=action_issues) if observer is None else \
        ObservedBot(database, settings, agenda_source=agenda_source, minutes_dir=minutes_dir,
                    publisher=publisher, commands=commands, action_tracker=action_issues,
                    observer=observer)
    return Core(settings, secrets, database, bot, github, publisher, hackmd,
                observer if observer is not None else NoObserver())
