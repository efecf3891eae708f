"""Reaching Slack at start, and again and again while it cannot be reached.

``gavel run`` used to die with a 90-line traceback when Slack (or the network) was down at
the moment it started, taking the web server, the other platforms and the reminder loop
with it. Now an unreachable Slack is tried again with doubling, capped delays, one log
line per attempt, while everything else runs; a token Slack *refuses* is still an error
at once, since no amount of waiting fixes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.errors import SlackApiError

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    """Seconds between attempts: ``first``, doubling up to ``cap``. ``sleep`` waits them
    (tests pass one they control, so no test waits on the wall clock)."""

    first: float = 1.0
    cap: float = 60.0
    sleep: Sleep = field(default=asyncio.sleep)

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.cap)


def unreachable(exc: BaseException) -> bool:
    """A failure that waiting may cure: no connection, a timeout, Slack's 5xx or 429."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return status >= 500 or status == 429
    return isinstance(exc, aiohttp.ClientError | OSError | asyncio.TimeoutError)


def describe(exc: BaseException) -> str:
    """One line naming what failed, never a token (Slack's errors do not carry them)."""
    if isinstance(exc, SlackApiError):
        return f"Slack answered HTTP {getattr(exc.response, 'status_code', '?')}"
    return f"{type(exc).__name__}: {exc}".strip()
