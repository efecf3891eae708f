"""The reminder loop's clock: the system's, or a fake one a test (or a demo) controls.

A ``ScaledClock`` runs from a chosen instant at a chosen speed, anchored to a real Unix
time so that several processes given the same three numbers share one fake time. Timers
are still real: ``real_delay`` converts a fake-time wait into seconds of real time.

A ``SteppedClock`` moves only when told to: a test (or ``gavel reminder-loop
--step-clock``) decides when each instant arrives, so what happens never depends on how
fast a busy machine runs the processes.
"""

from __future__ import annotations

import math
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def real_delay(self, instant: datetime) -> float:
        """Real seconds from now until the clock shows ``instant`` (negative if past)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_delay(self, instant: datetime) -> float:
        return (instant - self.now()).total_seconds()


class ScaledClock:
    def __init__(self, start: datetime, speed: float = 1.0, anchor: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("the clock's speed must be positive")
        self.start = start.astimezone(UTC)
        self.speed = speed
        self.anchor = time.time() if anchor is None else anchor

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def real_delay(self, instant: datetime) -> float:
        return (instant - self.now()).total_seconds() / self.speed


class SteppedClock:
    """Fake time that stands still until ``set`` moves it forward. A timer for a later
    instant has no real delay (``real_delay`` is infinite): the reminder loop times it
    when a step reaches it (``ReminderService.settle``)."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError(f"the clock shows {self._now.isoformat()}; it cannot go back to "
                             f"{instant.isoformat()}")
        self._now = instant

    def real_delay(self, instant: datetime) -> float:
        return 0.0 if instant <= self._now else math.inf


def clock_from_environment(env: dict[str, str] | None = None) -> Clock:
    """``GAVEL_FAKE_TIME`` (ISO instant), ``GAVEL_CLOCK_SPEED`` and ``GAVEL_CLOCK_ANCHOR``
    (the real Unix time at which the fake clock shows ``GAVEL_FAKE_TIME``)."""
    env = dict(os.environ) if env is None else env
    start = env.get("GAVEL_FAKE_TIME", "")
    if not start:
        return SystemClock()
    instant = datetime.fromisoformat(start.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    anchor = env.get("GAVEL_CLOCK_ANCHOR")
    return ScaledClock(instant, float(env.get("GAVEL_CLOCK_SPEED", "1")),
                       float(anchor) if anchor else None)
