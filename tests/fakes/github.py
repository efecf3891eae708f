"""A fake GitHub REST API served over real HTTP, for tests that drive PyGithub.

Why a real HTTP server instead of mocking PyGithub: Gavel's cost and correctness depend on
*which requests* PyGithub sends (one search request per page, lazy ``GET``s when a payload
lacks an attribute, retries on 5xx and rate limits); this fake records every request PyGithub
really makes.  It serves only what ``bot/github`` calls, with GitHub's behaviour where Gavel
depends on it:

* ``GET git/ref/{ref}`` (singular, what PyGithub's lazy ``get_git_ref`` requests).
* ``PUT contents``: unknown branch 404, an existing file without ``sha`` 422, a wrong ``sha``
  409; ``GET pulls?head=branch`` without ``owner:`` is ignored (all pulls come back).
* Search serves the first 1000 results only; pagination uses a ``Link`` header.

PyGithub's default ``GithubRetry`` retries 5xx answers (up to 10 times) and sleeps on 403
rate limits; pass ``retry=None`` to ``Github(...)`` to see the raw error.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import math
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tests.fakes.http import Hold, JSONServer

JSON = dict[str, Any]

DOCS = "https://docs.github.com/rest"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SEARCH_RESULT_CAP = 1000
PRIMARY_LIMIT_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID {rid} and timestamp {ts}."
)
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {rid}."
)


# --------------------------------------------------------------------------- records


@dataclass
class RecordedRequest:
    """One request as the fake received it: ``path`` percent-decoded, without the server
    prefix (it reads like GitHub's documentation); ``status`` is what the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 0

    @property
    def is_write(self) -> bool:
        """True for methods that change state (what a read-only token may not do)."""
        return self.method in WRITE_METHODS


@dataclass
class _Injection:
    """A canned answer to give to the next matching request instead of the real one."""

    status: int
    message: str
    method: str | None = None
    path_prefix: str | None = None
    # rate-limit answers: headers are computed when answering, so that the reset time
    # is relative to the request and the resource is the one actually requested
    rate_limited: bool = False
    reset_in: int = 0
    retry_after: int | None = None
    doc: str = DOCS

    def matches(self, method: str, path: str) -> bool:
        return self.method in (None, method) and path.startswith(self.path_prefix or "")


class _PathHold(Hold):
    """A :class:`Hold` of every request under ``path_prefix``, until released."""

    def __init__(self, path_prefix: str) -> None:
        super().__init__()
        self.path_prefix = path_prefix

    def matches(self, path: str) -> bool:
        return path.startswith(self.path_prefix) and not self._released.is_set()


@dataclass
class _Commit:
    sha: str
    tree: dict[str, str]  # path -> blob sha
    parents: list[str]
    message: str
    author: JSON


@dataclass
class _Issue:
    number: int
    title: str
    body: str | None
    state: str
    labels: list[str]
    is_pr: bool
    user: str
    created_at: str
    updated_at: str
    closed_at: str | None
    seq: int
    state_reason: str | None = None
    comments: list[JSON] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)  # logins (action items' owners)
    # pull-request-only fields
    head_ref: str | None = None
    head_sha: str | None = None
    base_ref: str | None = None
    draft: bool = False


@dataclass
class _Repo:
    owner: str
    name: str
    id: int
    default_branch: str
    created_at: str
    branches: dict[str, str] = field(default_factory=dict)  # branch -> commit sha
    commits: dict[str, _Commit] = field(default_factory=dict)
    issues: dict[int, _Issue] = field(default_factory=dict)
    labels: dict[str, JSON] = field(default_factory=dict)  # lower name -> label json
    next_number: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class _Resp:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class _HttpError(Exception):
    """Raised inside route handlers; turned into GitHub's JSON error shape."""

    def __init__(self, status: int, message: str, *, errors: list[JSON] | None = None,
                 headers: dict[str, str] | None = None, doc: str = DOCS) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.doc = status, message, errors, doc
        self.headers = headers or {}


def _not_found() -> _HttpError:
    return _HttpError(404, "Not Found")


def _validation_failed(errors: list[JSON], doc: str = DOCS) -> _HttpError:
    return _HttpError(422, "Validation Failed", errors=errors, doc=doc)


# --------------------------------------------------------------------------- helpers


