"""Multi-workspace installs: slack_sdk's SQLAlchemy installation and OAuth state stores on
Gavel's own database.

slack_sdk ships both a sync store and an async one; the async one needs an async engine
(greenlet and an async driver), while Gavel's engine is sync (psycopg, sqlite). So the sync
stores run on the same engine, in a worker thread, behind the async interfaces Bolt's
``AsyncApp`` asks for. Their tables (``slack_installations``, ``slack_bots``,
``slack_oauth_states``) belong to slack_sdk, which creates them when OAuth is enabled.
"""

from __future__ import annotations

import asyncio
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

STATE_EXPIRATION_SECONDS = 600


class DatabaseInstallationStore(AsyncInstallationStore):
    """Installations (bot tokens per workspace) kept in Gavel's database."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)

    @property
    def logger(self) -> Logger:
        return self.sync.logger

    def create_tables(self) -> None:
        self.sync.create_tables()

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await asyncio.to_thread(self.sync.find_bot, enterprise_id=enterprise_id,
                                       team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
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
    redirect may land on any replica."""

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_EXPIRATION_SECONDS
                 ) -> None:
        self.sync = SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds,
                                              engine=engine)

    @property
    def logger(self) -> Logger:
        return self.sync.logger

    def create_tables(self) -> None:
        self.sync.create_tables()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.sync.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.sync.consume, state)
