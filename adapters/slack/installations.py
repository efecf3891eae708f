"""Multi-workspace installs: slack_sdk's SQLAlchemy installation and OAuth state stores on
Gavel's own database.

slack_sdk ships both a sync store and an async one; the async one needs an async engine
(greenlet and an async driver), while Gavel's engine is sync (psycopg, sqlite). So the sync
stores run on the same engine, in a worker thread, behind the async interfaces Bolt's
``AsyncApp`` asks for. Their tables (``slack_installations``, ``slack_bots``,
``slack_oauth_states``) belong to slack_sdk, which creates them when OAuth is enabled.

``/slack/install`` is public, so both stores are guarded: installations only from the
workspaces the operator allowed, and OAuth states that expire, are swept, and are issued at
a bounded rate (each anonymous GET of the install page would otherwise add a row for good).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from logging import Logger, getLogger
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.store import Database
from bot.store.slack_rows import consume_state, create_state_table, issue_state

STATE_EXPIRATION_SECONDS = 600
# New install attempts (OAuth states) per minute, across replicas: far above people
# installing an app, far below a script filling the table.
STATES_PER_MINUTE = 30

Now = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WorkspaceNotAllowed(BoltError):
    """An install from a workspace the operator has not listed in ``[slack] allowed_teams``."""

    def __init__(self, team: str) -> None:
        super().__init__(f"Slack workspace {team} is not allowed to install Gavel")
        self.team = team


class TooManyInstallAttempts(Exception):
    """More install attempts this minute than ``STATES_PER_MINUTE``: answered with 429."""


class DatabaseInstallationStore(AsyncInstallationStore):
    """Installations (bot tokens per workspace) kept in Gavel's database, for the allowed
    workspaces only (``allowed`` is None: any workspace, the operator's explicit choice).
    A workspace taken off the list is no longer served even if its token is stored."""

    def __init__(self, client_id: str, database: Database,
                 allowed: Collection[str] | None = None) -> None:
        # slack_sdk's own store, with its own tables, on Gavel's engine.
        self.sync = SQLAlchemyInstallationStore(client_id=client_id, engine=database.engine)
        self.allowed = None if allowed is None else frozenset(allowed)

    def admits(self, enterprise_id: str | None, team_id: str | None) -> bool:
        return self.allowed is None or bool({enterprise_id, team_id} & self.allowed)

    @property
    def logger(self) -> Logger:
        return self.sync.logger

    def create_tables(self) -> None:
        self.sync.create_tables()

    async def async_save(self, installation: Installation) -> None:
        if not self.admits(installation.enterprise_id, installation.team_id):
            raise WorkspaceNotAllowed(str(installation.team_id or installation.enterprise_id))
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        if not self.admits(bot.enterprise_id, bot.team_id):
            raise WorkspaceNotAllowed(str(bot.team_id or bot.enterprise_id))
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        if not self.admits(enterprise_id, team_id):
            return None
        return await asyncio.to_thread(self.sync.find_bot, enterprise_id=enterprise_id,
                                       team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
        if not self.admits(enterprise_id, team_id):
            return None
        return await asyncio.to_thread(self.sync.find_installation, enterprise_id=enterprise_id,
                                       team_id=team_id, user_id=user_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_delete_bot(self, *, enterprise_id: str | None,
                               team_id: str | None) -> None:
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id,
                                team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        await asyncio.to_thread(self.sync.delete_installation, enterprise_id=enterprise_id,
                                team_id=team_id, user_id=user_id)

    async def async_delete_all(self, *, enterprise_id: str | None,
                               team_id: str | None) -> None:
        await asyncio.to_thread(self.sync.delete_all, enterprise_id=enterprise_id,
                                team_id=team_id)


class DatabaseStateStore(AsyncOAuthStateStore):
    """OAuth ``state`` values (one per install attempt) in Gavel's database, so the
    redirect may land on any replica.

    slack_sdk's own store never deletes a state nobody came back with, and the install page
    is public: every anonymous GET added a row for good. Here each issue first sweeps the
    expired states, then refuses (``TooManyInstallAttempts``) once ``per_minute`` states
    were issued in the last minute, so the table holds at most ``per_minute`` times the
    minutes a state lives. ``now`` is the clock (tests move it)."""

    def __init__(self, database: Database,
                 expiration_seconds: int = STATE_EXPIRATION_SECONDS,
                 per_minute: int = STATES_PER_MINUTE, now: Now = _utc_now) -> None:
        self.database = database
        self.lifetime = timedelta(seconds=expiration_seconds)
        self.per_minute = per_minute
        self.now = now
        self._logger = getLogger("gavel.slack.install")

    @property
    def logger(self) -> Logger:
        return self._logger

    def create_tables(self) -> None:
        create_state_table(self.database)

    def _naive_now(self) -> datetime:
        # slack_sdk's column is a naive DateTime holding UTC.
        return self.now().astimezone(UTC).replace(tzinfo=None)

    def issue(self) -> str:
        state = str(uuid.uuid4())
        with self.database.transaction() as store:
            recent = issue_state(store, state, self._naive_now(), self.lifetime,
                                 self.per_minute)
        if recent is not None:
            raise TooManyInstallAttempts(
                f"{recent} install attempts in the last minute (at most {self.per_minute})")
        return state

    def consume(self, state: str) -> bool:
        """True once for a live state; the row goes either way."""
        with self.database.transaction() as store:
            return consume_state(store, state, self._naive_now())

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.consume, state)