def _now_iso(later: float = 0) -> str:
    """GitHub's timestamp format, for now (or ``later`` seconds from now)."""
    return datetime.fromtimestamp(time.time() + later, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _blob_sha(data: bytes) -> str:
    """Git's blob id, so shas look (and behave) like the real ones."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _stable_id(text: str) -> int:
    return zlib.crc32(text.encode()) % 90_000_000 + 1_000_000


def _as_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_TOKEN_RE = re.compile(r'(-?)([A-Za-z_-]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)')


@dataclass
class _Term:
    negated: bool
    key: str | None  # None for free text
    value: str


def _parse_query(q: str) -> list[_Term]:
    terms: list[_Term] = []
    for m in _TOKEN_RE.finditer(q):
        neg, key, qval, phrase, word = m.groups()
        if key is not None:
            terms.append(_Term(bool(neg), key.lower(), qval.strip('"')))
        else:
            terms.append(_Term(False, None, phrase if phrase is not None else word))
    return terms


# --------------------------------------------------------------------------- server


Route = tuple[str, re.Pattern[str], Callable[..., _Resp]]


class FakeGitHub:
    """In-memory GitHub answering PyGithub over HTTP on ``127.0.0.1:<random port>``.

    All state lives in this object; every request is recorded in :attr:`requests`.
    Thread-safe: requests are served one at a time under a lock, so tests may call the
    seeding and inspection helpers while the bot runs in another thread.
    """

    def __init__(self, *, token: str | None = None, prefix: str = "") -> None:
        """``token``: when set, requests without ``Authorization: token|Bearer <token>`` get
        GitHub's 401 "Bad credentials".  ``prefix``: path prefix, e.g. ``"/api/v3"`` to
        emulate GitHub Enterprise.  Writes are authored by ``gavel-bot``."""
        self.login = "gavel-bot"
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.html_base = "https://github.com"  # links Gavel posts; API calls go to the fake
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._repos: dict[str, _Repo] = {}
        self._injections: list[_Injection] = []
        self._holds: list[_PathHold] = []
        self._deny: re.Pattern[str] | None = None  # paths where writes are refused
        self._ids = itertools.count(1000)
        self._seq = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._limits = {"core": 5000, "search": 30}
        self._used = {"core": 0, "search": 0}
        self._windows = {"core": 3600, "search": 60}
        self._reset_at = {k: int(time.time()) + w for k, w in self._windows.items()}
        self._server: JSONServer | None = None
        self._blobs: dict[str, bytes] = {}  # blob sha -> bytes, shared by all repos
        self._installations: dict[str, int] = {}
        self._token_lifetime = 3600
        self.issued_tokens: list[str] = []
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeGitHub:
        """Bind a free port and serve in a daemon thread (idempotent)."""
        if self._server is None:
            self._server = JSONServer(self._dispatch, "FakeGitHub")
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        for held in self._holds:
            held.release()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeGitHub is not started")
        return self._server.port

    @property
    def base_url(self) -> str:
        """What to pass as ``Github(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    # ------------------------------------------------------------------ request log

    def reset_requests(self) -> None:
        """Forget recorded requests (e.g. after seeding through the API)."""
        with self._lock:
            self.requests.clear()

    @property
    def search_count(self) -> int:
        """Requests to the search API, which GitHub limits to 30/minute (failed or injected
        ones included)."""
        return len(self.calls(path_prefix="/search/"))

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[RecordedRequest]:
        """Recorded requests filtered by method and path prefix."""
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method.upper())
                    and r.path.startswith(path_prefix)]

    # ------------------------------------------------------------------ failure injection

    def fail_next(self, n: int = 1, status: int = 502, *, message: str = "Server Error",
                  method: str | None = None, path_prefix: str | None = None) -> None:
        """Answer the next ``n`` (matching) requests with ``status`` and GitHub's error shape.

        Remember PyGithub's default retry swallows up to 10 consecutive 5xx answers.
        """
        with self._lock:
            self._injections += [_Injection(status, message, method and method.upper(),
                                            path_prefix)] * n

    def rate_limit_next(
        self, n: int = 1, reset_in: int = 1, status: int = 403, retry_after: int | None = None,
        *, method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """Answer the next ``n`` (matching) requests like an exhausted GitHub rate limit.

        Primary limit: ``x-ratelimit-remaining: 0``, ``x-ratelimit-reset`` = now +
        ``reset_in`` and "API rate limit exceeded ...".  With ``retry_after``, the secondary
        limit: "You have exceeded a secondary rate limit ..." plus ``retry-after``.  With
        ``status=403`` PyGithub raises ``RateLimitExceededException`` (after its retries).
        """
        is_secondary = retry_after is not None
        template = SECONDARY_LIMIT_MESSAGE if is_secondary else PRIMARY_LIMIT_MESSAGE
        doc = DOCS + ("/overview/rate-limits-for-the-rest-api" if is_secondary
                      else "/overview/resources-in-the-rest-api#rate-limiting")
        injection = _Injection(
            status, template.format(rid="F4KE:0000:0000:0000:0000", ts=_now_iso()),
            method and method.upper(),
            path_prefix, rate_limited=True, reset_in=reset_in, retry_after=retry_after, doc=doc)
        with self._lock:
            self._injections += [injection] * n

    def hold(self, path_prefix: str) -> Hold:
        """Keep every request under ``path_prefix`` waiting until ``release()`` (see
        :class:`Hold`); other requests are answered meanwhile."""
        held = _PathHold(path_prefix)
        with self._lock:
            self._holds.append(held)
        return held

    def deny_writes(self, path_pattern: str = "") -> None:
        """Refuse every write (POST/PUT/PATCH/DELETE) whose path ``path_pattern`` (a regex)
        is found in, from now on, e.g. ``r"/contents/|/git/refs"``.

        Emulates a GitHub App / fine-grained token without the needed permission: GitHub
        answers 403 "Resource not accessible by integration" with the header
        ``x-accepted-github-permissions`` naming what the endpoint needs.
        """
        with self._lock:
            self._deny = re.compile(path_pattern)

    # ------------------------------------------------------------------ seeding state

    def add_repo(self, full_name: str, default_branch: str = "main", *,
                 files: Mapping[str, str | bytes] | None = None) -> JSON:
        """Create a repository with one initial commit (holding ``files``) on ``default_branch``."""
        owner, _, name = full_name.partition("/")
        if not owner or not name:
            raise ValueError(f"expected owner/name, got {full_name!r}")
        with self._lock:
            repo = _Repo(owner, name, _stable_id(full_name), default_branch, _now_iso())
            self._repos[full_name.lower()] = repo
            tree = {path: self._store_blob(data) for path, data in (files or {}).items()}
            repo.branches[default_branch] = self._new_commit(repo, tree, [], "Initial commit", None)
            return self._repo_json(repo)

    def add_issue(
        self, repo: str, number: int | None, title: str, labels: Iterable[str] = (),
        is_pr: bool = False, state: str = "open", *, body: str | None = None,
        user: str = "octocat", head: str | None = None, base: str | None = None,
        draft: bool = False,
    ) -> JSON:
        """Seed an issue or pull request; ``number=None`` takes the next free number.

        Issues and pulls share one number space per repository, as on GitHub.  For a
        PR, ``head`` defaults to ``pr-<number>`` (no such branch is needed) and ``base``
        to the default branch.  Returns the issue payload as the API would return it.
        """
        with self._lock:
            r = self._repo(repo)
            num = number if number is not None else r.next_number
            if num in r.issues:
                raise ValueError(f"{repo}#{num} already exists")
            r.next_number = max(r.next_number, num + 1)
            ts = _now_iso()
            closed = state == "closed"
            issue = _Issue(
                number=num, title=title, body=body, state=state, is_pr=is_pr, user=user,
                labels=[self._ensure_label(r, lab)["name"] for lab in labels], created_at=ts,
                updated_at=ts, closed_at=ts if closed else None, seq=next(self._seq),
                state_reason="completed" if closed and not is_pr else None)
            if is_pr:
                issue.head_ref = head or f"pr-{num}"
                issue.head_sha = (r.branches.get(issue.head_ref)
                                  or hashlib.sha1(f"{repo}#{num}".encode()).hexdigest())
                issue.base_ref = base or r.default_branch
                issue.draft = draft
            r.issues[num] = issue
            return self._issue_json(r, issue)

    # ------------------------------------------------------------------ inspecting state

    def issues(self, repo: str) -> list[JSON]:
        """All issues *and* pulls of ``repo`` (issue payloads), by number."""
        with self._lock:
            r = self._repo(repo)
            return [self._issue_json(r, i) for _, i in sorted(r.issues.items())]

    def pulls(self, repo: str) -> list[JSON]:
        """All pull requests of ``repo`` (pull payloads with ``head``/``base``), by number."""
        with self._lock:
            r = self._repo(repo)
            return [self._pull_json(r, i) for _, i in sorted(r.issues.items()) if i.is_pr]

    def comments(self, repo: str, number: int) -> list[JSON]:
        """Comments on issue/PR ``number``, oldest first."""
        with self._lock:
            return copy.deepcopy(self._repo(repo).issues[number].comments)

    def branches(self, repo: str) -> dict[str, str]:
        """Branch name -> head commit sha."""
        with self._lock:
            return dict(self._repo(repo).branches)

    def file(self, repo: str, path: str, branch: str | None = None) -> str | None:
        """Text of ``path`` at the head of ``branch`` (default branch), or ``None`` if absent."""
        with self._lock:
            r = self._repo(repo)
            sha = r.branches.get(branch or r.default_branch)
            blob = r.commits[sha].tree.get(path) if sha is not None else None
            return None if blob is None else self._blobs[blob].decode("utf-8")

    # ------------------------------------------------------------------ internals: state

    def _store_blob(self, data: str | bytes) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        sha = _blob_sha(raw)
        self._blobs[sha] = raw
        return sha

    def _new_commit(self, repo: _Repo, tree: dict[str, str], parents: list[str], message: str,
                    author: JSON | None) -> str:
        signature = {"name": (author or {}).get("name", self.login),
                     "email": (author or {}).get("email", f"{self.login}@users.noreply.github.com"),
                     "date": _now_iso()}
        seed = f"{repo.full_name}|{parents}|{sorted(tree.items())}|{message}|{next(self._ids)}"
        sha = hashlib.sha1(seed.encode()).hexdigest()
        repo.commits[sha] = _Commit(sha, dict(tree), list(parents), message, signature)
        return sha

    def _is_ancestor(self, repo: _Repo, ancestor: str, sha: str) -> bool:
        todo, seen = [sha], set()
        while todo:
            cur = todo.pop()
            if cur == ancestor:
                return True
            if cur in seen or cur not in repo.commits:
                continue
            seen.add(cur)
            todo.extend(repo.commits[cur].parents)
        return False

    def _repo(self, full_name: str) -> _Repo:
        try:
            return self._repos[full_name.lower()]
        except KeyError:
            raise KeyError(f"no repo {full_name!r}; call add_repo first") from None

    def _api_repo(self, owner: str, name: str) -> _Repo:
        repo = self._repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise _not_found()
        return repo

    def _ensure_label(self, repo: _Repo, name: str) -> JSON:
        key = name.lower()
        if key not in repo.labels:
            lid = next(self._ids)
            repo.labels[key] = {
                "id": lid, "node_id": f"LA_{lid}", "name": name, "color": "ededed",
                "url": f"{self._api}/repos/{repo.full_name}/labels/{quote(name)}",
                "default": False, "description": None}
        return repo.labels[key]

    # ------------------------------------------------------------------ internals: payloads

    @property
    def _api(self) -> str:
        return self.base_url if self._server is not None else f"http://127.0.0.1:0{self.prefix}"

    def _user_json(self, login: str) -> JSON:
        uid = _stable_id(login)
        return {"login": login, "id": uid, "node_id": f"U_{uid}",
                "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
                "url": f"{self._api}/users/{login}", "html_url": f"{self.html_base}/{login}",
                "type": "Bot" if login.endswith("[bot]") else "User", "site_admin": False}

    def _repo_json(self, repo: _Repo) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        open_count = sum(1 for i in repo.issues.values() if i.state == "open")
        return {
            "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name,
            "full_name": repo.full_name, "private": False,
            "owner": {**self._user_json(repo.owner), "type": "Organization"},
            "html_url": f"{self.html_base}/{repo.full_name}", "description": None,
            "fork": False, "url": api, "issues_url": f"{api}/issues{{/number}}",
            "pulls_url": f"{api}/pulls{{/number}}", "contents_url": f"{api}/contents/{{+path}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "clone_url": f"{self.html_base}/{repo.full_name}.git",
            "created_at": repo.created_at, "updated_at": repo.created_at,
            "pushed_at": repo.created_at, "default_branch": repo.default_branch,
            "visibility": "public", "has_issues": True,
            "archived": False, "disabled": False, "open_issues_count": open_count,
            "open_issues": open_count,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True,
                            "pull": True},
        }

    def _issue_json(self, repo: _Repo, issue: _Issue) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        url = f"{api}/issues/{issue.number}"
        kind = "pull" if issue.is_pr else "issues"
        data: JSON = {
            "url": url, "repository_url": api, "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments", "events_url": f"{url}/events",
            "html_url": f"{self.html_base}/{repo.full_name}/{kind}/{issue.number}",
            "id": _stable_id(f"{repo.full_name}#{issue.number}"),
            "node_id": f"{'PR' if issue.is_pr else 'I'}_{repo.id}_{issue.number}",
            "number": issue.number, "title": issue.title, "user": self._user_json(issue.user),
            "labels": [copy.deepcopy(self._ensure_label(repo, lab)) for lab in issue.labels],
            "state": issue.state, "locked": False,
            "assignee": self._user_json(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self._user_json(login) for login in issue.assignees],
            "milestone": None,
            "comments": len(issue.comments), "created_at": issue.created_at,
            "updated_at": issue.updated_at, "closed_at": issue.closed_at,
            "author_association": "MEMBER", "active_lock_reason": None, "body": issue.body,
            "reactions": {"url": f"{url}/reactions", "total_count": 0},
            "timeline_url": f"{url}/timeline", "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.is_pr:
            html = f"{self.html_base}/{repo.full_name}/pull/{issue.number}"
            data["draft"] = issue.draft
            data["pull_request"] = {
                "url": f"{api}/pulls/{issue.number}", "html_url": html,
                "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
                "merged_at": None}
        return data

    def _branch_side(self, repo: _Repo, ref: str, sha: str) -> JSON:
        return {"label": f"{repo.owner}:{ref}", "ref": ref, "sha": sha,
                "user": self._user_json(repo.owner), "repo": self._repo_json(repo)}

    def _pull_json(self, repo: _Repo, issue: _Issue) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        url = f"{api}/pulls/{issue.number}"
        data = self._issue_json(repo, issue)
        head_ref = issue.head_ref or ""
        base_ref = issue.base_ref or repo.default_branch
        head_sha = repo.branches.get(head_ref, issue.head_sha or "")
        for key in ("repository_url", "labels_url", "events_url", "pull_request", "reactions",
                    "timeline_url", "performed_via_github_app", "state_reason"):
            data.pop(key, None)
        data.update(
            url=url, id=_stable_id(f"pull {repo.full_name}#{issue.number}"),
            diff_url=f"{data['html_url']}.diff", patch_url=f"{data['html_url']}.patch",
            issue_url=f"{api}/issues/{issue.number}", commits_url=f"{url}/commits",
            review_comments_url=f"{url}/comments", statuses_url=f"{api}/statuses/{head_sha}",
            merged_at=None, merge_commit_sha=None,
            requested_reviewers=[], requested_teams=[], draft=issue.draft,
            head=self._branch_side(repo, head_ref, head_sha),
            base=self._branch_side(repo, base_ref, repo.branches.get(base_ref, "")),
            _links={"self": {"href": url}, "html": {"href": data["html_url"]},
                    "issue": {"href": f"{api}/issues/{issue.number}"},
                    "comments": {"href": f"{api}/issues/{issue.number}/comments"}},
            merged=False, mergeable=None, mergeable_state="unknown",
            maintainer_can_modify=True)
        return data

    def _ref_json(self, repo: _Repo, branch: str) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        sha = repo.branches[branch]
        return {"ref": f"refs/heads/{branch}", "url": f"{api}/git/refs/heads/{quote(branch)}",
                "node_id": f"REF_{_stable_id(repo.full_name + branch)}",
                "object": {"sha": sha, "type": "commit", "url": f"{api}/git/commits/{sha}"}}

    def _commit_json(self, repo: _Repo, sha: str) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        html = f"{self.html_base}/{repo.full_name}/commit"
        c = repo.commits[sha]
        tree_sha = hashlib.sha1(repr(sorted(c.tree.items())).encode()).hexdigest()
        return {
            "sha": sha, "node_id": f"C_{sha[:12]}", "url": f"{api}/git/commits/{sha}",
            "html_url": f"{html}/{sha}", "author": dict(c.author), "committer": dict(c.author),
            "message": c.message, "tree": {"sha": tree_sha, "url": f"{api}/git/trees/x"},
            "parents": [{"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{html}/{p}"}
                        for p in c.parents],
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None},
        }

    def _content_json(
        self, repo: _Repo, path: str, ref: str, blob: str, *, with_content: bool
    ) -> JSON:
        api = f"{self._api}/repos/{repo.full_name}"
        html = f"{self.html_base}/{repo.full_name}/blob/{ref}/{path}"
        git_url = f"{api}/git/blobs/{blob}"
        self_url = f"{api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
        data: JSON = {
            "type": "file", "size": len(self._blobs[blob]), "name": path.rsplit("/", 1)[-1],
            "path": path, "sha": blob, "url": self_url, "git_url": git_url, "html_url": html,
            "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}",
            "_links": {"self": self_url, "git": git_url, "html": html},
        }
        if with_content:
            data["encoding"] = "base64"
            data["content"] = base64.encodebytes(self._blobs[blob]).decode("ascii")
        return data

    # ------------------------------------------------------------------ internals: HTTP

    def _dispatch(self, method: str, raw_path: str, headers: dict[str, str],
                  raw_body: bytes) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :] or "/"
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = None
        rec = RecordedRequest(method, path, query, body, headers)
        with self._lock:
            held = next((h for h in self._holds if h.matches(path)), None)
        if held is not None:
            held.wait()  # outside the lock: other requests are served meanwhile
        with self._lock:
            self.requests.append(rec)
            resource = "search" if path.startswith("/search/") else "core"
            if path != "/rate_limit":
                self._count(resource)
            resp = self._answer(rec, raw_body, resource)
            rec.status = resp.status
            resp.headers = {**self._rate_headers(resource), **resp.headers}
            resp.headers.setdefault("x-github-request-id", f"F4KE:{next(self._request_ids):04X}")
            resp.headers.setdefault("x-github-api-version-selected", "2022-11-28")
            return resp.status, resp.headers, resp.body

    def _count(self, resource: str) -> None:
        now = int(time.time())
        if now >= self._reset_at[resource]:
            self._used[resource] = 0
            self._reset_at[resource] = now + self._windows[resource]
        self._used[resource] += 1

    def _rate_headers(self, resource: str) -> dict[str, str]:
        limit, used = self._limits[resource], self._used[resource]
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(limit - used, 0)),
                "x-ratelimit-reset": str(self._reset_at[resource]), "x-ratelimit-used": str(used),
                "x-ratelimit-resource": resource}

    def _answer(self, req: RecordedRequest, raw_body: bytes, resource: str) -> _Resp:
        try:
            if self.token is not None and not self._authorized(req.headers):
                raise _HttpError(401, "Bad credentials")
            inj = next((i for i in self._injections if i.matches(req.method, req.path)), None)
            if inj is not None:
                self._injections.remove(inj)
                raise _HttpError(inj.status, inj.message, doc=inj.doc,
                                 headers=self._injected_headers(inj, resource))
            if req.is_write and self._deny is not None and self._deny.search(req.path):
                raise _HttpError(403, "Resource not accessible by integration", headers={
                    "x-accepted-github-permissions": self._needed_permission(req.path)})
            if raw_body and req.json is None:
                raise _HttpError(400, "Problems parsing JSON")
            for method, pattern, handler in self._routes:
                m = pattern.fullmatch(req.path) if method == req.method else None
                if m:
                    return handler(req, **m.groupdict())
            raise _not_found()
        except _HttpError as err:
            body: JSON = {"message": err.message, "documentation_url": err.doc,
                          "status": str(err.status)}
            if err.errors is not None:
                body["errors"] = err.errors
            return _Resp(err.status, body, err.headers)

    def _injected_headers(self, inj: _Injection, resource: str) -> dict[str, str]:
        if not inj.rate_limited:
            return {}
        limit = str(self._limits[resource])
        headers = {"x-ratelimit-limit": limit, "x-ratelimit-remaining": "0",
                   "x-ratelimit-used": limit, "x-ratelimit-resource": resource,
                   "x-ratelimit-reset": str(int(time.time()) + inj.reset_in)}
        if inj.retry_after is not None:
            headers["retry-after"] = str(inj.retry_after)
        return headers

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.count(".") == 2 and self._installations:
            return True  # an app's JWT (only the app endpoints answer it usefully)
        if scheme.lower() == "token" and value in self.issued_tokens:
            return True
        return scheme.lower() in ("token", "bearer") and value == self.token

    @staticmethod
    def _needed_permission(path: str) -> str:
        if "/contents/" in path or "/git/" in path:
            return "contents=write"
        if "/pulls" in path:
            return "pull_requests=write"
        if "/issues" in path:
            return "issues=write; pull_requests=write"
        return "metadata=read"

    def _build_routes(self) -> list[Route]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
        table: list[tuple[str, str, Callable[..., _Resp]]] = [
            ("GET", r"/orgs/(?P<org>[^/]+)/installation", self._get_org_installation),
            ("POST", r"/app/installations/(?P<iid>\d+)/access_tokens", self._create_token),
            ("GET", r"/search/issues", self._search_issues),
            ("GET", repo, self._get_repo),
            ("POST", repo + r"/issues", self._create_issue),
            ("GET", repo + r"/issues/(?P<number>\d+)", self._get_issue),
            ("PATCH", repo + r"/issues/(?P<number>\d+)", self._edit_issue),
            ("POST", repo + r"/issues/(?P<number>\d+)/comments", self._create_comment),
            ("GET", repo + r"/git/ref/(?P<ref>.+)", self._get_ref),
            ("POST", repo + r"/git/refs", self._create_ref),
            ("GET", repo + r"/contents/(?P<path>.+)", self._get_contents),
            ("PUT", repo + r"/contents/(?P<path>.+)", self._put_contents),
            ("GET", repo + r"/pulls", self._list_pulls),
            ("POST", repo + r"/pulls", self._create_pull),
        ]
        return [(m, re.compile(p), h) for m, p, h in table]

    def _paginate(self, req: RecordedRequest, items: list[Any], *, wrap: JSON | None = None,
                  cap: int | None = None) -> _Resp:
        """Slice ``items`` by ``per_page``/``page`` and add GitHub's ``Link`` header."""
        per_page = min(max(_as_int(req.query.get("per_page"), 30), 1), 100)
        page = max(_as_int(req.query.get("page"), 1), 1)
        reachable = len(items) if cap is None else min(len(items), cap)
        if cap is not None and (page - 1) * per_page >= cap:
            raise _validation_failed([{"message": f"Only the first {cap} search results are "
                                       "available", "resource": "Search", "field": "q",
                                       "code": "invalid"}])
        last = max(math.ceil(reachable / per_page), 1)
        chunk = items[(page - 1) * per_page : min(page * per_page, reachable)]

        def link(p: int, rel: str) -> str:
            q = {**req.query, "page": str(p)}
            return f'<{self.base_url}{quote(req.path)}?{urlencode(q)}>; rel="{rel}"'

        links = [link(page - 1, "prev")] if page > 1 else []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        body: Any = chunk if wrap is None else {**wrap, "items": chunk}
        return _Resp(200, body, {"Link": ", ".join(links)} if links else {})

    # ------------------------------------------------------------------ routes

    def install_app(self, org: str, installation_id: int = 4242,
                    token_lifetime: int = 3600) -> None:
        """Install a GitHub App on ``org``: ``GET /orgs/{org}/installation`` answers (to a
        ``Bearer`` JWT) and ``POST /app/installations/{id}/access_tokens`` issues tokens
        ``ghs_1``, ``ghs_2``... living ``token_lifetime`` seconds, which are then accepted
        like :attr:`token`. ``issued_tokens`` lists them."""
        with self._lock:
            self._installations[org.lower()] = installation_id
            self._token_lifetime = token_lifetime

    def _get_org_installation(self, req: RecordedRequest, org: str) -> _Resp:
        if not req.headers.get("authorization", "").startswith("Bearer "):
            raise _HttpError(401, "A JSON web token could not be decoded")
        iid = self._installations.get(org.lower())
        if iid is None:
            raise _not_found()
        tokens_url = f"{self._api}/app/installations/{iid}/access_tokens"
        return _Resp(200, {"id": iid, "account": self._user_json(org), "app_id": 1,
                           "target_type": "Organization", "permissions": {},
                           "access_tokens_url": tokens_url})

    def _create_token(self, req: RecordedRequest, iid: str) -> _Resp:
        if not req.headers.get("authorization", "").startswith("Bearer "):
            raise _HttpError(401, "A JSON web token could not be decoded")
        token = f"ghs_{len(self.issued_tokens) + 1}"
        self.issued_tokens.append(token)
        return _Resp(201, {"token": token, "expires_at": _now_iso(self._token_lifetime),
                           "permissions": {"issues": "write", "contents": "write"},
                           "repository_selection": "all"})

    def _search_issues(self, req: RecordedRequest) -> _Resp:
        q = req.query.get("q", "")
        if not q.strip():
            raise _validation_failed([{"resource": "Search", "field": "q", "code": "missing"}])
        terms = _parse_query(q)
        # No sort means "best match"; the fake uses seeding order, which is deterministic.
        found = sorted(((repo, issue) for repo in self._repos.values()
                        for issue in repo.issues.values() if self._matches(repo, issue, terms)),
                       key=lambda ri: ri[1].seq)
        items = [{**self._issue_json(r, i), "score": 1.0} for r, i in found]
        return self._paginate(req, items, cap=SEARCH_RESULT_CAP,
                              wrap={"total_count": len(items), "incomplete_results": False})

    def _matches(self, repo: _Repo, issue: _Issue, terms: list[_Term]) -> bool:
        """GitHub search semantics for the qualifiers Gavel sends (is:, label:, org:, repo:,
        in:, text): qualifiers AND-ed, repeated org:/repo: OR-ed."""
        fields = {"title", "body"}
        for t in terms:
            if t.key == "in":
                fields = set(t.value.lower().split(","))
        for key, value in (("org", repo.owner), ("repo", repo.full_name)):
            wanted = [t.value.lower() for t in terms if t.key == key and not t.negated]
            if wanted and value.lower() not in wanted:
                return False
        labels = {lab.lower() for lab in issue.labels}
        for t in terms:
            v = t.value.lower()
            if t.key in ("org", "repo", "in"):
                continue
            if t.key == "is" and v in ("open", "closed"):
                ok = issue.state == v
            elif t.key == "is" and v in ("issue", "pr"):
                ok = issue.is_pr == (v == "pr")
            elif t.key == "label":
                ok = any(lab in labels for lab in v.split(","))
            else:  # GitHub treats unknown qualifiers as plain text.
                text = v if t.key is None else f"{t.key}:{v}"
                haystack = [issue.title] if "title" in fields else []
                haystack += [issue.body or ""] if "body" in fields else []
                ok = text in "\n".join(haystack).lower()
            if ok == t.negated:
                return False
        return True

    def _get_repo(self, req: RecordedRequest, owner: str, name: str) -> _Resp:
        return _Resp(200, self._repo_json(self._api_repo(owner, name)))

    def _api_issue(self, repo: _Repo, number: str) -> _Issue:
        issue = repo.issues.get(int(number))
        if issue is None:
            raise _not_found()
        return issue

    def _create_issue(self, req: RecordedRequest, owner: str, name: str) -> _Resp:
        repo = self._api_repo(owner, name)
        body = req.json if isinstance(req.json, dict) else {}
        if not body.get("title"):
            raise _validation_failed([{"resource": "Issue", "field": "title",
                                       "code": "missing_field"}])
        data = self.add_issue(repo.full_name, None, str(body["title"]),
                              labels=body.get("labels") or (), body=body.get("body"),
                              user=self.login)
        if body.get("assignees"):
            with self._lock:
                issue = self._repo(repo.full_name).issues[int(data["number"])]
                issue.assignees = [str(login) for login in body["assignees"]]
                data = self._issue_json(self._repo(repo.full_name), issue)
        return _Resp(201, data, {"Location": data["url"]})

    def _get_issue(self, req: RecordedRequest, owner: str, name: str, number: str) -> _Resp:
        repo = self._api_repo(owner, name)
        return _Resp(200, self._issue_json(repo, self._api_issue(repo, number)))

    def _apply_issue_edit(self, repo: _Repo, issue: _Issue, body: JSON) -> None:
        if body.get("title") is not None:
            issue.title = str(body["title"])
        if "body" in body:
            issue.body = body["body"]
        if body.get("assignees") is not None:
            issue.assignees = [str(login) for login in body["assignees"]]
        if body.get("labels") is not None:
            issue.labels = [self._ensure_label(repo, str(lab))["name"] for lab in body["labels"]]
        state = body.get("state")
        if state is not None and state not in ("open", "closed"):
            raise _validation_failed([{"resource": "Issue", "field": "state", "code": "invalid"}])
        if state is not None and state != issue.state:
            issue.state = state
            issue.closed_at = _now_iso() if state == "closed" else None
            if not issue.is_pr:
                issue.state_reason = body.get("state_reason") or (
                    "completed" if state == "closed" else "reopened")
        issue.updated_at = _now_iso()

    def _edit_issue(self, req: RecordedRequest, owner: str, name: str, number: str) -> _Resp:
        repo = self._api_repo(owner, name)
        issue = self._api_issue(repo, number)
        self._apply_issue_edit(repo, issue, req.json if isinstance(req.json, dict) else {})
        return _Resp(200, self._issue_json(repo, issue))

    def _create_comment(self, req: RecordedRequest, owner: str, name: str, number: str) -> _Resp:
        repo = self._api_repo(owner, name)
        issue = self._api_issue(repo, number)
        body = req.json if isinstance(req.json, dict) else {}
        if not body.get("body"):
            raise _validation_failed([{"resource": "IssueComment", "field": "body",
                                       "code": "missing_field"}])
        cid = next(self._ids)
        api = f"{self._api}/repos/{repo.full_name}"
        html = f"{self.html_base}/{repo.full_name}/{'pull' if issue.is_pr else 'issues'}"
        now = _now_iso()
        comment = {
            "id": cid, "node_id": f"IC_{cid}", "url": f"{api}/issues/comments/{cid}",
            "html_url": f"{html}/{issue.number}#issuecomment-{cid}",
            "issue_url": f"{api}/issues/{issue.number}", "body": body["body"],
            "user": self._user_json(self.login), "created_at": now, "updated_at": now,
            "author_association": "MEMBER", "performed_via_github_app": None,
            "reactions": {"url": f"{api}/issues/comments/{cid}/reactions", "total_count": 0},
        }
        issue.comments.append(comment)
        issue.updated_at = now
        return _Resp(201, copy.deepcopy(comment), {"Location": comment["url"]})

    def _branch_of(self, repo: _Repo, ref: str) -> str:
        if not ref.startswith("heads/"):
            raise _not_found()  # tags are not modelled
        branch = ref[len("heads/") :]
        if branch not in repo.branches:
            raise _not_found()
        return branch

    def _get_ref(self, req: RecordedRequest, owner: str, name: str, ref: str) -> _Resp:
        repo = self._api_repo(owner, name)
        return _Resp(200, self._ref_json(repo, self._branch_of(repo, ref)))

    def _create_ref(self, req: RecordedRequest, owner: str, name: str) -> _Resp:
        repo = self._api_repo(owner, name)
        body = req.json if isinstance(req.json, dict) else {}
        ref, sha = body.get("ref"), body.get("sha")
        doc = "https://docs.github.com/rest/git/refs#create-a-reference"
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise _HttpError(422, "Reference name must start with 'refs/' and have at least two "
                             "slashes.", doc=doc)
        if not ref.startswith("refs/heads/"):
            raise _HttpError(422, "Only branch refs (refs/heads/...) are supported by FakeGitHub",
                             doc=doc)
        branch = ref.removeprefix("refs/heads/")
        if not isinstance(sha, str) or sha not in repo.commits:
            raise _HttpError(422, "Object does not exist", doc=doc)
        if branch in repo.branches:
            raise _HttpError(422, "Reference already exists", doc=doc)
        repo.branches[branch] = sha
        data = self._ref_json(repo, branch)
        return _Resp(201, data, {"Location": data["url"]})

    def _resolve_ref(self, repo: _Repo, ref: str | None) -> tuple[str, str]:
        """Branch name (what Gavel passes) -> (branch, commit sha)."""
        branch = (ref or repo.default_branch).removeprefix("refs/heads/")
        if branch not in repo.branches:
            raise _HttpError(404, f"No commit found for the ref {branch}")
        return branch, repo.branches[branch]

    def _get_contents(self, req: RecordedRequest, owner: str, name: str, path: str) -> _Resp:
        repo = self._api_repo(owner, name)
        ref, sha = self._resolve_ref(repo, req.query.get("ref"))
        blob = repo.commits[sha].tree.get(path)  # files only: Gavel never lists a directory
        if blob is None:
            raise _not_found()
        return _Resp(200, self._content_json(repo, path, ref, blob, with_content=True))

    def _put_contents(self, req: RecordedRequest, owner: str, name: str, path: str) -> _Resp:
        repo = self._api_repo(owner, name)
        body = req.json if isinstance(req.json, dict) else {}
        doc = "https://docs.github.com/rest/repos/contents#create-or-update-file-contents"
        for key in ("message", "content"):
            if not isinstance(body.get(key), str):
                raise _HttpError(422, f'Invalid request.\n\n"{key}" wasn\'t supplied.', doc=doc)
        branch = body.get("branch") or repo.default_branch
        if branch not in repo.branches:
            raise _HttpError(404, f"Branch {branch} not found", doc=doc)
        try:
            data = base64.b64decode(body["content"], validate=True)
        except ValueError:
            raise _HttpError(422, "content is not valid Base64", doc=doc) from None
        head = repo.commits[repo.branches[branch]]
        existing = head.tree.get(path)
        if existing is not None and body.get("sha") is None:
            raise _HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', doc=doc)
        if existing is not None and body["sha"] != existing:
            raise _HttpError(409, f"{path} does not match {body['sha']}", doc=doc)
        blob = self._store_blob(data)
        sha = self._new_commit(repo, {**head.tree, path: blob}, [head.sha], body["message"],
                               body.get("author") or body.get("committer"))
        repo.branches[branch] = sha
        content = self._content_json(repo, path, branch, blob, with_content=False)
        return _Resp(200 if existing is not None else 201,
                     {"content": content, "commit": self._commit_json(repo, sha)})

    def _list_pulls(self, req: RecordedRequest, owner: str, name: str) -> _Resp:
        repo = self._api_repo(owner, name)
        state = req.query.get("state", "open")
        head = req.query.get("head") or ""
        # GitHub silently ignores a bare branch name (no "owner:").
        head_owner, _, head_ref = head.partition(":") if ":" in head else ("", "", None)
        pulls = [i for i in repo.issues.values() if i.is_pr
                 and (state == "all" or i.state == state)
                 and (head_ref is None or (i.head_ref == head_ref
                                           and head_owner.lower() == repo.owner.lower()))
                 and req.query.get("base") in (None, i.base_ref)]
        pulls.sort(key=lambda i: (i.created_at, i.seq),
                   reverse=req.query.get("direction", "desc") != "asc")
        return self._paginate(req, [self._pull_json(repo, i) for i in pulls])

    def _create_pull(self, req: RecordedRequest, owner: str, name: str) -> _Resp:
        repo = self._api_repo(owner, name)
        body = req.json if isinstance(req.json, dict) else {}

        def invalid(field: str, code: str = "invalid", message: str = "") -> _HttpError:
            error = {"resource": "PullRequest", "field": field, "code": code}
            if message:
                error = {"resource": "PullRequest", "code": "custom", "message": message}
            return _validation_failed(
                [error], "https://docs.github.com/rest/pulls/pulls#create-a-pull-request")

        for key in ("head", "base", "title"):
            if not body.get(key):
                raise invalid(key, "missing_field")
        head_owner, _, head_ref = str(body["head"]).rpartition(":")
        base_ref = str(body["base"])
        if (head_owner and head_owner.lower() != repo.owner.lower()) or (
                head_ref not in repo.branches):
            raise invalid("head")
        if base_ref not in repo.branches:
            raise invalid("base")
        if any(i.is_pr and i.state == "open" and (i.head_ref, i.base_ref) == (head_ref, base_ref)
               for i in repo.issues.values()):
            raise invalid("", message=f"A pull request already exists for {repo.owner}:{head_ref}.")
        if self._is_ancestor(repo, repo.branches[head_ref], repo.branches[base_ref]):
            raise invalid("", message=f"No commits between {base_ref} and {head_ref}")
        data = self.add_issue(repo.full_name, None, str(body["title"]), is_pr=True,
                              body=body.get("body"), user=self.login, head=head_ref,
                              base=base_ref, draft=bool(body.get("draft", False)))
        pull = self._pull_json(repo, repo.issues[data["number"]])
        return _Resp(201, pull, {"Location": pull["url"]})
