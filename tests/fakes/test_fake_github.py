"""Self-test of FakeGitHub against the real PyGithub client.

Why: the fake is only useful if PyGithub accepts its payloads and sends the requests we think
it sends; these pin the behaviours Gavel's tests lean on (request counts included).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from github import Auth, Github, GithubException

from tests.fakes.github import FakeGitHub

REPO = "nodejs/security-wg"
AGENDA = "security-wg-agenda"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(REPO, default_branch="main", files={"README.md": "# Security WG\n"})
        yield fake


def client(gh: FakeGitHub, **kwargs: Any) -> Github:
    """The client as Gavel builds it (plus test-specific overrides)."""
    return Github(base_url=gh.base_url, auth=Auth.Token("t"), per_page=100,
                  seconds_between_requests=None, seconds_between_writes=None, **kwargs)


def test_search_150_items_costs_exactly_two_requests(gh: FakeGitHub) -> None:
    for n in range(1, 151):
        gh.add_issue(REPO, n, f"Item [{n}]", labels=[AGENDA], is_pr=n % 5 == 0)
    titles = [i.title for i in client(gh).search_issues(f"is:open label:{AGENDA} org:nodejs")]
    assert len(titles) == 150 and titles[0] == "Item [1]"
    assert gh.search_count == 2


def test_minutes_pull_request_flow(gh: FakeGitHub) -> None:
    repo = client(gh, lazy=True).get_repo(REPO)
    base = repo.get_git_ref("heads/main").object.sha
    repo.create_git_ref("refs/heads/minutes", base)
    repo.create_file("meetings/m.md", "Add minutes", "# Minutes\n", branch="minutes")
    pull = repo.create_pull(base="main", head="minutes", title="Minutes", body="b")
    assert [p.number for p in repo.get_pulls(state="open", head="nodejs:minutes")] == [pull.number]
    # GitHub silently ignores a bare branch name: every open pull comes back.
    assert len(list(repo.get_pulls(head="minutes"))) == 1
    assert gh.file(REPO, "meetings/m.md", "minutes") == "# Minutes\n"


def test_fail_next_raises_github_exception_without_retry(gh: FakeGitHub) -> None:
    gh.fail_next(1, status=502)
    with pytest.raises(GithubException) as err:
        client(gh, retry=None).get_repo(REPO)
    assert err.value.status == 502


def test_deny_writes_like_a_token_without_permission(gh: FakeGitHub) -> None:
    repo = client(gh, retry=None).get_repo(REPO)
    gh.deny_writes(path_pattern=r"/contents/|/git/refs")
    repo.create_issue("still allowed")
    with pytest.raises(GithubException) as err:
        repo.create_file("x.md", "msg", "x")
    assert err.value.status == 403
    assert err.value.headers is not None
    assert err.value.headers["x-accepted-github-permissions"] == "contents=write"
