"""``gavel run`` on the console: the reminder loop runs beside it and prints reminders."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest

from adapters.console import ConsoleAdapter, ConsoleSink
from bot.app import build_core
from bot.config import ChannelBinding, Group, Links, Schedule, Settings
from bot.schedules.materialise import materialise
from gavel.service.jobs.beside_console import reminders_in_background

HANG_GUARD = 60.0  # real seconds; only ever reached if the reminder never comes


class WatchedOutput(io.StringIO):
    """The console's output, with a way to wait until some text has been written."""

    def __init__(self) -> None:
        super().__init__()
        self._written = threading.Condition()

    def write(self, text: str) -> int:
        with self._written:
            count = super().write(text)
            self._written.notify_all()
        return count

    def wait_for(self, text: str) -> bool:
        with self._written:
            return self._written.wait_for(lambda: text in self.getvalue(), HANG_GUARD)


def test_console_prints_a_due_reminder_with_links(database_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    due = datetime(2026, 1, 8, 14, 0, tzinfo=UTC)
    monkeypatch.setenv("GAVEL_FAKE_TIME", due.isoformat())  # the clock starts at the due time
    group = Group(name="Security WG", title="Node.js Security team Meeting", reminders=["1h"],
                  links=Links(join="https://zoom.us/j/1"),
                  channels=[ChannelBinding(platform="console", channel="security-wg")],
                  schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
                                    start="2026-01-08T15:00", timezone="UTC"))
    core = build_core(Settings(groups=[group]), database_url=database_url)
    # Planned earlier (the bot ran before), so no real second decides whether it is due.
    materialise(core.database, core.settings, due - timedelta(hours=1))
    out = WatchedOutput()
    console = ConsoleAdapter(core, "alice", stdin=io.StringIO(""), stdout=out)
    try:
        with reminders_in_background(core, {"console": ConsoleSink(console)}):
            assert out.wait_for("gavel> [attached: security-wg.ics]")
    finally:
        core.close()
    text = out.getvalue()
    assert "gavel> Coming up in 1 hour: Node.js Security team Meeting" in text
    assert "gavel> Join: https://zoom.us/j/1" in text
    assert "gavel> Add to Google Calendar: https://calendar.google.com/" in text
    assert "gavel> [attached: security-wg.ics]" in text
    assert "gavel> Your time: Thu 08 Jan 2026" in text
