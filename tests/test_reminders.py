"""The reminder loop in one process, on both databases: posted once on time, claimed once
by two loops, retried with backoff through a Slack outage, never posted past the grace.

The loops run on a ``SteppedClock`` the test moves: each step waits until every loop has
handled what is due by then, so a busy machine changes how long a test takes, not what
it sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ChannelBinding, Group, Links, Schedule, Settings
from bot.effects import Effect, Post, Purpose
from bot.reminders.loop import ReminderPolicy, ReminderService
from bot.schedules.clock import SteppedClock
from bot.schedules.materialise import materialise
from bot.store import Database
from bot.store import reminder_rows as rows
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

    async def deliver(self, effects: list[Effect]) -> None:
        for effect in effects:
            assert isinstance(effect, Post)
            await self.client.chat_postMessage(channel=effect.place.channel, text=effect.text)


FAST = ReminderPolicy(retry_base=timedelta(seconds=2), retry_max=timedelta(seconds=20),
                      refresh_every=timedelta(seconds=300))
DUE = datetime(2026, 1, 8, 14, 0, tzinfo=UTC)


class Loops:
    """Reminder loops sharing one clock that only the test moves."""

    def __init__(self, services: Sequence[ReminderService], clock: SteppedClock) -> None:
        self.services = services
        self.clock = clock

    async def step(self, instant: datetime) -> None:
        """Move the clock to ``instant``; return once every loop has handled all that is
        due by then."""
        self.clock.set(instant)
        await asyncio.gather(*(service.settle(instant) for service in self.services))


@asynccontextmanager
async def running(services: Sequence[ReminderService],
                  clock: SteppedClock) -> AsyncIterator[Loops]:
    """The loops started and planned (what was due already handled); stopped at the end."""
    for service in services:
        service.start()
    try:
        await asyncio.gather(*(service.refresh() for service in services))
        loops = Loops(services, clock)
        await loops.step(clock.now())
        yield loops
    finally:
        for service in services:
            await service.stop()


async def step_through(services: Sequence[ReminderService], clock: SteppedClock,
                       *instants: datetime) -> None:
    """Run the loops through each instant in turn."""
    async with running(services, clock) as loops:
        for instant in instants:
            await loops.step(instant)


async def test_reminder_is_posted_once_when_due(database: Database) -> None:
    sink = ListSink()
    clock = SteppedClock(START)
    service = ReminderService(database, Settings(groups=[wg()]), {"slack": sink}, clock,
                              policy=FAST)
    async with running([service], clock) as loops:
        await loops.step(DUE - timedelta(seconds=1))
        assert sink.posts == []  # not a second early...
        await loops.step(DUE)
        await loops.step(DUE + timedelta(seconds=5))
    assert len(sink.posts) == 1  # ...then once
    post = sink.posts[0]
    assert post.text.startswith("Coming up in 1 hour: Node.js Security team Meeting")
    assert post.when == datetime(2026, 1, 8, 15, tzinfo=UTC)
    assert post.place.channel == "C1" and post.purpose is Purpose.REMINDER
    assert post.attachment is not None and "RRULE:FREQ=WEEKLY;INTERVAL=2" in \
        post.attachment.content
    assert "Late" not in post.text


async def test_two_loops_on_one_database_post_each_reminder_once(database_url: str) -> None:
    first, second = Database.open(database_url), Database.open(database_url)
    try:
        settings = Settings(groups=[wg()])
        sinks = [ListSink(), ListSink()]
        clock = SteppedClock(START)
        services = [ReminderService(db, settings, {"slack": sink}, clock, policy=FAST,
                                    worker=f"w{n}")
                    for n, (db, sink) in enumerate(zip([first, second], sinks, strict=True))]
        await step_through(services, clock, DUE, DUE + timedelta(seconds=5))
        assert len(sinks[0].posts) + len(sinks[1].posts) == 1
        assert sorted(s.stats.outcomes.get("taken", 0) for s in services) == [0, 1]
    finally:
        first.close()
        second.close()


async def test_slack_500s_are_retried_with_backoff_and_posted_once(database: Database) -> None:
    async with FakeSlack() as fake:
        fake.fail_next("chat.postMessage", n=3, status=500)
        sink = SlackSink(AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
        clock = SteppedClock(START)
        service = ReminderService(database, Settings(groups=[wg()]), {"slack": sink},
                                  clock, policy=FAST)
        attempts: list[tuple[int, int]] = []  # (clock seconds past due, HTTP status)
        async with running([service], clock) as loops:
            for second in range(21):  # the clock moves a second at a time
                before = len(fake.calls_to("chat.postMessage"))
                await loops.step(DUE + timedelta(seconds=second))
                attempts += [(second, c.status)
                             for c in fake.calls_to("chat.postMessage")[before:]]
        # Backoff: 2, 4 then 8 clock seconds between attempts.
        assert attempts == [(0, 500), (2, 500), (6, 500), (14, 200)]
        assert len(fake.messages) == 1
        assert fake.messages[0]["text"].startswith("Coming up in 1 hour")
    with database.transaction() as store:
        (row,) = [r for r in rows.reminders_of(store) if r.attempts]
    assert row.sent_at is not None and row.attempts == 4 and "500" in row.last_error


async def test_a_reminder_past_its_grace_is_logged_not_posted(database: Database,
                                                              caplog: object) -> None:
    settings = Settings(groups=[wg(grace_minutes=10)])
    # Rows made before the bot went away...
    materialise(database, settings, datetime(2026, 1, 1, tzinfo=UTC))
    sink = ListSink()
    # ...and the bot back 20 minutes after the reminder was due (grace: 10 minutes).
    back = SteppedClock(datetime(2026, 1, 8, 14, 20, tzinfo=UTC))
    service = ReminderService(database, settings, {"slack": sink}, back, policy=FAST)
    await step_through([service], back, back.now() + timedelta(seconds=5))
    assert sink.posts == []
    with database.transaction() as store:
        (row,) = [r for r in rows.reminders_of(store)
                  if r.meeting.starts_at == datetime(2026, 1, 8, 15, tzinfo=UTC)]
    assert row.sent_at is None and row.missed_at is not None
    assert "past the 10 min grace period" in row.last_error
    assert "not posted" in caplog.text  # type: ignore[attr-defined]


async def test_inside_the_grace_a_missed_reminder_is_posted_late_once(database: Database) -> None:
    settings = Settings(groups=[wg()])
    materialise(database, settings, datetime(2026, 1, 1, tzinfo=UTC))
    back = SteppedClock(datetime(2026, 1, 8, 14, 20, tzinfo=UTC))
    sinks = [ListSink(), ListSink()]
    for sink in sinks:  # two restarts in a row
        await step_through([ReminderService(database, settings, {"slack": sink}, back,
                                            policy=FAST)], back, back.now())
    assert len(sinks[0].posts) == 1 and sinks[1].posts == []
    assert sinks[0].posts[0].text.startswith("(Late reminder: the bot was away")
    with database.transaction() as store:
        late = [r for r in rows.reminders_of(store) if r.sent_at]
    assert len(late) == 1 and late[0].late


async def test_a_skipped_date_cancels_the_meeting_and_its_reminders(database: Database) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    materialise(database, Settings(groups=[wg()]), now)
    materialise(database, Settings(groups=[wg(skip=["2026-01-08"])]), now)
    with database.transaction() as store:
        pending = rows.pending_reminders(store, now, now + timedelta(days=30))
        cancelled = rows.meetings_between(store, now, now + timedelta(days=30),
                                          status="cancelled")
    assert [m.starts_at.day for m in cancelled] == [8]
    assert [r.meeting.starts_at.day for r in pending] == [22]
