"""The agenda from labelled issues and pull requests across the group's orgs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.github.agenda import GitHubAgenda, agenda_markdown, fetch_agenda
from bot.store import Database
from tests import github_support
from tests.conftest import Chat, posts, private
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, LABEL, TOKEN, Sleeps, client, seed_agenda

fake, sleeps = github_support.fake, github_support.sleeps  # fixtures
ROOT = Path(__file__).resolve().parents[1]


def test_agenda_is_grouped_by_repository_with_escaped_titles(fake: FakeGitHub,
                                                              sleeps: Sleeps) -> None:
    seed_agenda(fake)
    entries = fetch_agenda(client(fake, sleeps), GROUP)

    assert [(e.repo, e.number, e.is_pr) for e in entries] == [
        ("nodejs/node", 101, True), ("nodejs/node", 102, False),
        ("nodejs/security-wg", 7, False)]
    markdown = agenda_markdown(entries, GROUP)
    assert "### nodejs/node\n\n* Fix \\[CVE\\] in \\`http\\` parser [#101](https://github.com/nodejs/node/pull/101)\n* Permission model [#102](https://github.com/nodejs/node/issues/102)\n" in markdown  # noqa: E501
    assert "* Threat model &lt;review&gt; [#7](https://github.com/nodejs/security-wg/issues/7)" in markdown  # noqa: E501
    assert "Extracted from **security-wg-agenda** labeled issues and pull requests from the **nodejs org**" in markdown  # noqa: E501
    assert [(r.method, r.path, r.query["q"]) for r in fake.requests] == [
        ("GET", "/search/issues", f"is:open label:{LABEL} org:nodejs")]


def test_150_items_across_400_repositories_cost_two_searches_and_nothing_else(
        fake: FakeGitHub, sleeps: Sleeps) -> None:
    for n in range(400):
        fake.add_repo(f"nodejs/repo-{n}")
    for n in range(150):
        fake.add_issue(f"nodejs/repo-{n * 7 % 400}", None, f"Item {n}", labels=[LABEL],
                       is_pr=n % 3 == 0)
    fake.reset_requests()

    entries = fetch_agenda(client(fake, sleeps), GROUP)

    assert len(entries) == 150
    assert [r.path for r in fake.requests] == ["/search/issues", "/search/issues"]
    assert all(r.query["per_page"] == "100" for r in fake.requests)


def test_several_orgs_and_labels_search_each_pair_once_and_merge(fake: FakeGitHub,
                                                                  sleeps: Sleeps) -> None:
    fake.add_repo("openjs/standards")
    fake.add_issue("openjs/standards", 5, "Shared item", labels=["a", "b"])
    fake.add_issue("nodejs/node", 9, "Node item", labels=["b"])
    group = replace(GROUP, github_orgs=["nodejs", "openjs"],
                    agenda_labels=["a", "b"])

    entries = fetch_agenda(client(fake, sleeps), group)

    assert [(e.repo, e.number) for e in entries] == [("nodejs/node", 9),
                                                      ("openjs/standards", 5)]
    assert sorted(r.query["q"] for r in fake.requests) == [
        "is:open label:a org:nodejs", "is:open label:a org:openjs",
        "is:open label:b org:nodejs", "is:open label:b org:openjs"]


def _bot(database: Database, fake: FakeGitHub, sleeps: Sleeps) -> MeetingBot:
    return MeetingBot(database, Settings(groups=[GROUP]),
                      agenda_source=GitHubAgenda(client(fake, sleeps)))


def test_meeting_agenda_between_meetings_is_refreshed_on_each_ask(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    chat = Chat(_bot(database, fake, sleeps))
    seed_agenda(fake)
    first = private(chat.slash("alice", "agenda"))[0]
    fake.add_issue("nodejs/node", 110, "Late addition", labels=[LABEL])
    second = private(chat.slash("alice", "agenda"))[0]

    assert "Fix [CVE] in `http` parser (PR nodejs/node#101)" in first
    assert "Late addition" not in first
    assert "Late addition (issue nodejs/node#110)" in second
    assert "• Vulnerability Review" in second
    assert fake.search_count == 2


def test_startmeeting_snapshots_the_agenda_and_agenda_add_looks_up_titles(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    seed_agenda(fake)
    fake.add_issue("nodejs/node", 120, "Looked up title", labels=[])
    chat = Chat(_bot(database, fake, sleeps))
    start = "\n".join(posts(chat.say("alice", "#startmeeting")))
    fake.add_issue("nodejs/node", 130, "Labelled after the start", labels=[LABEL])
    fake.reset_requests()
    chat.say("alice", "#agenda add nodejs/node#120")
    minutes = chat.minutes(chat.say("alice", "#endmeeting"))

    assert "Permission model (nodejs/node#102)" in start
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/repos/nodejs/node/issues/120")]
    assert "* Looked up title [#120](https://github.com/nodejs/node/issues/120)" in minutes
    assert "Labelled after the start" not in minutes
    assert "* Fix \\[CVE\\] in \\`http\\` parser [#101](https://github.com/nodejs/node/pull/101)" in minutes  # noqa: E501


def test_meeting_starts_with_the_last_agenda_when_github_fails(
        database: Database, fake: FakeGitHub, sleeps: Sleeps) -> None:
    seed_agenda(fake)
    chat = Chat(_bot(database, fake, sleeps))
    chat.slash("alice", "agenda")  # a good fetch earlier
    fake.fail_next(5, 502)
    answer = private(chat.slash("alice", "agenda"))[0]
    start = "\n".join(posts(chat.say("alice", "#startmeeting")))

    assert "GitHub is failing (502" in answer
    assert "This is the last agenda fetched" in answer
    assert "Meeting started" in start
    assert "Permission model (nodejs/node#102)" in start
    assert "GitHub could not be asked for the agenda (GitHub is failing (502" in start
    assert "so it holds only what was fetched before" in start


def test_gavel_agenda_prints_the_grouped_agenda(fake: FakeGitHub, tmp_path: Path) -> None:
    seed_agenda(fake)
    config = tmp_path / "gavel.toml"
    config.write_text(f"""
data_dir = "{tmp_path / 'data'}"
[github]
base_url = "{fake.base_url}"
[[groups]]
name = "Security WG"
github_org = "nodejs"
agenda_label = "{LABEL}"
""")
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "GAVEL_CONFIG": str(config)}
    done = subprocess.run([sys.executable, "-m", "gavel", "agenda", "security wg"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Security WG Meeting: agenda\n")
    assert "### nodejs/node\n\n* Fix \\[CVE\\] in \\`http\\` parser [#101]" in done.stdout
    assert "### nodejs/security-wg\n\n* Threat model" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_gavel_agenda_names_an_unknown_group(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text('[[groups]]\nname = "TSC"\n')
    done = subprocess.run([sys.executable, "-m", "gavel", "--config", str(config),
                           "agenda", "Nope"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "no group named 'Nope' (groups: TSC)" in done.stderr
