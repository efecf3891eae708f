"""What a stranger can reach through Slack: a group's GitHub settings only in its own
channels, and tables that anonymous or repeated requests cannot grow without bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, table

from bot.config import Secrets, Settings, SlackSettings
from tests import slack_harness
from tests.conftest import SECURITY_WG
from tests.fakes.slack import TEAM_ID, FakeSlack
from tests.slack_harness import (
    SIGNING_SECRET,
    SlackBot,
    StepClock,
    bound_to_slack,
    running_slack,
    ts_of,
)

fake = slack_harness.fake  # fixture

T0 = datetime(2023, 1, 19, 15, 0, tzinfo=UTC)


def _rows(bot: SlackBot, name: str) -> int:
    with bot.core.database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table(name)))
                   .scalar_one())


async def _started_as(bot: SlackBot, fake: FakeSlack, channel: str) -> str:
    before = len(fake.calls_to("chat.postMessage"))
    assert await bot.command("start", channel=channel) == 200
    posts = await fake.async_wait_for_calls("chat.postMessage", before + 1)
    return str(posts[-1].args["text"]).splitlines()[0]


# -- item 10: a group's GitHub settings stay in its channels -----------------------------

async def test_a_lone_group_with_github_settings_does_not_run_in_every_channel(
        fake: FakeSlack, database_url: str, tmp_path: Path) -> None:
    """One group, bound nowhere: before, every channel of every workspace ran it (and
    published to its minutes_repo)."""
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[SECURITY_WG])) as bot:
        first = await _started_as(bot, fake, "C1")
    assert first.startswith("Meeting started: Meeting ")
    assert "Node.js Security" not in first


async def test_a_bound_group_runs_in_its_channel_and_a_stray_channel_gets_a_plain_meeting(
        fake: FakeSlack, database_url: str, tmp_path: Path) -> None:
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[bound_to_slack(SECURITY_WG)])) as bot:
        bound = await _started_as(bot, fake, "C1")
        stray = await _started_as(bot, fake, "C9")
    assert bound.startswith("Meeting started: Node.js Security team Meeting")
    assert stray.startswith("Meeting started: Meeting ")


# -- item 27: bounded tables --------------------------------------------------------------

async def test_retry_claims_expire_so_the_table_stops_growing(
        fake: FakeSlack, database_url: str, tmp_path: Path) -> None:
    clock = StepClock(T0)
    counts = []
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[bound_to_slack(SECURITY_WG)]),
                             clock=clock) as bot:
        # A meeting runs, so its lines are the meeting's (idle chat is not claimed at all).
        assert await bot.command("start") == 200
        await fake.async_wait_for_calls("chat.postMessage")
        for day in range(4):
            clock.now = T0 + timedelta(days=day, hours=day)
            for n in range(5):
                assert await bot.message(f"chat line {n}", "U1", ts_of(clock.now, n),
                                         event_id=f"Ev{day}{n}") == 200
            # Handled after the five lines (one at a time per channel): a sync point.
            before = len(fake.calls_to("chat.postEphemeral"))
            assert await bot.command("help") == 200
            await fake.async_wait_for_calls("chat.postEphemeral", before + 1)
            counts.append(_rows(bot, "processed_events"))
        # Today's claims still hold: a retry of today's event is dropped.
        assert await bot.message("#info late retry", "U1", ts_of(clock.now, 0),
                                 event_id="Ev30", retry=1) == 200
        assert _rows(bot, "processed_events") == 6
    # Five lines and one command a day (and the start, on the first); yesterday's swept.
    assert counts == [7, 6, 6, 6]


async def test_install_states_are_rate_capped_and_expire(database_url: str,
                                                         tmp_path: Path) -> None:
    secrets = Secrets(slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                      slack_client_secret="client-secret")
    settings = Settings(groups=[bound_to_slack(SECURITY_WG)],
                        slack=SlackSettings(oauth=True, allowed_teams=[TEAM_ID]))
    clock = StepClock(T0)
    counts, refused = [], []
    with FakeSlack() as fake:
        async with running_slack(fake, database_url, str(tmp_path), settings,
                                 secrets=secrets, clock=clock) as bot:
            for minute in range(12):
                clock.now = T0 + timedelta(minutes=minute)
                statuses = []
                while not statuses or statuses[-1] == 200:
                    async with bot.session.get(bot.url + "/slack/install") as page:
                        statuses.append(page.status)
                        if page.status == 429:
                            assert "try again in a minute" in await page.text()
                    assert len(statuses) <= 31
                refused.append(statuses.count(429))
                counts.append(_rows(bot, "slack_oauth_states"))
    assert refused == [1] * 12  # the 31st anonymous GET of each minute gets 429
    # 30 a minute, each living 10 minutes: the table holds at most 300 rows.
    assert counts == [30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300]
