"""``/readyz`` and ``/metrics``: the routes only the long-running service has (the web
server itself, with ``/healthz`` and the adapters' routes, is ``adapters.web``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from adapters.web import HEALTH_TIMEOUT_SECONDS
from bot.app import Core
from gavel.service.metrics import CONTENT_TYPE, Metrics


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
