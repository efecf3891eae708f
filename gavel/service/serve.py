"""``gavel serve``: the web server, every configured platform adapter, and the background
jobs (reminders, planning, pending publications), until SIGTERM or SIGINT.

Shutdown is graceful and bounded (``SHUTDOWN_SECONDS``), in this order:

1. ``/readyz`` answers 503 and the server stops accepting connections: new work goes to
   another replica. Requests already received are answered.
2. The background jobs are cancelled; the reminder loop lets every post under way finish
   and be marked sent, or released for a retry (``ReminderService.stop``). A claim that
   cannot finish in time is left to its lease: another replica takes it when it expires.
3. Events already being handled (Slack's lazy listeners, Discord's dispatch tasks) are
   waited for, so what was acknowledged is also saved and answered.
4. The platform connections are closed, and the process exits 0.

A second SIGTERM (or SIGINT) exits at once, as does a shutdown that overruns its budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from adapters.web import build_web_app, runner_for
from bot.app import Core
from gavel.service.jobs.table import JOBS, Job
from gavel.service.metrics import Metrics
from gavel.service.platforms import PlatformService, ServiceFactory, factory, is_connected
from gavel.service.routes import Readiness, add_service_routes

log = logging.getLogger("gavel.serve")

SHUTDOWN_SECONDS = 8.0  # the drain's budget; Docker's default stop timeout is 10 s
FORCED_EXIT = 128 + signal.SIGTERM  # the code of an exit that did not finish the drain


async def run(core: Core, platforms: Sequence[str], stop: asyncio.Event | None = None,
              port: int | None = None,
              factories: Mapping[str, ServiceFactory] | None = None,
              metrics: Metrics | None = None,
              jobs: Sequence[Job] | None = None,
              on_listening: Callable[[str], None] | None = None,
              shutdown_seconds: float = SHUTDOWN_SECONDS) -> None:
    """Serve until ``stop`` is set, then shut down gracefully (see the module's text).

    ``factories`` replaces the built-in adapter of a platform (tests pass one built with a
    clock or back-off they control); ``jobs`` replaces ``JOBS``;
    ``on_listening`` is told the server's address once it listens."""
    stop = stop or asyncio.Event()
    metrics = metrics or Metrics()
    app = build_web_app(core)
    chosen = factories or {}
    services = {p: (chosen.get(p) or factory(p))(core, app) for p in platforms}
    readiness = Readiness(core, lambda: {p: is_connected(s) for p, s in services.items()})
    add_service_routes(app, readiness, metrics)
    runner = runner_for(app)
    await runner.setup()
    host = core.settings.web.host
    site = web.TCPSite(runner, host, core.settings.web.port if port is None else port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound}"
    log.warning("web server on %s:%s; platforms: %s", host, bound,
                ", ".join(platforms) or "none (reminders for the console go to the log)")
    if on_listening is not None:
        on_listening(address)
    tasks: list[asyncio.Task[None]] = []
    baseline: set[asyncio.Task[Any]] | None = None  # None: start-up never finished
    try:
        for service in services.values():
            service.on_failure = stop.set
            await service.start()
        if services:  # (they hear chat: the first command of each kind is made cheap)
            core.bot.warm_up_in_background()
        tasks = [asyncio.create_task(job.run(core, services), name=f"job {job.name}")
                 for job in (JOBS if jobs is None else jobs)]
        for task in tasks:
            task.add_done_callback(lambda done: _job_ended(done, stop))
        baseline = asyncio.all_tasks()
        readiness.started = True
        await stop.wait()
    finally:
        readiness.stopping = True
        await _shut_down(runner, tasks, services, baseline, shutdown_seconds)


async def _shut_down(runner: web.AppRunner, jobs: list[asyncio.Task[None]],
                     services: Mapping[str, PlatformService],
                     baseline: set[asyncio.Task[Any]] | None, budget: float) -> None:
    deadline = time.monotonic() + budget

    def left() -> float:
        return max(0.1, deadline - time.monotonic())

    log.warning("stopping: no new work; finishing what is under way (at most %.0f s)", budget)
    # 1. No new connections; requests already in are answered, idle connections closed.
    for site in list(runner.sites):
        await site.stop()
    if runner.server is not None:
        runner.server.pre_shutdown()
        await runner.server.shutdown(left())
    # 2. The jobs: the reminder loop finishes (or releases) the posts it has claimed.
    for task in jobs:
        task.cancel()
    if jobs:
        _, late = await asyncio.wait(jobs, timeout=left())
        if late:
            log.error("%d background job(s) did not stop in time; a reminder they held is "
                      "taken again by any replica once its claim's lease ends", len(late))
    # 3. Events acknowledged but still being handled (tasks started while serving; none if
    # start-up failed half-way: then every task is a platform's own, stopped in step 4).
    current = asyncio.current_task()
    working = [] if baseline is None else [
        t for t in asyncio.all_tasks() - baseline
        if t is not current and not t.done() and t not in jobs]
    if working:
        _, late = await asyncio.wait(working, timeout=left())
        if late:
            log.error("%d task(s) still running at the deadline were dropped: %s", len(late),
                      ", ".join(sorted(t.get_name() for t in late)))
    # 4. The platform connections, then the rest of the web server.
    for service in services.values():
        try:
            await asyncio.wait_for(service.stop(), left())
        except Exception:
            log.exception("stopping the %s adapter", service.platform)
    await runner.cleanup()
    log.warning("stopped")


def _job_ended(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """A background job that fails stops the bot: one that has silently stopped sending
    reminders is worse than one that stops and is restarted by its supervisor. (A job
    with nothing to do, such as publishing without GitHub, just returns.)"""
    if task.cancelled() or stop.is_set() or task.exception() is None:
        return
    log.error("background job %s ended: %r; stopping so the bot can be restarted",
              task.get_name(), task.exception())
    stop.set()


class Signals:
    """The first SIGTERM/SIGINT starts the graceful shutdown (and a watchdog for its
    budget); a second one ends the process at once."""

    def __init__(self, stop: asyncio.Event, budget: float = SHUTDOWN_SECONDS) -> None:
        self.stop = stop
        self.budget = budget
        self.received = 0

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.on_signal, sig)

    def on_signal(self, sig: int) -> None:
        self.received += 1
        if self.received > 1:
            log.error("%s again: exiting at once", signal.Signals(sig).name)
            _exit_now()
        log.warning("%s: shutting down", signal.Signals(sig).name)
        print("gavel serve: stopping", flush=True)  # for whoever supervises it on stdout
        self.stop.set()
        watchdog = threading.Timer(self.budget + 1.5, self._overran)
        watchdog.daemon = True
        watchdog.start()

    def _overran(self) -> None:
        log.error("shutdown overran its %.0f s budget: exiting now", self.budget)
        _exit_now()


def _exit_now() -> None:
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    sys.stdout.flush()
    os._exit(FORCED_EXIT)


def serve(core: Core, platforms: Sequence[str], metrics: Metrics | None = None,
          jobs: Sequence[Job] | None = None,
          on_listening: Callable[[str], None] | None = None) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        Signals(stop).install(asyncio.get_running_loop())
        await run(core, platforms, stop, metrics=metrics, jobs=jobs, on_listening=on_listening)

    asyncio.run(main())
