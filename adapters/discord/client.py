"""The discord.py client: intents, shards, the app-command tree and its per-guild sync.

Always an ``AutoShardedClient``: one shard for a small bot, and for large deployments
``[discord] shard_ids``/``shard_count`` split the guilds across processes (each process
owns its shard range and the shared PostgreSQL keeps them consistent).

Commands are registered per guild (guild commands appear at once; global ones take up
to an hour) and only when the tree changed: the tree's hash is stored per guild, so a
restart costs no command requests, and Discord's daily command-create limit is safe.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands import build_meeting_group
from adapters.discord.listener import DiscordListener
from adapters.discord.render import NO_MENTIONS
from adapters.discord.views import ActionButton
from bot.config import DiscordSettings
from bot.store import Database
from bot.store import discord_rows as state

log = logging.getLogger("gavel.discord")


def build_intents(message_content: bool) -> discord.Intents:
    """The default intents (guilds, messages, voice states, scheduled events), plus the
    privileged message-content intent when asked for; never members or presences."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    intents.typing = False
    intents.dm_typing = False
    return intents


class GavelClient(discord.AutoShardedClient):
    """A thin client: every event is handed to the service (``self.gavel``, a
    ``DiscordListener``)."""

    def __init__(self, service: DiscordListener, settings: DiscordSettings, *,
                 message_content: bool, **options: Any) -> None:
        if settings.shard_ids is not None:  # absent, not None: discord.py then runs them all
            options["shard_ids"] = settings.shard_ids
        super().__init__(intents=build_intents(message_content),
                         shard_count=settings.shard_count, allowed_mentions=NO_MENTIONS,
                         **options)
        self.gavel = service
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(build_meeting_group(service, service.core.bot.commands))
        self.tree.on_error = self._on_app_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        # Buttons posted before a restart keep working: routed by their custom_id.
        self.add_dynamic_items(ActionButton)

    async def on_ready(self) -> None:
        await self.gavel.on_ready()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await sync_commands(self, self.gavel.core.database, [guild])

    async def on_message(self, message: discord.Message) -> None:
        await self.gavel.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.gavel.on_raw_message_edit(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.gavel.on_raw_message_delete(payload)

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        if event == "voice_state_update":
            self.gavel.voice.observe(*args)  # must read the states before they change
        super().dispatch(event, *args, **kwargs)

    async def _on_app_command_error(self, interaction: discord.Interaction,
                                    error: app_commands.AppCommandError) -> None:
        log.error("/%s failed: %s", interaction.command.qualified_name
                  if interaction.command else "?", error, exc_info=error)
        text = "Sorry, that failed on my side; it has been logged. Please try again."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True,
                                                        allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            pass  # the interaction expired: nothing more we can say


def tree_hash(tree: app_commands.CommandTree[Any]) -> str:
    """A stable hash of the command payload Discord would receive."""
    payload = sorted((c.to_dict(tree) for c in tree.get_commands()),
                     key=lambda c: str(c.get("name")))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _load_hashes(database: Database) -> dict[str, str]:
    with database.transaction() as store:
        return state.synced_hashes(store)


def _save_hash(database: Database, guild_id: int, digest: str) -> None:
    with database.transaction() as store:
        state.record_sync(store, str(guild_id), digest, datetime.now(UTC))


async def sync_commands(client: GavelClient, database: Database,
                        guilds: Iterable[discord.Guild]) -> list[int]:
    """Register the commands in each guild whose stored hash differs; the ids synced."""
    digest = tree_hash(client.tree)
    known = await asyncio.to_thread(_load_hashes, database)
    synced = []
    for guild in guilds:
        if known.get(str(guild.id)) == digest:
            continue
        client.tree.copy_global_to(guild=guild)
        try:
            await client.tree.sync(guild=guild)
        except discord.Forbidden:
            log.warning("cannot register /meeting in guild %s (%s): re-invite the bot with "
                        "the applications.commands scope (gavel discord invite-url)",
                        guild.id, guild.name)
            continue
        finally:
            # Dispatch falls back to the global copy; no per-guild copies kept in memory.
            client.tree.clear_commands(guild=guild)
        await asyncio.to_thread(_save_hash, database, guild.id, digest)
        synced.append(guild.id)
    if synced:
        log.info("registered /meeting in %d guild(s)", len(synced))
    return synced
