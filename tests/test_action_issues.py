"""Optionally (``actions_repo``), an action item is a GitHub issue too: opened when it is
noted, assigned to its owner's known handle, closed when it is done here, and an issue
closed on GitHub closes the action here at the next sync (fake GitHub, real PyGithub)."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.github.action_issues import ActionIssues
from bot.store import Database
from tests.conftest import Chat, posts, private
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, Sleeps, client, fake  # noqa: F401

REPO = "nodejs/security-wg"
WG = replace(GROUP, actions_repo=REPO, agenda_label="", github_org="")


def action_issues(gh: FakeGitHub) -> dict[str, dict]:
    return {i["title"]: i for i in gh.issues(REPO) if i["title"].startswith("A-")}


def test_actions_become_issues_and_close_both_ways(fake: FakeGitHub,  # noqa: F811
                                                   database: Database) -> None:
    settings = Settings(groups=[WG])
    tracker = ActionIssues(client(fake, Sleeps()), database, settings)
    chat = Chat(MeetingBot(database, settings, action_tracker=tracker))
    chat.say("rafael", "#startmeeting")
    chat.say("alice", "#here Alice Doe @alice-gh")
    chat.say("bob", "#here Bob")
    chat.say("rafael", "#action Alice to write the advisory, ask @someone")
    chat.say("rafael", "#action Bob to bump undici")

    issues = action_issues(fake)
    advisory = issues["A-1: Alice to write the advisory, ask @someone"]
    # Alice by the handle she gave in #here; an owner named as @someone by that handle.
    assert [a["login"] for a in advisory["assignees"]] == ["alice-gh", "someone"]
    assert "> Alice to write the advisory, ask `@someone`" in advisory["body"]  # no ping
    assert issues["A-2: Bob to bump undici"]["assignees"] == []  # no handle known

    chat.say("rafael", "#reassign A-2 @alice")  # the issue follows, to her handle
    assert [a["login"] for a in action_issues(fake)["A-2: Bob to bump undici"]["assignees"]] \
        == ["alice-gh"]
    assert posts(chat.say("alice", "#done A-1")) == [
        "A-1 done: Alice to write the advisory, ask @someone"]
    assert action_issues(fake)[advisory["title"]]["state"] == "closed"

    # Someone closes A-2's issue on GitHub: the next sync closes the action here.
    number = issues["A-2: Bob to bump undici"]["number"]
    client(fake, Sleeps()).api.get_repo(REPO).get_issue(number).edit(state="closed")
    report = tracker.sync(WG)
    assert report.closed_here == ["A-2"]
    assert private(chat.slash("rafael", "actions all")) == ["No open actions (Security WG's)."]
    # An action undone after its issue opened: the issue is closed as not planned.
    chat.say("rafael", "#action Bob to rename the repo")
    assert action_issues(fake)["A-3: Bob to rename the repo"]["state"] == "open"
    chat.say("rafael", "#undo")
    undone = action_issues(fake)["A-3: Bob to rename the repo"]
    assert (undone["state"], undone["state_reason"]) == ("closed", "not_planned")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "## Action items" in minutes


def test_github_down_never_loses_the_action(fake: FakeGitHub,  # noqa: F811
                                             database: Database) -> None:
    settings = Settings(groups=[WG])
    tracker = ActionIssues(client(fake, Sleeps(), attempts=1), database, settings)
    chat = Chat(MeetingBot(database, settings, action_tracker=tracker))
    chat.say("rafael", "#startmeeting")
    fake.fail_next(1, status=502)  # GitHub fails the issue's creation
    assert posts(chat.say("rafael", "#action rafael to cut the release")) == [
        "Action A-1 (rafael): rafael to cut the release"]
    assert action_issues(fake) == {}
    assert tracker.sync(WG).created == [f"A-1 -> {REPO}#1"]
    assert list(action_issues(fake)) == ["A-1: rafael to cut the release"]


def test_a_mention_in_an_action_pings_nobody_and_one_in_code_stays_as_typed(
        fake: FakeGitHub, database: Database) -> None:  # noqa: F811
    settings = Settings(groups=[WG])
    tracker = ActionIssues(client(fake, Sleeps()), database, settings)
    chat = Chat(MeetingBot(database, settings, action_tracker=tracker))
    chat.say("rafael", "#startmeeting")
    chat.say("rafael", "#action rafael to `see @alice later`")
    chat.say("rafael", "#action rafael to ask @alice")

    issues = action_issues(fake)
    assert "\n\n> rafael to `see @alice later`\n\n" in \
        issues["A-1: rafael to `see @alice later`"]["body"]  # in code: no ping, as typed
    assert "\n\n> rafael to ask `@alice`\n\n" in issues["A-2: rafael to ask @alice"]["body"]
