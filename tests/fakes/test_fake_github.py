"""Self-test of FakeGitHub against the real PyGithub client.

Why: the fake is only useful if PyGithub accepts its payloads and sends the requests
we think it sends; these tests pin both (request counts included).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests.fakes.github import FakeGitHub

REPO = "nodejs/security-wg"
AGENDA = "security-wg-agenda"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(REPO, default_branch="main", files={"README.md": "# Security WG\n"})
        yield fake


def client(gh: FakeGitHub, **kwargs: Any) -> Github:
    """The client exactly as the bot builds it (plus test-specific overrides)."""
    return Github(
        base_url=gh.base_url,
        auth=Auth.Token("t"),
        per_page=100,
        seconds_between_requests=None,
        seconds_between_writes=None,
        **kwargs,
    )


def test_search_150_items_costs_exactly_two_requests(gh: FakeGitHub) -> None:
    for n in range(1, 151):
        gh.add_issue(REPO, n, f"Item [{n}]", labels=[AGENDA], is_pr=n % 5 == 0)
    g = client(gh)

    rows = [
        (i.title, i.number, i.html_url, i.repository_url)
        for i in g.search_issues(f"is:open label:{AGENDA} org:nodejs")
    ]

    assert len(rows) == 150
    assert rows[0] == (
        "Item [1]",
        1,
        f"https://github.com/{REPO}/issues/1",
        f"{gh.base_url}/repos/{REPO}",
    )
    assert rows[4][2] == f"https://github.com/{REPO}/pull/5"
    assert [(r.method, r.path) for r in gh.requests] == [("GET", "/search/issues")] * 2
    assert gh.search_count == 2
    first, second = gh.requests
    assert first.query == {"q": f"is:open label:{AGENDA} org:nodejs", "per_page": "100"}
    assert second.query["page"] == "2"
    assert all(r.status == 200 for r in gh.requests)


def test_search_total_count_costs_one_more_request(gh: FakeGitHub) -> None:
    for n in range(1, 151):
        gh.add_issue(REPO, n, f"Item {n}", labels=[AGENDA])
    result = client(gh).search_issues(f"label:{AGENDA}")
    assert result.totalCount == 150
    assert [r.query.get("per_page") for r in gh.requests] == ["1"]


def test_search_pull_request_attribute_is_only_in_pr_payloads(gh: FakeGitHub) -> None:
    gh.add_issue(REPO, 1, "An issue", labels=[AGENDA])
    gh.add_issue(REPO, 2, "A PR", labels=[AGENDA], is_pr=True)
    issue, pr = client(gh).search_issues(f"label:{AGENDA}")
    assert pr.pull_request is not None and pr.pull_request.html_url.endswith("/pull/2")
    assert len(gh.requests) == 1
    # Missing from a plain issue's search payload: PyGithub lazily GETs the issue.
    assert issue.pull_request is None
    assert [r.path for r in gh.requests] == ["/search/issues", f"/repos/{REPO}/issues/1"]


def test_search_qualifiers(gh: FakeGitHub) -> None:
    gh.add_repo("nodejs/node")
    gh.add_repo("other/repo")
    gh.add_issue(REPO, 1, "Meeting agenda cleanup", labels=[AGENDA])
    gh.add_issue(REPO, 2, "Closed one", labels=[AGENDA], state="closed")
    gh.add_issue(REPO, 3, "Fix CVE handling", labels=[AGENDA], is_pr=True)
    gh.add_issue(REPO, 4, "Unlabelled", body="mentions meeting in the body")
    gh.add_issue("nodejs/node", 10, "Node item", labels=[AGENDA, "Other"])
    gh.add_issue("other/repo", 5, "Foreign item", labels=[AGENDA])
    g = client(gh)

    def numbers(q: str) -> list[int]:
        return [i.number for i in g.search_issues(q)]

    assert numbers(f"is:open label:{AGENDA} org:nodejs") == [1, 3, 10]
    assert numbers(f"label:{AGENDA} org:nodejs") == [1, 2, 3, 10]
    assert numbers(f"is:open label:{AGENDA} org:nodejs is:pr") == [3]
    assert numbers(f"is:open label:{AGENDA} org:nodejs is:issue") == [1, 10]
    assert numbers(f"label:{AGENDA} repo:nodejs/node") == [10]
    assert numbers(f"label:{AGENDA} label:other") == [10]
    assert numbers(f"label:{AGENDA} -label:other org:nodejs is:open") == [1, 3]
    assert numbers("meeting in:title org:nodejs") == [1]
    assert numbers("meeting org:nodejs") == [1, 4]
    assert numbers('"agenda cleanup" in:title') == [1]
    assert numbers(f"is:open label:{AGENDA} org:other") == [5]


def test_issue_create_comment_and_close(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    issue = repo.create_issue(
        "Security WG Meeting 2026-12-03", body="## Agenda\n", labels=["meeting"]
    )
    assert issue.number == 1
    assert issue.html_url == f"https://github.com/{REPO}/issues/1"
    assert [lab.name for lab in issue.labels] == ["meeting"]
    comment = issue.create_comment("Minutes: link")
    assert comment.body == "Minutes: link"
    comment.edit("Minutes: new link")
    issue.edit(state="closed")

    assert gh.issues(REPO)[0]["state"] == "closed"
    assert [c["body"] for c in gh.comments(REPO, 1)] == ["Minutes: new link"]
    assert [(r.method, r.path) for r in gh.requests] == [
        ("GET", f"/repos/{REPO}"),
        ("POST", f"/repos/{REPO}/issues"),
        ("POST", f"/repos/{REPO}/issues/1/comments"),
        ("PATCH", f"/repos/{REPO}/issues/comments/{comment.id}"),
        ("PATCH", f"/repos/{REPO}/issues/1"),
    ]
    assert gh.requests[1].json == {
        "title": "Security WG Meeting 2026-12-03",
        "body": "## Agenda\n",
        "labels": ["meeting"],
    }
    listed = [i.number for i in repo.get_issues(state="all")]
    assert listed == [1]
    assert [i.number for i in repo.get_issues(state="open")] == []


def test_minutes_pull_request_flow(gh: FakeGitHub) -> None:
    repo = client(gh, lazy=True).get_repo(REPO)
    path = "meetings/2026-12-03.md"
    branch = "gavel/minutes-2026-12-03"

    base_sha = repo.get_git_ref("heads/main").object.sha
    assert [(r.method, r.path) for r in gh.requests] == [
        ("GET", f"/repos/{REPO}/git/ref/heads/main")
    ]
    ref = repo.create_git_ref(f"refs/heads/{branch}", base_sha)
    assert ref.ref == f"refs/heads/{branch}"
    created = repo.create_file(path, "Add minutes", "# Minutes\n", branch=branch)
    pull = repo.create_pull(base="main", head=branch, title="Minutes 2026-12-03", body="Notes")

    assert pull.number == 1
    assert pull.html_url == f"https://github.com/{REPO}/pull/1"
    assert pull.head.ref == branch
    assert gh.file(REPO, path, branch) == "# Minutes\n"
    assert gh.file(REPO, path) is None  # not on main
    assert [p["head"]["ref"] for p in gh.pulls(REPO)] == [branch]

    # Regenerating: find the open PR, read the file's sha, update it.
    open_pulls = list(repo.get_pulls(state="open", head=f"nodejs:{branch}"))
    assert [p.number for p in open_pulls] == [1]
    current = repo.get_contents(path, ref=branch)
    assert not isinstance(current, list)
    assert current.sha == created["content"].sha
    assert current.decoded_content == b"# Minutes\n"
    repo.update_file(path, "Update minutes", "# Minutes v2\n", current.sha, branch=branch)
    assert gh.file(REPO, path, branch) == "# Minutes v2\n"
    assert gh.commit_messages(REPO, branch)[:2] == ["Update minutes", "Add minutes"]

    put = gh.calls("PUT")[-1]
    assert put.path == f"/repos/{REPO}/contents/{path}"
    assert put.json["sha"] == current.sha and put.json["branch"] == branch
    assert base64.b64decode(put.json["content"]) == b"# Minutes v2\n"

    # Conflicts GitHub reports.
    with pytest.raises(GithubException) as stale:
        repo.update_file(path, "stale", "x", current.sha, branch=branch)
    assert stale.value.status == 409
    with pytest.raises(GithubException) as missing_sha:
        repo.create_file(path, "again", "x", branch=branch)
    assert missing_sha.value.status == 422
    with pytest.raises(GithubException) as dup_pull:
        repo.create_pull(base="main", head=branch, title="again")
    assert dup_pull.value.status == 422
    assert "already exists" in dup_pull.value.data["errors"][0]["message"]
    with pytest.raises(GithubException) as dup_ref:
        repo.create_git_ref(f"refs/heads/{branch}", base_sha)
    assert dup_ref.value.data["message"] == "Reference already exists"

    # Moving the branch: fast-forward only unless forced.
    ref = repo.get_git_ref(f"heads/{branch}")
    assert ref.object.sha == gh.branches(REPO)[branch]  # completes the lazy ref
    with pytest.raises(GithubException) as not_ff:
        ref.edit(base_sha)
    assert not_ff.value.data["message"] == "Update is not a fast forward"
    ref.edit(base_sha, force=True)
    assert gh.branches(REPO)[branch] == base_sha
    assert gh.calls("PATCH")[-1].path == f"/repos/{REPO}/git/refs/heads/{branch}"


def test_pulls_head_filter_needs_owner_prefix(gh: FakeGitHub) -> None:
    gh.add_issue(REPO, 1, "PR one", is_pr=True, head="one")
    gh.add_issue(REPO, 2, "PR two", is_pr=True, head="two")
    repo = client(gh, lazy=True).get_repo(REPO)
    assert [p.number for p in repo.get_pulls(head="nodejs:two")] == [2]
    # GitHub silently ignores a bare branch name: every open PR comes back.
    assert sorted(p.number for p in repo.get_pulls(head="two")) == [1, 2]


def test_missing_things_are_404(gh: FakeGitHub) -> None:
    g = client(gh)
    with pytest.raises(UnknownObjectException):
        g.get_repo("nodejs/nope")
    repo = client(gh, lazy=True).get_repo(REPO)
    with pytest.raises(UnknownObjectException):
        repo.get_contents("nope.md")
    with pytest.raises(UnknownObjectException):
        _ = repo.get_git_ref("heads/nope").object


def test_fail_next_raises_github_exception_without_retry(gh: FakeGitHub) -> None:
    gh.fail_next(1, status=502)
    with pytest.raises(GithubException) as err:
        client(gh, retry=None).get_user().login  # noqa: B018 - attribute access sends the GET
    assert err.value.status == 502
    assert [r.status for r in gh.requests] == [502]


def test_default_retry_hides_a_few_5xx_and_gives_up_with_requests_error(gh: FakeGitHub) -> None:
    g = client(gh)
    gh.fail_next(1, status=502)
    assert g.get_user().login == "gavel-bot"
    assert [r.status for r in gh.requests] == [502, 200]

    gh.reset_requests()
    gh.fail_next(11, status=502)
    # Not a GithubException: urllib3's retry gives up first.
    with pytest.raises(requests.exceptions.RetryError):
        g.get_user().login  # noqa: B018
    assert len(gh.requests) == 11


def test_primary_rate_limit_is_rate_limit_exceeded(gh: FakeGitHub) -> None:
    gh.rate_limit_next(1, reset_in=30)
    with pytest.raises(RateLimitExceededException) as err:
        client(gh, retry=None).search_issues(f"label:{AGENDA}").get_page(0)
    assert err.value.status == 403
    assert err.value.headers is not None
    assert err.value.headers["x-ratelimit-remaining"] == "0"
    assert err.value.headers["x-ratelimit-resource"] == "search"
    assert gh.search_count == 1


def test_secondary_rate_limit_with_retry_after(gh: FakeGitHub) -> None:
    gh.rate_limit_next(1, retry_after=7)
    with pytest.raises(RateLimitExceededException) as err:
        client(gh, retry=None).get_repo(REPO)
    assert err.value.headers is not None
    assert err.value.headers["retry-after"] == "7"
    assert "secondary rate limit" in err.value.data["message"]


def test_default_retry_waits_out_a_primary_rate_limit(gh: FakeGitHub) -> None:
    gh.rate_limit_next(1, reset_in=0)  # PyGithub sleeps until reset + 1 s, at most ~1 s here
    assert client(gh).get_repo(REPO).default_branch == "main"
    assert [r.status for r in gh.requests] == [403, 200]


def test_deny_writes_like_a_token_without_permission(gh: FakeGitHub) -> None:
    repo = client(gh, retry=None).get_repo(REPO)
    gh.deny_writes(path_pattern=r"/contents/|/git/refs")
    repo.create_issue("still allowed")
    with pytest.raises(GithubException) as err:
        repo.create_file("x.md", "msg", "x")
    assert err.value.status == 403
    assert err.value.data["message"] == "Resource not accessible by integration"
    assert err.value.headers is not None
    assert err.value.headers["x-accepted-github-permissions"] == "contents=write"

    gh.deny_writes()
    with pytest.raises(GithubException) as err2:
        repo.create_issue("now denied")
    assert err2.value.headers is not None
    assert "issues=write" in err2.value.headers["x-accepted-github-permissions"]
    assert repo.get_issue(1).title == "still allowed"  # reads still work
    gh.allow_writes()
    repo.create_issue("allowed again")
    assert [i["title"] for i in gh.issues(REPO)] == ["still allowed", "allowed again"]


def test_token_check_and_enterprise_prefix() -> None:
    with FakeGitHub(token="right", prefix="/api/v3") as gh:
        assert gh.base_url.endswith("/api/v3")
        with pytest.raises(BadCredentialsException):
            client(gh, retry=None).get_user().login  # noqa: B018
        g = Github(base_url=gh.base_url, auth=Auth.Token("right"), retry=None)
        assert g.get_user().login == "gavel-bot"
        assert gh.requests[-1].path == "/user"
        assert gh.requests[-1].headers["authorization"] == "token right"


def test_rate_limit_endpoint_reports_usage(gh: FakeGitHub) -> None:
    g = client(gh)
    list(g.search_issues("label:x"))
    overview = g.get_rate_limit()
    assert overview.resources.search.limit == 30
    assert overview.resources.search.remaining == 29
    assert overview.resources.core.limit == 5000
