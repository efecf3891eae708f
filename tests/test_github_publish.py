"""The minutes as a pull request at #endmeeting, and every way GitHub can fail it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.domain import Status
from bot.effects import Effect, Post
from bot.github.client import token_client
from bot.github.meeting_issue import ensure_meeting_issue
from bot.github.publishing import Publisher
from bot.store import Database
from tests import github_support
from tests.conftest import Chat, posts
from tests.fakes.github import FakeGitHub
from tests.fakes.http import Hold
from tests.github_support import GROUP, TOKEN, Sleeps, client

fake, sleeps = github_support.fake, github_support.sleeps  # fixtures
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
REPO = "nodejs/security-wg"
PATH = "meetings/2026-11-26.md"
BRANCH = "gavel/security-wg-minutes-2026-11-26-1"  # the date, then the meeting id


def _setup(database: Database, fake: FakeGitHub, sleeps: Sleeps,
           **policy: float) -> tuple[Chat, Publisher]:
    settings = Settings(groups=[GROUP])
    publisher = Publisher(client(fake, sleeps, **policy), database, settings)
    chat = Chat(MeetingBot(database, settings, publisher=publisher), start=START)
    return chat, publisher


def _meeting(chat: Chat) -> list[Effect]:
    chat.say("alice", "#startmeeting")
    chat.say("alice", "#info The threat model is done")
    return chat.say("alice", "#endmeeting")


def _status(database: Database) -> tuple[Status, dict[str, str], str | None]:
    with database.transaction() as store:
        meeting = store.meetings()[0]
        return meeting.status, meeting.links, store.minutes_of(meeting.id)


def test_endmeeting_opens_a_pull_request_with_the_minutes_and_comments_on_the_issue(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat, publisher = _setup(database, fake, sleeps)
    issue_url = ensure_meeting_issue(publisher.github, GROUP, START, [], database)
    fake.reset_requests()
    effects = _meeting(chat)

    status, links, minutes = _status(database)
    [pull] = fake.pulls(REPO)
    assert fake.file(REPO, PATH, BRANCH) == minutes == chat.minutes(effects)
    assert f"* **GitHub Issue**: {issue_url}" in minutes
    assert pull["head"]["ref"] == BRANCH and pull["base"]["ref"] == "main"
    assert pull["title"] == "Node.js Security team Meeting 2026-11-26: minutes"
    [comment] = fake.comments(REPO, 1)
    assert comment["body"] == ("The minutes of this meeting are ready for review in "
                               f"{pull['html_url']}")
    assert posts(effects)[-1] == f"Minutes pull request opened: {pull['html_url']}"
    assert status is Status.PUBLISHED and links["pr"] == pull["html_url"]
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/repos/{REPO}"),
        ("GET", f"/repos/{REPO}/git/ref/heads/{BRANCH}"),
        ("GET", f"/repos/{REPO}/git/ref/heads/main"),
        ("POST", f"/repos/{REPO}/git/refs"),
        ("GET", f"/repos/{REPO}/contents/{PATH}"),
        ("PUT", f"/repos/{REPO}/contents/{PATH}"),
        ("POST", f"/repos/{REPO}/pulls"),
        ("POST", f"/repos/{REPO}/issues/1/comments"),
    ]


def test_publishing_twice_updates_the_same_branch_and_pull_request(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat, publisher = _setup(database, fake, sleeps)
    ensure_meeting_issue(publisher.github, GROUP, START, [], database)
    _meeting(chat)
    with database.transaction() as store:
        meeting = store.meetings()[0]
        store.update_meeting(meeting.id, minutes="# Corrected minutes\n")
    again = chat.slash("alice", "publish")

    [pull] = fake.pulls(REPO)
    assert fake.file(REPO, PATH, BRANCH) == "# Corrected minutes\n"
    assert posts(again) == ["Publishing the minutes of Node.js Security team Meeting "
                            "2026-11-26…", f"Minutes pull request updated: {pull['html_url']}"]
    assert len(fake.comments(REPO, 1)) == 1  # the issue is told once
    assert list(fake.branches(REPO)) == ["main", BRANCH]


def test_server_errors_are_retried_with_backoff(database: Database, fake: FakeGitHub,
                                                sleeps: Sleeps) -> None:
    chat, _ = _setup(database, fake, sleeps)
    fake.fail_next(1, 502, method="POST", path_prefix=f"/repos/{REPO}/pulls")
    effects = _meeting(chat)

    assert posts(effects)[-1].startswith("Minutes pull request opened: ")
    assert sleeps == [0.5]  # one pause, then the whole (idempotent) step again
    assert len(fake.pulls(REPO)) == 1


def test_rate_limit_within_the_bound_waits_for_the_reset(database: Database,
                                                          fake: FakeGitHub,
                                                          sleeps: Sleeps) -> None:
    chat, _ = _setup(database, fake, sleeps)
    fake.rate_limit_next(1, reset_in=3, path_prefix=f"/repos/{REPO}/contents")
    effects = _meeting(chat)

    assert posts(effects)[-1].startswith("Minutes pull request opened: ")
    # The reset is a whole second on the wire, so the wait is 2-5 s, never zero or long.
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 5


def test_rate_limit_beyond_the_bound_tells_the_channel_and_publishes_later(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat, publisher = _setup(database, fake, sleeps)
    fake.rate_limit_next(1, reset_in=1800, method="PUT")
    effects = _meeting(chat)

    status, _, minutes = _status(database)
    assert "publishing them to GitHub failed: GitHub's rate limit stopped me" in posts(effects)[-1]
    assert "gavel publish --pending" in posts(effects)[-1]
    assert status is Status.ENDED and minutes
    assert sleeps == []  # no half-hour wait while the channel watches

    [(_, later)] = publisher.publish_pending()
    status, links, minutes = _status(database)
    assert status is Status.PUBLISHED
    assert fake.file(REPO, PATH, BRANCH) == minutes
    assert [p.text for p in later if isinstance(p, Post)] == [
        f"Minutes pull request opened: {links['pr']}"]
    assert publisher.publish_pending() == []


def test_endmeeting_and_the_retry_job_publishing_at_once_open_one_pull_request(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    """The retry job's round (it begins as the bot starts) and #endmeeting's own publish
    both found no branch and both created it: GitHub refused the second, and the channel
    heard that publishing had failed although the pull request was open."""
    chat, publisher = _setup(database, fake, sleeps)
    fake.rate_limit_next(1, reset_in=1800, method="POST")  # (the branch's creation)
    _meeting(chat)  # its own publish was refused before a branch existed: pending
    meeting_id = database_meeting_id(database)
    fake.reset_requests()
    branch_made = fake.hold(f"/repos/{REPO}/git/refs")
    results: dict[str, list[Effect]] = {}
    job = threading.Thread(target=lambda: results.update(job=[
        e for _, effects in publisher.publish_pending() for e in effects]))
    job.start()
    assert branch_made.arrived.wait(Hold.LIMIT_SECONDS)  # the job is creating the branch
    at_end = threading.Thread(target=lambda: results.update(
        at_end=publisher.publish_now(meeting_id, pending_only=True)))
    at_end.start()
    branch_made.release()
    job.join()
    at_end.join()

    [pull] = fake.pulls(REPO)
    assert [p.text for p in results["job"] if isinstance(p, Post)] == [
        f"Minutes pull request opened: {pull['html_url']}"]
    assert results["at_end"] == []  # published meanwhile, and said so by the job
    assert len(fake.calls("POST", f"/repos/{REPO}/git/refs")) == 1
    assert _status(database)[0] is Status.PUBLISHED


def database_meeting_id(database: Database) -> int:
    with database.reading() as store:
        return store.meetings()[0].id


def test_secondary_limit_429_with_retry_after_is_waited_out(database: Database,
                                                            fake: FakeGitHub,
                                                            sleeps: Sleeps) -> None:
    chat, _ = _setup(database, fake, sleeps)
    fake.rate_limit_next(1, status=429, retry_after=7, method="POST")
    effects = _meeting(chat)
    assert posts(effects)[-1].startswith("Minutes pull request opened: ")
    assert sleeps == [7.0]


def test_missing_permission_is_named(database: Database, fake: FakeGitHub,
                                     sleeps: Sleeps) -> None:
    chat, _ = _setup(database, fake, sleeps)
    fake.deny_writes(path_pattern=r"/git/refs|/contents/")
    effects = _meeting(chat)

    assert ("GitHub refused to open the minutes pull request on nodejs/security-wg: the "
            "token or app lacks the permission contents: write") in posts(effects)[-1]
    assert _status(database)[0] is Status.ENDED
    assert sleeps == []  # a permission error is not retried


def test_network_errors_are_retried_then_reported(database: Database, sleeps: Sleeps) -> None:
    with FakeGitHub() as gone:
        dead_url = gone.base_url
    settings = Settings(groups=[GROUP])
    publisher = Publisher(token_client(TOKEN, dead_url, sleep=sleeps), database, settings)
    chat = Chat(MeetingBot(database, settings, publisher=publisher), start=START)
    effects = _meeting(chat)

    assert "GitHub cannot be reached while trying to open the minutes pull request" \
        in posts(effects)[-1]
    assert sleeps == [0.5]
    assert _status(database)[0] is Status.ENDED


def test_bad_token_says_so(database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    settings = Settings(groups=[GROUP])
    publisher = Publisher(token_client("wrong", fake.base_url, sleep=sleeps), database,
                          settings)
    chat = Chat(MeetingBot(database, settings, publisher=publisher), start=START)
    text = posts(_meeting(chat))[-1]
    assert "GitHub refused the credentials" in text and "GITHUB_TOKEN" in text
    assert "wrong" not in text


def test_background_job_publishes_pending_and_posts_the_link(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    from bot.app import Core
    from gavel.service.jobs.publishing import publish_pending_minutes

    chat, publisher = _setup(database, fake, sleeps)
    fake.fail_next(2, 503)  # both attempts at #endmeeting fail
    _meeting(chat)
    delivered: list[Effect] = []
    posted = asyncio.Event()

    class Console:
        platform = "console"

        async def deliver(self, effects: list[Effect]) -> None:
            delivered.extend(effects)
            posted.set()

    core = Core(publisher.settings, None, database, chat.bot, publisher.github,  # type: ignore[arg-type]
                publisher)

    async def one_round() -> None:
        job = asyncio.create_task(publish_pending_minutes(core, {"console": Console()},
                                                          interval=60))
        try:  # the job's first round posts the link; the timeout only guards against a hang
            await asyncio.wait_for(posted.wait(), 60)
        finally:
            job.cancel()

    asyncio.run(one_round())
    assert [p.text for p in delivered if isinstance(p, Post)] == [
        f"Minutes pull request opened: {fake.pulls(REPO)[0]['html_url']}"]
    assert _status(database)[0] is Status.PUBLISHED


def test_enterprise_base_url_with_api_prefix(database: Database, sleeps: Sleeps) -> None:
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as ghe:
        ghe.add_repo(REPO)
        chat, _ = _setup(database, ghe, sleeps)
        effects = _meeting(chat)
        assert posts(effects)[-1].startswith("Minutes pull request opened: ")
        assert ghe.file(REPO, PATH, BRANCH) == _status(database)[2]


def test_the_issue_comment_carries_each_votes_tally_and_result_literally(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat, publisher = _setup(database, fake, sleeps)
    ensure_meeting_issue(publisher.github, GROUP, START, [], database)
    chat.say("alice", "#startmeeting")
    chat.say("alice", "#motion Ask @nodejs/tsc to adopt ```the plan```")
    chat.say("alice", "+1")
    chat.say("bob", "-1 not yet")
    chat.say("carol", "+1")
    chat.say("alice", "#endvote")
    chat.say("alice", "#endmeeting")
    [comment] = fake.comments(REPO, 1)
    assert comment["body"].endswith(
        "\n\nVotes:\n\n````text\nVote: Ask @nodejs/tsc to adopt ```the plan``` (For 2, "
        "Against 1, Abstained 0) Result: motion accepted\n````")


def test_the_meeting_title_reaches_the_pull_request_literally_and_pings_nobody(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat, _ = _setup(database, fake, sleeps)
    chat.say("alice", "#startmeeting @nodejs/tsc [x](https://evil)")
    chat.say("alice", "#endmeeting")
    [pull] = fake.pulls(REPO)
    assert pull["body"] == ("The minutes of `@nodejs/tsc` \\[x\\](https://evil) 2026-11-26, "
                            "taken with Gavel.")  # no team pinged, no link to follow
