"""What the client and the command tree hand their events to: the ``DiscordService``, as
seen from below.

A protocol rather than the class, so that ``client`` and ``commands`` (which the service
builds) never import the service back: the service imports them, and nothing closes the
loop, not even for type checking.
"""

from __future__ import annotations

from typing import Protocol

import discord

from adapters.discord.voice import VoiceAttendance
from bot.app import Core


class DiscordListener(Protocol):
    core: Core
    voice: VoiceAttendance

    async def on_ready(self) -> None: ...

    async def on_message(self, message: discord.Message) -> None: ...

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None: ...

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None: ...

    async def run_command(self, interaction: discord.Interaction, name: str,
                          options: dict[str, str], mentions: dict[str, str]) -> None: ...

    async def suggestions(self, source: str, interaction: discord.Interaction
                          ) -> list[tuple[str, str]]: ...
