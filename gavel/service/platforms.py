"""What the service needs of a platform adapter, and which adapter serves which platform.

The adapters satisfy ``PlatformService`` structurally and never import this module: the
service depends on them, not the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import Core
    from bot.effects import Effect


class PlatformService(Protocol):
    """What ``serve`` needs of an adapter: start, stop, post effects unprompted, and a
    hook to call when its connection is lost for good (``serve`` then stops, so that the
    supervisor restarts the process rather than leave a bot that hears nothing)."""

    platform: str
    on_failure: Callable[[], None] | None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, effects: list[Effect]) -> None: ...


ServiceFactory = Callable[["Core", "web.Application"], PlatformService]


def factory(platform: str) -> ServiceFactory:
    """The adapter of ``platform``; each imports its own SDK only when chosen."""
    if platform == "slack":
        from adapters.slack import SlackService

        return SlackService
    if platform == "discord":
        from adapters.discord.service import DiscordService

        return DiscordService
    raise ValueError(f"unknown platform {platform!r}")


def is_connected(service: PlatformService) -> bool:
    """A service's own ``connected`` flag, or a Discord client's ``is_ready()``."""
    flag = getattr(service, "connected", None)
    if flag is not None:
        return bool(flag)
    is_ready = getattr(getattr(service, "client", None), "is_ready", None)
    return bool(is_ready()) if callable(is_ready) else True
