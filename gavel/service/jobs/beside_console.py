"""The reminder loop (and the retry of unpublished minutes, and live HackMD notes) beside
the blocking console, on its own event loop in a daemon thread.

Its modules (APScheduler with its executors, the schedules, the calendar links: ~20 ms of
CPU) are loaded in that thread, so ``gavel run`` takes input while they load; nothing here
imports them at the top. Reminders are minutes apart: a loop that is up a few milliseconds
after the prompt misses none.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.schedules.clock import clock_from_environment

if TYPE_CHECKING:
    from bot.app import Core
    from bot.ports import EffectSink

log = logging.getLogger("gavel.reminders")


@contextmanager
def reminders_in_background(core: Core, sinks: Mapping[str, EffectSink]) -> Iterator[None]:
    """Run the loop while the ``with`` body runs; stop it (and wait up to 5 s) after."""
    clock = clock_from_environment()  # a bad $GAVEL_FAKE_TIME stops the start, here
    loop = asyncio.new_event_loop()
    lock = threading.Lock()
    task: asyncio.Task[None] | None = None
    stopped = False

    async def jobs() -> None:
        from gavel.service.jobs.reminders import reminder_service

        running = [reminder_service(core, sinks, clock=clock).run()]
        if core.publisher is not None:  # minutes GitHub refused at #endmeeting, retried
            from gavel.service.jobs.publishing import publish_pending_minutes

            running.append(publish_pending_minutes(core, dict(sinks)))  # type: ignore[arg-type]
        if core.hackmd is not None:  # the meetings' live HackMD notes
            from gavel.service.jobs.hackmd_notes import hackmd_job

            running.append(hackmd_job(core, sinks))
        await asyncio.gather(*running)

    def run() -> None:
        nonlocal task
        asyncio.set_event_loop(loop)
        try:
            with lock:
                if stopped:  # the console ended before this thread began
                    return
                task = loop.create_task(jobs())
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the reminder loop stopped")
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="gavel-reminders", daemon=True)
    thread.start()
    try:
        yield
    finally:
        with lock:
            stopped = True
            if task is not None and not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
        thread.join(timeout=5)
