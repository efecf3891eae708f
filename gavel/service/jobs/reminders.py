"""Running the reminder loop next to the adapters: as a ``serve`` background job, in a
thread beside the console, or alone (``gavel reminder-loop``) with a file as the sink.

The loop itself (timers, claims, retries) lives in ``bot.reminders``; this module only
hands it the platforms' sinks and a clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import Core
from bot.effects import Effect, Post
from bot.observe import Observer
from bot.ports import EffectSink
from bot.reminders.loop import FireStats, ReminderPolicy, ReminderService
from bot.schedules.clock import Clock, SteppedClock, clock_from_environment

log = logging.getLogger("gavel.reminders")


def reminder_service(core: Core, sinks: Mapping[str, EffectSink], clock: Clock | None = None,
                     policy: ReminderPolicy | None = None, worker: str | None = None
                     ) -> ReminderService:
    return ReminderService(core.database, core.settings, sinks,
                           clock=clock or clock_from_environment(),
                           agenda_source=core.bot.agenda_source, policy=policy, worker=worker)


class ObservedStats(FireStats):
    """The loop's outcome counts, passed on to the metrics as they happen."""

    def __init__(self, observer: Observer) -> None:
        super().__init__()
        self.observer = observer

    def count(self, outcome: str) -> None:
        super().count(outcome)
        self.observer.reminder(outcome)


class LogSink:
    """Where ``serve`` posts reminders for the console (nobody sits at one when serving),
    and every reminder when no platform runs: one log line each, so a calendar-only
    deployment shows what it would have posted."""

    platform = "console"

    async def deliver(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Post):
                log.info("reminder for %s:%s: %s", effect.place.platform,
                         effect.place.channel, effect.text)


def serve_sinks(services: Mapping[str, Any]) -> dict[str, EffectSink]:
    """The running platforms, and the log for the console."""
    return {"console": LogSink(), **services}


def serve_reminders(core: Core, services: Mapping[str, Any],
                    clock: Clock | None = None) -> ReminderService:
    service = reminder_service(core, serve_sinks(services), clock=clock)
    service.stats = ObservedStats(core.observer)
    return service


async def reminder_job(core: Core, services: Mapping[str, Any]) -> None:
    """``serve``'s background job: reminders to every running platform, until cancelled
    (then posts under way finish and are marked, see ``ReminderService.stop``)."""
    await serve_reminders(core, services).run()


def stepped_reminder_job(start: datetime) -> Callable[[Core, Mapping[str, Any]],
                                                         Coroutine[Any, Any, None]]:
    """``gavel serve --step-clock``: the reminder job on a clock standing at ``start`` that
    moves only to the instants read from stdin (``gavel reminder-loop --step-clock``'s
    protocol: ``ready T`` once planned, ``at T`` once all due by ``T`` is handled)."""

    async def job(core: Core, services: Mapping[str, Any]) -> None:
        clock = SteppedClock(start)
        await run_stepped(serve_reminders(core, services, clock), clock)

    return job


def parse_instant(text: str) -> datetime:
    """An ISO instant, in UTC when it names no zone; ValueError with a readable message."""
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not an ISO instant (e.g. "
                         "2026-01-08T14:00:00+00:00)") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


async def run_stepped(service: ReminderService, clock: SteppedClock) -> None:
    """``--step-clock``: plan at the start instant, then move the clock to each instant
    read from stdin, handling everything due by it before saying so; until stdin ends.
    (Here rather than in the command line: ``gavel serve --step-clock`` runs it too.)"""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def push(line: str) -> None:
        with suppress(RuntimeError):  # the loop has ended
            loop.call_soon_threadsafe(lines.put_nowait, line)

    def pump() -> None:  # a daemon thread: a signal must not wait for stdin to end
        for line in sys.stdin:
            push(line)
        push("")

    service.start()
    try:
        await service.refresh()
        refreshed = clock.now()
        await service.settle(refreshed)
        print(f"ready {refreshed.isoformat()}", flush=True)
        threading.Thread(target=pump, name="gavel-clock-steps", daemon=True).start()
        while line := await lines.get():
            if not line.strip():
                continue
            try:
                clock.set(parse_instant(line))
            except ValueError as exc:
                print(f"gavel reminder-loop: {exc}", file=sys.stderr)
                continue
            if clock.now() - refreshed >= service.policy.refresh_every:
                await service.refresh()
                refreshed = clock.now()
            await service.settle(clock.now())
            print(f"at {clock.now().isoformat()}", flush=True)
    finally:
        await service.stop()


class FileSink:
    """Appends each post as a JSON line: for dry runs, and for tests counting posts."""

    def __init__(self, platform: str, path: Path) -> None:
        self.platform = platform
        self.path = path
        self._lock = threading.Lock()

    async def deliver(self, effects: list[Effect]) -> None:
        lines = []
        for effect in effects:
            if isinstance(effect, Post):
                lines.append(json.dumps({
                    "platform": effect.place.platform, "channel": effect.place.channel,
                    "workspace": effect.place.workspace, "text": effect.text,
                    "when": effect.when.astimezone(UTC).isoformat() if effect.when else None,
                    "purpose": effect.purpose,
                    "attachment": effect.attachment.filename if effect.attachment else None,
                }))
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
