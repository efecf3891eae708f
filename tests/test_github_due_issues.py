"""The meeting issue opens by itself when a scheduled meeting comes within the group's
window (issue_days_ahead), once, and the next rounds only refresh its agenda."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime

from bot.app import build_core
from bot.config import Secrets, Settings
from bot.github.agenda import GitHubAgenda
from bot.github.due_issues import open_due_meeting_issues
from bot.schedules.materialise import materialise
from bot.store import Database
from gavel.service.jobs.planning import plan_once
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, LABEL, TOKEN, Sleeps, client, fake, seed_agenda  # noqa: F401

SETTINGS = Settings(groups=[GROUP])
TWO_DAYS_BEFORE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # the meeting: Thu 26th 15:00 UTC
A_WEEK_BEFORE = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)


def issues(gh: FakeGitHub) -> list[dict]:
    """The meeting issues (the seeded agenda has an issue of its own in the repo)."""
    return [i for i in gh.issues("nodejs/security-wg")
            if i["title"].startswith(GROUP.title)]


def test_the_issue_opens_within_the_window_once_and_then_follows_the_agenda(
        fake: FakeGitHub, database_url: str) -> None:  # noqa: F811
    seed_agenda(fake)
    database = Database.open(database_url)
    github = client(fake, Sleeps())
    agenda = GitHubAgenda(github)
    try:
        materialise(database, SETTINGS, A_WEEK_BEFORE)
        assert open_due_meeting_issues(database, SETTINGS, github, agenda, A_WEEK_BEFORE) == []
        assert issues(fake) == []

        [first] = open_due_meeting_issues(database, SETTINGS, github, agenda, TWO_DAYS_BEFORE)
        fake.add_issue("nodejs/node", 160, "Added the day before", labels=[LABEL])
        [second] = open_due_meeting_issues(database, SETTINGS, github, agenda,
                                           TWO_DAYS_BEFORE.replace(day=25))
    finally:
        database.close()
    assert (first.action, second.action) == ("created", "updated")
    [issue] = issues(fake)
    assert issue["title"] == "Node.js Security team Meeting 2026-11-26"
    assert first.url == second.url == issue["html_url"]
    assert "* Added the day before [#160]" in issue["body"]


def test_the_window_opens_issue_days_ahead_and_closes_when_the_meeting_starts(
        fake: FakeGitHub, database_url: str) -> None:  # noqa: F811
    """Not a minute before the window (an early issue shows a stale agenda), nor for a
    meeting that has begun; in between, the issue opens."""
    database = Database.open(database_url)
    github = client(fake, Sleeps())

    def opened(now: datetime) -> list[str]:
        return [d.action for d in open_due_meeting_issues(database, SETTINGS, github, None, now)]

    try:
        materialise(database, SETTINGS, A_WEEK_BEFORE)
        assert opened(datetime(2026, 11, 24, 14, 59, tzinfo=UTC)) == []  # 2 days + 1 minute
        assert opened(datetime(2026, 11, 26, 15, 1, tzinfo=UTC)) == []  # begun a minute ago
        assert issues(fake) == []
        assert opened(datetime(2026, 11, 24, 15, 1, tzinfo=UTC)) == ["created"]
    finally:
        database.close()
    assert [i["title"] for i in issues(fake)] == ["Node.js Security team Meeting 2026-11-26"]


def test_the_planning_job_opens_due_issues_for_the_running_bot(
        fake: FakeGitHub, database_url: str, tmp_path) -> None:  # noqa: F811
    seed_agenda(fake)
    settings = replace(SETTINGS, data_dir=str(tmp_path),
                       github=replace(SETTINGS.github, base_url=fake.base_url))
    core = build_core(settings, Secrets(github_token=TOKEN), database_url=database_url)
    try:
        materialise(core.database, settings, TWO_DAYS_BEFORE)
        asyncio.run(plan_once(core, {}, TWO_DAYS_BEFORE))
    finally:
        core.close()
    [issue] = issues(fake)
    assert issue["title"] == "Node.js Security team Meeting 2026-11-26"


def test_two_replicas_at_the_same_moment_open_one_issue_per_meeting(
        fake: FakeGitHub, database_url: str) -> None:  # noqa: F811
    """Both replicas run the planning job; neither may open a second issue."""
    replicas = [Database.open(database_url), Database.open(database_url)]
    clients = [client(fake, Sleeps()), client(fake, Sleeps())]
    materialise(replicas[0], SETTINGS, TWO_DAYS_BEFORE)
    together = threading.Barrier(2)

    def planning_round(n: int) -> None:
        together.wait()
        open_due_meeting_issues(replicas[n], SETTINGS, clients[n], None, TWO_DAYS_BEFORE)

    try:
        for _ in range(5):
            threads = [threading.Thread(target=planning_round, args=(n,)) for n in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for replica in replicas:
            replica.close()
    assert len(issues(fake)) == 1
