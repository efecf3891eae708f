"""The Discord adapter (discord.py): ``/meeting`` app commands, meeting messages, buttons,
voice-channel attendance, scheduled events.

``DiscordService`` is loaded lazily so that ``adapters.discord.invite`` (used by the CLI)
does not pay for importing discord.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.discord.service import DiscordService

__all__ = ["DiscordService"]


def __getattr__(name: str) -> Any:
    if name == "DiscordService":
        from adapters.discord.service import DiscordService

        return DiscordService
    raise AttributeError(name)
