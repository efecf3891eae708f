"""The reminder loop in one process, on both databases: posted once on time, claimed once
by two loops, retried with backoff through a Slack outage, never posted past the grace."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ChannelBinding, Group, Links, Schedule, Settings
from bot.effects import Effect, Post
from bot.reminders import ReminderPolicy, ReminderService
from bot.schedules import rows
from bot.schedules.clock import ScaledClock
from bot.schedules.materialise import materialise
from bot.store import Database
from tests.fakes.slack import BOT_TOKEN, FakeSlack

START = datetime(2026, 1, 8, 13, 59, 58, tzinfo=UTC)  # two seconds before a 1h reminder


def wg(**schedule: object) -> Group:
    return Group(name="Security WG", title="Node.js Security team Meeting",
                 links=Links(join="https://zoom.us/j/1"), reminders=["1h"],
                 channels=[ChannelBinding(platform="slack", channel="C1")],
                 schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
                                   start="2026-01-08T15:00", timezone="UTC", **schedule))  # type: ignore[arg-type]


class ListSink:
    platform = "slack"

    def __init__(self) -> None:
        self.posts: list[Post] = []

    async def deliver(self, effects: list[Effect]) -> None:
        self.posts.extend(e for e in effects if isinstance(e, Post))


class SlackSink:
    """Posts through the real slack_sdk client, as the Slack adapter will."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.attempts: list[float] = []

    async def deliver(self, effects: list[Effect]) -> None:
        self.attempts.append(time.monotonic())
        for effect in effects:
            assert isinstance(effect, Post)
            await self.client.chat_postMessage(channel=effect.place.channel, text=effect.text)


# The clocks run ten times faster than real time: a fake second is 0.1 s.
SPEED = 10.0
FAST = ReminderPolicy(retry_base=timedelta(seconds=2), retry_max=timedelta(seconds=20),
                      refresh_every=timedelta(seconds=300))


def clock(start: datetime) -> ScaledClock:
    return ScaledClock(start, SPEED)


async def run_for(service: ReminderService, seconds: float) -> None:
    """Run the loop for ``seconds`` of its (fast) clock."""
    await service.run(until=service.clock.now() + timedelta(seconds=seconds))


async def test_reminder_is_posted_once_when_due(database: Database) -> None:
    sink = ListSink()
    shared = clock(START)
    service = ReminderService(database, Settings(groups=[wg()]), {"slack": sink}, shared,
                              policy=FAST)
    await run_for(service, 5.0)
    assert len(sink.posts) == 1
    post = sink.posts[0]
    assert post.text.startswith("Coming up in 1 hour: Node.js Security team Meeting")
    assert post.when == datetime(2026, 1, 8, 15, tzinfo=UTC)
    assert post.place.channel == "C1" and post.purpose == "reminder"
    assert post.attachment is not None and "RRULE:FREQ=WEEKLY;INTERVAL=2" in \
        post.attachment.content
    assert "Late" not in post.text


async def test_two_loops_on_one_database_post_each_reminder_once(database_url: str) -> None:
    first, second = Database.open(database_url), Database.open(database_url)
    try:
        settings = Settings(groups=[wg()])
        sinks = [ListSink(), ListSink()]
        shared = clock(START)
        services = [ReminderService(db, settings, {"slack": sink}, shared, policy=FAST,
                                    worker=f"w{n}")
                    for n, (db, sink) in enumerate(zip([first, second], sinks, strict=True))]
        await asyncio.gather(*(run_for(s, 5.0) for s in services))
        assert len(sinks[0].posts) + len(sinks[1].posts) == 1
        assert sorted(s.stats.outcomes.get("taken", 0) for s in services) == [0, 1]
    finally:
        first.close()
        second.close()


async def test_slack_500s_are_retried_with_backoff_and_posted_once(database: Database) -> None:
    async with FakeSlack() as fake:
        fake.fail_next("chat.postMessage", n=3, status=500)
        sink = SlackSink(AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
        service = ReminderService(database, Settings(groups=[wg()]), {"slack": sink},
                                  clock(START), policy=FAST)
        await run_for(service, 20.0)
        calls = fake.calls_to("chat.postMessage")
        assert [c.status for c in calls] == [500, 500, 500, 200]
        assert len(fake.messages) == 1
        assert fake.messages[0]["text"].startswith("Coming up in 1 hour")
    # Backoff: 2, 4 then 8 clock seconds between attempts (0.2, 0.4, 0.8 s real).
    waits = [b - a for a, b in pairwise(sink.attempts)]
    assert [round(w, 1) >= minimum for w, minimum in zip(waits, [0.2, 0.4, 0.8], strict=True)] \
        == [True, True, True]
    with database.transaction() as store:
        (row,) = [r for r in rows.reminders_of(store.connection) if r.attempts]
    assert row.sent_at is not None and row.attempts == 4 and "500" in row.last_error


async def test_a_reminder_past_its_grace_is_logged_not_posted(database: Database,
                                                              caplog: object) -> None:
    settings = Settings(groups=[wg(grace_minutes=10)])
    # Rows made before the bot went away...
    materialise(database, settings, datetime(2026, 1, 1, tzinfo=UTC))
    sink = ListSink()
    # ...and the bot back 20 minutes after the reminder was due (grace: 10 minutes).
    service = ReminderService(database, settings, {"slack": sink},
                              clock(datetime(2026, 1, 8, 14, 20, tzinfo=UTC)), policy=FAST)
    await run_for(service, 5.0)
    assert sink.posts == []
    with database.transaction() as store:
        (row,) = [r for r in rows.reminders_of(store.connection)
                  if r.meeting.starts_at == datetime(2026, 1, 8, 15, tzinfo=UTC)]
    assert row.sent_at is None and row.missed_at is not None
    assert "past the 10 min grace period" in row.last_error
    assert "not posted" in caplog.text  # type: ignore[attr-defined]


async def test_inside_the_grace_a_missed_reminder_is_posted_late_once(database: Database) -> None:
    settings = Settings(groups=[wg()])
    materialise(database, settings, datetime(2026, 1, 1, tzinfo=UTC))
    back = clock(datetime(2026, 1, 8, 14, 20, tzinfo=UTC))
    sinks = [ListSink(), ListSink()]
    for sink in sinks:  # two restarts in a row
        await run_for(ReminderService(database, settings, {"slack": sink}, back, policy=FAST),
                      5.0)
    assert len(sinks[0].posts) == 1 and sinks[1].posts == []
    assert sinks[0].posts[0].text.startswith("(Late reminder: the bot was away")
    with database.transaction() as store:
        late = [r for r in rows.reminders_of(store.connection) if r.sent_at]
    assert len(late) == 1 and late[0].late


async def test_a_skipped_date_cancels_the_meeting_and_its_reminders(database: Database) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    materialise(database, Settings(groups=[wg()]), now)
    materialise(database, Settings(groups=[wg(skip=["2026-01-08"])]), now)
    with database.transaction() as store:
        pending = rows.pending_reminders(store.connection, now, now + timedelta(days=30))
        cancelled = rows.meetings_between(store.connection, now, now + timedelta(days=30),
                                          status="cancelled")
    assert [m.starts_at.day for m in cancelled] == [8]
    assert [r.meeting.starts_at.day for r in pending] == [22]
