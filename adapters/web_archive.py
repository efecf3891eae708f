"""The web archive's routes: ``/archive/<token>/`` (a group's page, found by its secret
archive token), ``/archive/<token>/meetings/<id>`` (one meeting, past or running: a
running one's page follows it live, ``adapters.web_live``), and the same under
``/groups/<slug>/`` for groups that set ``archive = "public"``.

Read by whoever holds the link, so, as for the calendar feed:
- the token is compared in constant time against every token (no early exit); an unknown
  token, a private group's ``/groups/`` path, a meeting of another group: one same 404;
- nothing here writes; the pages are built on a small thread pool of this module's own,
  at most ``MAX_RUNNING`` at once, so a crowd of GETs cannot starve Slack's handlers;
- every answer forbids scripts and anything from another origin (Content-Security-Policy)
  and sends no Referer: following a link in the minutes must not hand the token on. A
  running meeting's page alone runs a script: its own inline one, allowed by its hash,
  which may open the page's event stream on this server and nothing else.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiohttp import web

from adapters.web_keys import CORE_KEY
from bot.app import Core
from bot.archive.pages import LIVE_SCRIPT_HASH, MeetingPage, group_page, meeting_view
from bot.calendars.ics import group_slug
from bot.config import Group
from bot.store.tokens import ARCHIVE, tokens

TOKENS_SECONDS = 60.0  # a new token works within a minute
WORKER_THREADS = 2
MAX_RUNNING = 8
NO_ARCHIVE = "no such archive\n"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

T = TypeVar("T")


class ArchiveRoutes:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.executor = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="gavel-archive")
        self._running = asyncio.Semaphore(MAX_RUNNING)
        self._tokens: tuple[float, list[tuple[bytes, str]]] = (0.0, [])

    async def close(self, _app: web.Application | None = None) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _in_thread(self, work: Callable[[], T]) -> T:
        async with self._running:
            return await asyncio.get_running_loop().run_in_executor(self.executor, work)

    async def _group_by_token(self, token: str) -> Group | None:
        expires, known = self._tokens
        if expires <= time.monotonic():
            def load() -> list[tuple[bytes, str]]:
                with self.core.database.transaction() as store:
                    return [(t.encode(), name)
                            for name, t in tokens(store, ARCHIVE).items()]

            known = await self._in_thread(load)
            self._tokens = (time.monotonic() + TOKENS_SECONDS, known)
        wanted = token.encode("utf-8", "replace")
        found = ""
        for candidate, name in known:
            if hmac.compare_digest(candidate, wanted):
                found = name
        return self.core.settings.group_named(found) if found else None

    async def _group(self, request: web.Request) -> Group:
        """The group the path names, by token or (public groups only) by slug."""
        info = request.match_info
        if "token" in info:
            group = await self._group_by_token(info["token"])
        else:
            group = next((g for g in self.core.settings.groups if g.archive == "public"
                          and group_slug(g.name) == info["slug"]), None)
        if group is None:
            raise web.HTTPNotFound(text=NO_ARCHIVE)
        return group

    def _page(self, html: str, group: Group, live: bool = False) -> web.Response:
        headers = dict(HEADERS)
        private = group.archive != "public"
        if private:
            headers["X-Robots-Tag"] = "noindex, nofollow"
        cache = "max-age=60"
        if live:  # a running meeting's page: its own script, its own event stream, no cache
            headers["Content-Security-Policy"] += (f"; script-src '{LIVE_SCRIPT_HASH}'; "
                                                   "connect-src 'self'")
            cache = "no-cache"
        headers["Cache-Control"] = f"private, {cache}" if private else cache
        return web.Response(text=html, content_type="text/html", charset="utf-8",
                            headers=headers)

    async def group_page(self, request: web.Request) -> web.Response:
        group = await self._group(request)

        def build() -> str:
            with self.core.database.transaction() as store:
                return group_page(store, group)

        return self._page(await self._in_thread(build), group)

    async def add_slash(self, request: web.Request) -> web.Response:
        """``/archive/<token>`` -> ``.../`` (the pages' links are relative to it)."""
        await self._group(request)
        raise web.HTTPMovedPermanently(request.path + "/")

    async def meeting_page(self, request: web.Request) -> web.Response:
        group = await self._group(request)
        wanted = request.match_info["meeting"]
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) < 12):
            raise web.HTTPNotFound(text=NO_ARCHIVE)

        def build() -> MeetingPage | None:
            with self.core.database.transaction() as store:
                return meeting_view(store, group, int(wanted))

        page = await self._in_thread(build)
        if page is None:
            raise web.HTTPNotFound(text=NO_ARCHIVE)
        return self._page(page.html, group, live=page.running)


def add_archive_routes(app: web.Application) -> ArchiveRoutes:
    routes = ArchiveRoutes(app[CORE_KEY])
    for prefix in ("/archive/{token}", "/groups/{slug}"):
        app.router.add_get(prefix, routes.add_slash)
        app.router.add_get(prefix + "/", routes.group_page)
        app.router.add_get(prefix + "/meetings/{meeting}", routes.meeting_page)
    app.on_cleanup.append(routes.close)
    return routes
