"""Running the bot as a service: the web server, every configured platform adapter, and
the background jobs (reminders, pending publications), until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from adapters.hackmd_job import hackmd_job
from adapters.reminder_job import reminder_job
from adapters.web import build_web_app, runner_for
from bot.app import Core
from bot.effects import Effect

log = logging.getLogger("gavel.serve")


class PlatformService(Protocol):
    """What ``serve`` needs of an adapter: start, stop, and post effects unprompted."""

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, effects: list[Effect]) -> None: ...


ServiceFactory = Callable[[Core, web.Application], PlatformService]
# A coroutine function (not any awaitable): each job becomes an ``asyncio`` task.
BackgroundJob = Callable[[Core, dict[str, PlatformService]], Coroutine[Any, Any, None]]

# Background jobs register here (reminders, publishing retries); each runs until cancelled.
BACKGROUND_JOBS: list[BackgroundJob] = [reminder_job, hackmd_job]


async def _publish_pending(core: Core, services: dict[str, PlatformService]) -> None:
    from adapters.publish_job import publish_pending_minutes

    await publish_pending_minutes(core, services)


BACKGROUND_JOBS.append(_publish_pending)


async def _planning(core: Core, services: dict[str, PlatformService]) -> None:
    from adapters.planning_job import planning_job

    await planning_job(core, services)


BACKGROUND_JOBS.append(_planning)


def _factory(platform: str) -> ServiceFactory:
    if platform == "slack":
        from adapters.slack import SlackService

        return SlackService
    if platform == "discord":
        from adapters.discord import DiscordService

        return DiscordService
    raise ValueError(f"unknown platform {platform!r}")


async def run(core: Core, platforms: Sequence[str], stop: asyncio.Event | None = None,
              port: int | None = None,
              factories: Mapping[str, ServiceFactory] | None = None) -> None:
    """``factories`` replaces the built-in adapter of a platform (tests pass one built
    with a clock or back-off they control)."""
    stop = stop or asyncio.Event()
    app = build_web_app(core)
    chosen = factories or {}
    services = {p: (chosen.get(p) or _factory(p))(core, app) for p in platforms}
    runner = runner_for(app)
    await runner.setup()
    site = web.TCPSite(runner, core.settings.web.host,
                       core.settings.web.port if port is None else port)
    await site.start()
    log.warning("web server on %s:%s; platforms: %s", core.settings.web.host,
                core.settings.web.port if port is None else port, ", ".join(platforms) or "none")
    jobs: list[asyncio.Task[None]] = []
    try:
        for service in services.values():
            if hasattr(service, "on_failure"):
                service.on_failure = stop.set
            await service.start()
        jobs = [asyncio.create_task(job(core, services)) for job in BACKGROUND_JOBS]
        for task in jobs:
            task.add_done_callback(lambda done: _job_ended(done, stop))
        await stop.wait()
    finally:
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        for service in services.values():
            await service.stop()
        await runner.cleanup()


def _job_ended(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """A background job that fails stops the bot: one that has silently stopped sending
    reminders is worse than one that stops and is restarted by its supervisor. (A job
    with nothing to do, such as publishing without GitHub, just returns.)"""
    if task.cancelled() or stop.is_set() or task.exception() is None:
        return
    log.error("background job %s ended: %r; stopping so the bot can be restarted",
              task.get_name(), task.exception())
    stop.set()


def serve(core: Core, platforms: Sequence[str]) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(core, platforms, stop)

    asyncio.run(main())
