"""What the core tells an operator's metrics, without knowing how they are kept.

``gavel serve`` passes an ``Observer`` backed by Prometheus (``gavel.service.metrics``); every
other entry point keeps the silent ``NoObserver``. The core counts here, once, what every
platform goes through (``MeetingBot.handle``), so no adapter has to remember to.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from bot.commands.handler import MeetingBot
from bot.effects import Effect, Post, Purpose
from bot.events import Event
from bot.store import StoreError


class Observer(Protocol):
    def event_handled(self, platform: str, kind: str, seconds: float) -> None:
        """One event through the core, however it ended, and how long it took."""

    def reminder(self, outcome: str) -> None:
        """A reminder's outcome: sent, late, failed, missed, retry or taken."""

    def publish_failed(self) -> None:
        """Minutes GitHub did not take (they stay saved, and are retried)."""

    def database_error(self, where: str) -> None:
        """The store could not be reached or refused a transaction."""


class NoObserver:
    """Counts nothing: the console, the CLI and tests that do not read metrics."""

    def event_handled(self, platform: str, kind: str, seconds: float) -> None:
        pass

    def reminder(self, outcome: str) -> None:
        pass

    def publish_failed(self) -> None:
        pass

    def database_error(self, where: str) -> None:
        pass


class ObservedBot(MeetingBot):
    """``MeetingBot`` that reports each event, its latency, database errors and failed
    publications at #endmeeting to an ``Observer``."""

    def __init__(self, *args: Any, observer: Observer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observer = observer

    def handle(self, event: Event, once_key: str = "") -> list[Effect]:
        started = time.perf_counter()
        try:
            effects = super().handle(event, once_key)
        except StoreError:
            self.observer.database_error("event")
            raise
        finally:
            self.observer.event_handled(event.place.platform, event.kind.value,
                                        time.perf_counter() - started)
        if any(isinstance(e, Post) and e.purpose == Purpose.PUBLISH_FAILED for e in effects):
            self.observer.publish_failed()
        return effects
