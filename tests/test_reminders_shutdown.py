"""Stopping the bot while a reminder is being posted (the real APScheduler, the real Slack
SDK against the fake Slack holding the post until the test lets it through): a post that
went out is marked sent and not posted again after a restart; one that failed is retried
once, at the restart."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.reminders.loop import ReminderService
from bot.schedules.clock import SteppedClock
from bot.store import Database
from bot.store import reminder_rows as rows
from tests.fakes.http import Hold
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.test_reminders import SlackSink, wg

DUE = datetime(2026, 1, 8, 14, 0, tzinfo=UTC)  # the 1h reminder of the 15:00 meeting
SETTINGS = Settings(groups=[wg()])
HANG_GUARD = 60.0  # real seconds; only ever reached if the code under test hangs


def service_at(database: Database, fake: FakeSlack, at: datetime,
               worker: str) -> ReminderService:
    sink = SlackSink(AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
    return ReminderService(database, SETTINGS, {"slack": sink}, SteppedClock(at),
                           worker=worker)


async def stop_while_posting(database: Database, fake: FakeSlack, hold: Hold,
                             fail_status: int | None) -> None:
    """The bot runs when the reminder falls due; while Slack still holds its post, the bot
    is stopped as ``serve`` stops it on SIGTERM (its background job is cancelled); then
    Slack answers."""
    service = service_at(database, fake, DUE, "before-restart")
    running = asyncio.create_task(service.run())
    assert await asyncio.to_thread(hold.arrived.wait, HANG_GUARD), "the reminder was not posted"
    running.cancel()
    while service.scheduler.running:  # the stop has begun (the scheduler is shut down)
        await asyncio.sleep(0)
    hold.release(fail_status)
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(running, HANG_GUARD)


def reminder_row(database: Database) -> rows.Reminder:
    with database.transaction() as store:
        (row,) = [r for r in rows.reminders_of(store) if r.due_at == DUE]
    return row


async def test_stopped_while_posting_a_post_that_went_out_is_not_posted_again(
        database: Database) -> None:
    async with FakeSlack() as fake:
        hold = fake.hold_next("chat.postMessage")
        await stop_while_posting(database, fake, hold, fail_status=None)
        assert len(fake.messages) == 1
        assert reminder_row(database).sent_at is not None
        # Restarted ten minutes later: the claim of the stopped bot has run out, the
        # reminder is inside its grace period; the channel must not see it twice.
        back = DUE + timedelta(minutes=10)
        await service_at(database, fake, back, "after-restart").run(until=back)
        assert [m["text"].splitlines()[0] for m in fake.messages] == [
            "Coming up in 1 hour: Node.js Security team Meeting"]


async def test_stopped_while_a_post_fails_it_is_retried_once_at_the_restart(
        database: Database) -> None:
    async with FakeSlack() as fake:
        hold = fake.hold_next("chat.postMessage")
        await stop_while_posting(database, fake, hold, fail_status=500)
        assert fake.messages == []
        row = reminder_row(database)
        assert row.sent_at is None and "500" in row.last_error
        # Restarted a minute later, well inside the stopped bot's claim lease: the failed
        # post is not left waiting for that lease, it is retried, once.
        back = DUE + timedelta(minutes=1)
        await service_at(database, fake, back, "after-restart").run(until=back)
        assert [m["text"].splitlines()[0] for m in fake.messages] == [
            "Coming up in 1 hour: Node.js Security team Meeting"]
        row = reminder_row(database)
        assert row.sent_at is not None and row.attempts == 2
