"""Shared pieces of the GitHub tests: the fake seeded like the Node.js Security WG, and
our client pointed at it with a recording sleep (a controllable clock, not a monkeypatch)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Group, Links, Schedule
from bot.github.client import GitHub, RetryPolicy, token_client
from tests.fakes.github import FakeGitHub

TOKEN = "ghp_test_token"
LABEL = "security-wg-agenda"

GROUP = Group(
    name="Security WG",
    title="Node.js Security team Meeting",
    github_org="nodejs",
    agenda_label=LABEL,
    minutes_repo="nodejs/security-wg",
    minutes_path="meetings/{date}.md",
    standing_items=["Vulnerability Review"],
    invitees="Security wg team: @nodejs/security-wg",
    links=Links(join="https://zoom.us/j/123", observers="https://youtube.com/live",
                minutes_doc="https://docs.google.com/doc"),
    schedule=Schedule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start="2026-01-08T15:00",
                      timezone="UTC", duration_minutes=60),
)


class Sleeps(list[float]):
    """Records each wait instead of waiting, so retry tests run in milliseconds."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as gh:
        gh.add_repo("nodejs/security-wg", files={"README.md": "# Security WG\n"})
        gh.add_repo("nodejs/node")
        yield gh


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client(fake: FakeGitHub, sleeps: Sleeps, **policy: float) -> GitHub:
    return token_client(TOKEN, fake.base_url, sleep=sleeps,
                        policy=RetryPolicy(**policy) if policy else None)  # type: ignore[arg-type]


def seed_agenda(fake: FakeGitHub) -> None:
    fake.add_issue("nodejs/node", 101, "Fix [CVE] in `http` parser", labels=[LABEL], is_pr=True)
    fake.add_issue("nodejs/security-wg", 7, "Threat model <review>", labels=[LABEL])
    fake.add_issue("nodejs/node", 102, "Permission model", labels=[LABEL])
    fake.add_issue("nodejs/node", 103, "Not on the agenda", labels=["other"])
    fake.add_issue("nodejs/node", 104, "Closed item", labels=[LABEL], state="closed")
