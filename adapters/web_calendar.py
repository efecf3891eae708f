"""``GET /calendar/<feed token>.ics`` (a group's upcoming meetings, for calendar
subscriptions) and ``GET /c/<links token>/<start>/<google|outlook>`` (a short link that
redirects to the add-to-calendar page of one meeting).

Both answer anonymous requests, so:
- the group is found by its random token, compared in constant time against every
  token (no early exit): an unknown token, an old ``/calendar/<group>.ics`` path and a
  group without a schedule all get the same 404 after the same work;
- nothing here writes: feeds are built from the rule or what the planner stored;
- the work runs on a small thread pool of its own, feeds and the token table are cached
  for ``CACHE_SECONDS`` and built once however many ask at once: a crowd of GETs cannot
  take the threads ``/healthz`` and Slack's handlers need.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

from adapters.web_keys import CORE_KEY
from bot.app import Core
from bot.calendars.feed import group_feed
from bot.calendars.ics import group_slug
from bot.calendars.public_links import calendar_target, parse_instant
from bot.config import Group
from bot.schedules.recurrence import ScheduleError, has_schedule
from bot.store.tokens import FEED, LINKS, tokens

CACHE_SECONDS = 60.0  # a new token, or a changed plan, shows within a minute
WORKER_THREADS = 2
MAX_RUNNING = 8  # requests past this wait in the event loop, not in a thread
NO_FEED = "no such calendar feed\n"
NO_LINK = "no such link\n"

T = TypeVar("T")


@dataclass
class _Entry:
    expires: float
    task: asyncio.Future[Any]


class CalendarRoutes:
    """The feed and short-link handlers, with their cache and their own threads."""

    def __init__(self, core: Core, cache_seconds: float = CACHE_SECONDS) -> None:
        self.core = core
        self.cache_seconds = cache_seconds
        self.executor = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="gavel-calendar")
        self._running = asyncio.Semaphore(MAX_RUNNING)
        self._cache: dict[tuple[str, str], _Entry] = {}

    async def close(self, _app: web.Application | None = None) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        async with self._running:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.executor, work, *args)

    async def _cached(self, key: tuple[str, str], build: Callable[[], Awaitable[T]]) -> T:
        """``build()``'s answer, built once per ``cache_seconds`` however many ask; a
        failure is not kept."""
        now = time.monotonic()
        entry = self._cache.get(key)
        if entry is None or entry.expires <= now:
            entry = _Entry(now + self.cache_seconds, asyncio.ensure_future(build()))
            self._cache[key] = entry
        try:
            # Shielded: a client that hangs up must not cancel the others' answer.
            return await asyncio.shield(entry.task)  # type: ignore[no-any-return]
        except Exception:
            if self._cache.get(key) is entry:
                del self._cache[key]
            raise

    async def group_for(self, purpose: str, token: str) -> Group | None:
        """The group whose ``purpose`` token is ``token``: every known token is compared,
        in constant time, whether or not one matched already."""
        def load() -> list[tuple[bytes, str]]:
            with self.core.database.transaction() as store:
                return [(t.encode(), name) for name, t in tokens(store,
                                                                 purpose).items()]

        known = await self._cached(("tokens", purpose), lambda: self._in_thread(load))
        wanted = token.encode("utf-8", "replace")
        found = ""
        for candidate, name in known:
            if hmac.compare_digest(candidate, wanted):
                found = name
        return self.core.settings.group_named(found) if found else None

    async def feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        group = await self.group_for(FEED, name.removesuffix(".ics"))
        if not name.endswith(".ics") or group is None or not has_schedule(group):
            raise web.HTTPNotFound(text=NO_FEED)
        found = group

        def build() -> str:
            return group_feed(self.core.database, found, datetime.now(UTC))

        try:
            text = await self._cached(("feed", group.name), lambda: self._in_thread(build))
        except ScheduleError as exc:
            raise web.HTTPServiceUnavailable(text=f"{exc}\n") from None
        return web.Response(text=text, content_type="text/calendar", charset="utf-8", headers={
            "Content-Disposition": f'inline; filename="{group_slug(group.name)}.ics"',
            "Cache-Control": "max-age=300"})

    async def short_link(self, request: web.Request) -> web.Response:
        group = await self.group_for(LINKS, request.match_info["token"])
        start = parse_instant(request.match_info["start"])
        if group is None or start is None:
            raise web.HTTPNotFound(text=NO_LINK)

        def target() -> str | None:
            with self.core.database.transaction() as store:
                return calendar_target(store, found, when,
                                       request.match_info["kind"])

        found, when = group, start
        url = await self._in_thread(target)
        if url is None:
            raise web.HTTPNotFound(text=NO_LINK)
        # The header as built: HTTPFound would re-encode the query through yarl.
        return web.Response(status=302, headers={"Location": url})


def add_calendar_routes(app: web.Application) -> None:
    routes = CalendarRoutes(app[CORE_KEY])
    app.router.add_get("/calendar/{name}", routes.feed)
    app.router.add_get("/c/{token}/{start}/{kind}", routes.short_link)
    app.on_cleanup.append(routes.close)
