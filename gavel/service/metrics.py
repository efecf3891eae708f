"""``/metrics``: what ``gavel serve`` did, in Prometheus' text format (prometheus-client).

Each ``Metrics`` has a registry of its own, so two services in one process (tests) never
share or clash over counters.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

disable_created_metrics()  # no ``*_created`` twin of every counter: nobody reads them

# Reminder outcomes as ``bot.reminders`` counts them, and the name each has here.
REMINDER_OUTCOMES = {"sent": "posted", "late": "late", "failed": "failed",
                     "missed": "missed", "retry": "retry"}
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The ``bot.observe.Observer`` behind ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("gavel_events_handled", "Events the core handled",
                              ["platform", "kind"], registry=self.registry)
        self.latency = Histogram("gavel_event_handling_seconds",
                                 "Time the core took to handle one event", ["platform"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.reminders = Counter("gavel_reminders", "Reminders by outcome: posted (on time), "
                                 "late (posted late), failed (given up), missed (past the "
                                 "grace), retry (an attempt failed, retried later)",
                                 ["outcome"], registry=self.registry)
        self.publish_failures = Counter("gavel_publish_failures",
                                        "Minutes GitHub did not take (kept, retried later)",
                                        registry=self.registry)
        self.database_errors = Counter("gavel_database_errors",
                                       "Transactions the database refused or could not run",
                                       ["where"], registry=self.registry)
        self.ready = Gauge("gavel_ready", "1 while /readyz answers ready",
                           registry=self.registry)
        for outcome in REMINDER_OUTCOMES.values():  # present at 0 from the start
            self.reminders.labels(outcome)

    def event_handled(self, platform: str, kind: str, seconds: float) -> None:
        self.events.labels(platform, kind).inc()
        self.latency.labels(platform).observe(seconds)

    def reminder(self, outcome: str) -> None:
        name = REMINDER_OUTCOMES.get(outcome)
        if name is not None:
            self.reminders.labels(name).inc()

    def publish_failed(self) -> None:
        self.publish_failures.inc()

    def database_error(self, where: str) -> None:
        self.database_errors.labels(where).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)
