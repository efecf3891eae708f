"""The background jobs ``gavel serve`` runs, declared in one place.

Each job is a coroutine function of the core and the running platform services that runs
until cancelled (or returns at once when it has nothing to do, e.g. publishing without
GitHub). A job that fails stops the service (see ``gavel.service.serve``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gavel.service.jobs.hackmd_notes import hackmd_job
from gavel.service.jobs.planning import planning_job
from gavel.service.jobs.publishing import publish_pending_minutes
from gavel.service.jobs.reminders import reminder_job

if TYPE_CHECKING:
    from bot.app import Core
    from gavel.service.platforms import PlatformService

# A coroutine function (not any awaitable): each job becomes an ``asyncio`` task.
BackgroundJob = Callable[["Core", dict[str, "PlatformService"]], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Job:
    """A named background job; the name is its task's, so logs say which one ended."""

    name: str
    run: BackgroundJob


JOBS: tuple[Job, ...] = (
    Job("reminders", reminder_job),  # reminders to every running platform
    Job("hackmd", hackmd_job),  # notes ahead of meetings, live notes during them
    Job("publishing", publish_pending_minutes),  # minutes GitHub refused, retried
    Job("planning", planning_job),  # meeting issues, Discord scheduled events
)


def replacing(jobs: tuple[Job, ...], name: str, run: BackgroundJob) -> list[Job]:
    """``jobs`` with the one called ``name`` running ``run`` instead (e.g. the reminders
    on a stepped clock for ``gavel serve --step-clock``)."""
    if name not in {job.name for job in jobs}:
        raise ValueError(f"no background job named {name!r}")
    return [Job(name, run) if job.name == name else job for job in jobs]
