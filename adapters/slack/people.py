"""Display names from ``users.info``, cached.

Every message in a meeting needs its author's name (and the names of those it mentions);
asking Slack each time would cost a Web API call per line and hit the per-method rate
limit (Tier 4, about 100 a minute) in a busy meeting. Names change rarely, so they are kept
for an hour, and concurrent look-ups of one person share a single request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("gavel.slack.people")

NAME_TTL_SECONDS = 3600.0


def display_name(user: dict[str, Any]) -> str:
    """The name Slack shows: the display name if set, else the real name, else the handle."""
    profile = user.get("profile") or {}
    for candidate in (profile.get("display_name"), profile.get("real_name"),
                      user.get("real_name"), user.get("name")):
        if candidate and str(candidate).strip():
            return str(candidate).strip()
    return str(user.get("id", ""))


class People:
    """Names of Slack users by (workspace, user id), looked up once an hour at most."""

    def __init__(self, ttl: float = NAME_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._names: dict[tuple[str, str], tuple[float, str]] = {}
        self._pending: dict[tuple[str, str], asyncio.Future[str | None]] = {}

    async def names(self, client: AsyncWebClient, team_id: str, user_ids: Iterable[str],
                    token: str | None = None) -> dict[str, str]:
        """Names of ``user_ids`` (those Slack does not know are left out)."""
        wanted = [u for u in dict.fromkeys(user_ids) if u]
        now = self.clock()
        cached = {u: self._names.get((team_id, u)) for u in wanted}
        if all(c is not None and now - c[0] < self.ttl for c in cached.values()):
            return {u: c[1] for u, c in cached.items() if c is not None}  # no await: no wait
        found = await asyncio.gather(*(self.name(client, team_id, u, token) for u in wanted))
        return {uid: name for uid, name in zip(wanted, found, strict=True) if name}

    async def name(self, client: AsyncWebClient, team_id: str, user_id: str,
                   token: str | None = None) -> str | None:
        key = (team_id, user_id)
        cached = self._names.get(key)
        if cached is not None and self.clock() - cached[0] < self.ttl:
            return cached[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            name = await self._look_up(client, user_id, token)
            if name is not None:
                self._names[key] = (self.clock(), name)
            elif cached is not None:
                name = cached[1]  # Slack is unreachable: a stale name beats an id
            future.set_result(name)
            return name
        finally:
            if not future.done():
                future.set_result(None)
            del self._pending[key]

    def forget(self, team_id: str, user_id: str) -> None:
        """Drop a cached name (a ``user_change`` event says it changed)."""
        self._names.pop((team_id, user_id), None)

    async def _look_up(self, client: AsyncWebClient, user_id: str,
                       token: str | None) -> str | None:
        try:
            response = await client.users_info(user=user_id, token=token)
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            return None
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            log.warning("users.info for %s failed: %s", user_id, type(exc).__name__)
            return None
        return display_name(response.get("user") or {})
