"""The one aiohttp web server: health checks, and routes that adapters add (Slack's
events endpoint, the calendar feed, the archive and its live meeting pages); under
``gavel serve`` also ``/readyz`` and ``/metrics`` (``add_service_routes``)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from adapters.metrics import CONTENT_TYPE, Metrics
from adapters.web_archive import add_archive_routes
from adapters.web_calendar import add_calendar_routes
from adapters.web_keys import CORE_KEY
from adapters.web_live import add_live_routes
from bot.app import Core

__all__ = ["CORE_KEY", "Readiness", "add_service_routes", "build_web_app", "runner_for"]

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


class Readiness:
    """What ``/readyz`` reports: ready once the schema is at the newest migration and
    every configured platform is connected, until shutdown begins (a load balancer then
    sends new work elsewhere while this replica finishes what it has)."""

    def __init__(self, core: Core, platforms_connected: Callable[[], dict[str, bool]]) -> None:
        self.core = core
        self.platforms_connected = platforms_connected
        self.started = False
        self.stopping = False
        self._schema_current = False  # once true it stays true: migrations never undo

    def schema_current(self) -> bool:
        if not self._schema_current:
            from bot.store.database import schema_is_current

            self._schema_current = schema_is_current(self.core.database.engine)
        return self._schema_current

    async def check(self) -> tuple[bool, dict[str, object]]:
        platforms = self.platforms_connected()
        try:
            schema = await asyncio.wait_for(asyncio.to_thread(self.schema_current),
                                            HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:  # unreachable database: not ready, and say why
            return False, {"ready": False, "error": type(exc).__name__}
        ready = self.started and not self.stopping and schema and all(platforms.values())
        return ready, {"ready": ready, "migrations": "current" if schema else "pending",
                       "platforms": {name: "connected" if up else "connecting"
                                     for name, up in platforms.items()},
                       **({"stopping": True} if self.stopping else {})}


READINESS_KEY = web.AppKey("readiness", Readiness)
METRICS_KEY = web.AppKey("metrics", Metrics)


def add_service_routes(app: web.Application, readiness: Readiness, metrics: Metrics) -> None:
    """``/readyz`` and ``/metrics``."""
    app[READINESS_KEY] = readiness
    app[METRICS_KEY] = metrics
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)


async def readyz(request: web.Request) -> web.Response:
    ready, report = await request.app[READINESS_KEY].check()
    metrics = request.app[METRICS_KEY]
    metrics.ready.set(1 if ready else 0)
    return web.json_response(report, status=200 if ready else 503)


async def metrics_page(request: web.Request) -> web.Response:
    return web.Response(body=request.app[METRICS_KEY].text(),
                        headers={"Content-Type": CONTENT_TYPE})
