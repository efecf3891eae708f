"""Requests and wall time of the GitHub work, against the fake GitHub on 127.0.0.1.

Prints: the agenda of an org with 400 repositories and 150 labelled items gathered by
search (aim: 2 requests) versus listing each repository's labelled issues (400+), and
the requests one publish of the minutes costs (first time, and again).

    .venv/bin/python bench/bench_github.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.events import Author, Event, EventKind, Place
from bot.github.agenda import fetch_agenda
from bot.github.client import token_client
from bot.github.publishing import Publisher
from bot.store import Database
from tests.fakes.github import FakeGitHub

LABEL = "security-wg-agenda"
GROUP = Group(name="Security WG", github_org="nodejs", agenda_label=LABEL,
              minutes_repo="nodejs/security-wg")


def agenda_figures() -> None:
    with FakeGitHub() as fake:
        for n in range(400):
            fake.add_repo(f"nodejs/repo-{n}")
        for n in range(150):
            fake.add_issue(f"nodejs/repo-{n * 7 % 400}", None, f"Item {n}", labels=[LABEL])
        github = token_client("t", fake.base_url)
        fake.reset_requests()
        began = time.perf_counter()
        entries = fetch_agenda(github, GROUP)
        search_ms = (time.perf_counter() - began) * 1000
        search_requests = len(fake.requests)
        assert len(entries) == 150

        fake.reset_requests()
        began = time.perf_counter()
        found = 0
        for n in range(400):  # what a per-repository crawl costs
            found += sum(1 for _ in github.api.get_repo(f"nodejs/repo-{n}")
                         .get_issues(state="open", labels=[LABEL]))
        crawl_ms = (time.perf_counter() - began) * 1000
        assert found == 150
        print(f"| agenda, 400 repos / 150 items, by search: requests | {search_requests} | 2 |")
        print(f"| agenda, 400 repos / 150 items, by search: wall time | {search_ms:.0f} ms | "
              "- |")
        print(f"| agenda by listing each repository: requests | {len(fake.requests)} | "
              "(avoided) |")
        print(f"| agenda by listing each repository: wall time | {crawl_ms:.0f} ms | "
              "(avoided) |")


def publish_figures() -> None:
    with FakeGitHub() as fake, tempfile.TemporaryDirectory() as tmp:
        fake.add_repo("nodejs/security-wg")
        database = Database.open(f"sqlite:///{tmp}/gavel.db")
        settings = Settings(groups=[GROUP])
        publisher = Publisher(token_client("t", fake.base_url), database, settings)
        bot = MeetingBot(database, settings, publisher=publisher)
        place = Place("console", "wg")
        at = datetime(2026, 11, 26, 15, tzinfo=UTC)
        for text in ("#startmeeting", "#info note", "#endmeeting"):
            if text == "#endmeeting":
                fake.reset_requests()
                began = time.perf_counter()
            bot.handle(Event(EventKind.MESSAGE, place, Author("a", "a"), at, text))
        first_ms = (time.perf_counter() - began) * 1000
        first = len(fake.requests)
        with database.transaction() as store:
            store.update_meeting(1, minutes="# changed\n")
        fake.reset_requests()
        publisher.publish(1)
        again = len(fake.requests)
        database.close()
        print(f"| requests per publish (first: branch, file, pull request) | {first} | <= 9 |")
        print(f"| wall time of #endmeeting with publish (local fake) | {first_ms:.0f} ms | - |")
        print(f"| requests per publish (again: same branch and pull request) | {again} | "
              "<= 6 |")


if __name__ == "__main__":
    print("| figure | value | aim |")
    print("|---|---|---|")
    agenda_figures()
    publish_figures()
