"""The one aiohttp web server: health checks, and routes that adapters add (Slack's
events endpoint, the calendar feed, the archive and its live meeting pages); ``gavel
serve`` adds ``/readyz`` and ``/metrics`` (``gavel.service.routes``)."""

from __future__ import annotations

import asyncio
import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from adapters.web_archive import add_archive_routes
from adapters.web_calendar import add_calendar_routes
from adapters.web_keys import CORE_KEY
from adapters.web_live import add_live_routes
from bot.app import Core

__all__ = ["CORE_KEY", "build_web_app", "healthz", "runner_for"]

HEALTH_TIMEOUT_SECONDS = 2.0


# Path segments that are secrets: a feed's token, a short calendar link's token, an
# archive's token.
_SECRET_PATHS = re.compile(r"^/(calendar|c|archive)/[^/?]+")


class RedactedAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without the tokens in feed and calendar-link paths: whoever
    reads the log must not be able to subscribe to a group's feed."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse,
            time: float) -> None:
        path = _SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/<token>", request.path)
        self.logger.info("%s %s %s %.1f ms", request.method, path, response.status,
                         time * 1000)


def runner_for(app: web.Application) -> web.AppRunner:
    """The runner the service serves ``app`` with: its access log names no token."""
    return web.AppRunner(app, access_log_class=RedactedAccessLogger,
                         access_log=logging.getLogger("aiohttp.access"))


def build_web_app(core: Core) -> web.Application:
    app = web.Application()
    app[CORE_KEY] = core
    app.router.add_get("/healthz", healthz)
    add_calendar_routes(app)
    add_live_routes(app, add_archive_routes(app))
    return app


async def healthz(request: web.Request) -> web.Response:
    """Alive and able to reach the database."""
    core = request.app[CORE_KEY]

    def probe() -> None:
        with core.database.transaction() as store:
            store.meetings(limit=1)

    try:
        # In a thread, with a deadline: a database that hangs must not freeze the loop
        # that also answers Slack and heartbeats Discord.
        await asyncio.wait_for(asyncio.to_thread(probe), HEALTH_TIMEOUT_SECONDS)
    except Exception as exc:  # the probe reports any failure rather than crash
        core.observer.database_error("healthz")
        return web.json_response({"ok": False, "error": type(exc).__name__}, status=503)
    return web.json_response({"ok": True})
