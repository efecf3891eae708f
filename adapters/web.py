"""The one aiohttp web server: health checks, and routes that adapters add (Slack's
events endpoint, the calendar feed)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.app import Core

CORE_KEY = web.AppKey("core", Core)
HEALTH_TIMEOUT_SECONDS = 2.0


def build_web_app(core: Core) -> web.Application:
    app = web.Application()
    app[CORE_KEY] = core
    app.router.add_get("/healthz", healthz)
    from adapters.web_calendar import add_calendar_routes  # imports this module: lazily

    add_calendar_routes(app)
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
        return web.json_response({"ok": False, "error": type(exc).__name__}, status=503)
    return web.json_response({"ok": True})
