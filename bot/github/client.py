"""Reaching GitHub: authentication (token or GitHub App) and our own bounded retry policy.

PyGithub's default ``GithubRetry`` retries a 5xx ten times with no back-off and sleeps
silently (up to an hour) on rate limits, so a meeting channel would wait without a word.
We turn it off (``retry=None``) and retry here instead: transient failures with
exponential back-off, rate limits by waiting for the reset only when it is within a
bound, and every give-up raised as a ``GitHubProblem`` whose text can be posted as is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import requests
from github import Auth, Github, GithubException, GithubIntegration

from bot.config import ConfigError, Secrets, Settings

log = logging.getLogger("gavel.github")

T = TypeVar("T")


class GitHubProblem(Exception):
    """A GitHub call failed for good; ``str()`` is a sentence fit for the channel."""

    transient = False  # True when trying again later may well work


class RateLimited(GitHubProblem):
    transient = True


class Unavailable(GitHubProblem):
    transient = True


class PermissionDenied(GitHubProblem):
    pass


class NotFound(GitHubProblem):
    pass


class BadCredentials(GitHubProblem):
    pass


class Rejected(GitHubProblem):
    """GitHub refused the request itself (422 and the like)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_wait`` bounds any single rate-limit wait (seconds)."""

    attempts: int = 4
    backoff: float = 1.0  # first pause after a 5xx or network error; doubles each time
    max_wait: float = 60.0


def _header(exc: GithubException, name: str) -> str | None:
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return headers.get(name)


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc)
    errors = data.get("errors")
    if isinstance(errors, list):
        details = [str(e.get("message") or e.get("code")) for e in errors if isinstance(e, dict)]
        if details:
            message += " (" + "; ".join(details) + ")"
    return message


def rate_limit_wait(exc: GithubException, now: float) -> float | None:
    """Seconds to wait before a rate-limited request may succeed; None if not a rate limit."""
    if exc.status not in (403, 429):
        return None
    retry_after = _header(exc, "retry-after")
    if retry_after is not None:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            return 60.0
    remaining, reset = _header(exc, "x-ratelimit-remaining"), _header(exc, "x-ratelimit-reset")
    if remaining == "0" and reset is not None:
        try:
            return max(float(reset) - now, 0.0) + 1.0
        except ValueError:
            return 60.0
    if "rate limit" in _message(exc).lower():
        return 60.0  # a secondary limit without retry-after: GitHub asks for a minute
    return None


def describe(exc: GithubException, what: str) -> GitHubProblem:
    """The GitHub error as the problem a person can act on."""
    status = exc.status
    message = _message(exc)
    if status == 401:
        return BadCredentials(f"GitHub refused the credentials while trying to {what}: "
                              "check GITHUB_TOKEN (or the GitHub App id and key).")
    if status == 403 or (status == 404 and "not accessible" in message.lower()):
        needed = _header(exc, "x-accepted-github-permissions")
        if needed:
            return PermissionDenied(
                f"GitHub refused to {what}: the token or app lacks the permission "
                f"{needed.replace('=', ': ')} ({message}).")
        scopes = _header(exc, "x-accepted-oauth-scopes")
        if scopes:
            return PermissionDenied(f"GitHub refused to {what}: the token needs the scope "
                                    f"{scopes} ({message}).")
        return PermissionDenied(f"GitHub refused to {what}: {message}.")
    if status == 404:
        return NotFound(f"GitHub found nothing when trying to {what} (404): the repository "
                        "does not exist or the token cannot see it.")
    if status >= 500:
        return Unavailable(f"GitHub is failing ({status} {message}) while trying to {what}.")
    return Rejected(f"GitHub rejected the request to {what}: {status} {message}.")


class GitHub:
    """A PyGithub client plus the retry policy every call of ours goes through."""

    def __init__(self, github: Github | Callable[[], Github],
                 policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        self._api = github if isinstance(github, Github) else None
        self._connect = None if isinstance(github, Github) else github
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock

    @property
    def api(self) -> Github:
        """The PyGithub client, made on first use (an App looks up its installation then,
        inside ``call``, so that start-up needs no network and failures are retried)."""
        if self._api is None:
            assert self._connect is not None
            self._api = self._connect()
        return self._api

    def call(self, what: str, operation: Callable[[], T],
             policy: RetryPolicy | None = None) -> T:
        """Run ``operation`` (which must be safe to repeat), retrying within the policy.

        ``what`` completes "while trying to ..." in the messages people read.
        """
        policy = policy or self.policy
        pause = policy.backoff
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                return operation()
            except GithubException as exc:
                wait = rate_limit_wait(exc, self.clock())
                if wait is not None:
                    if wait > policy.max_wait or last:
                        raise RateLimited(self._rate_limit_text(what, wait)) from None
                    log.warning("GitHub rate limit while trying to %s: waiting %.0f s",
                                what, wait)
                    self.sleep(wait)
                    continue
                problem = describe(exc, what)
                if not isinstance(problem, Unavailable) or last:
                    raise problem from None
                log.warning("%s (attempt %d of %d)", problem, attempt, policy.attempts)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise Unavailable(f"GitHub cannot be reached while trying to {what}: "
                                      f"{type(exc).__name__}.") from None
                log.warning("network error while trying to %s (attempt %d of %d): %s",
                            what, attempt, policy.attempts, type(exc).__name__)
            self.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _rate_limit_text(self, what: str, wait: float) -> str:
        at = datetime.fromtimestamp(self.clock() + wait, UTC)
        return (f"GitHub's rate limit stopped me while trying to {what}; it lifts at "
                f"{at:%H:%M} UTC and I will try again then.")


def _github_kwargs(base_url: str) -> dict[str, object]:
    return {
        "base_url": base_url.rstrip("/"),
        "per_page": 100,
        "retry": None,  # our own policy (see the module docstring)
        "seconds_between_requests": None,
        "seconds_between_writes": None,
        "lazy": True,
        "timeout": 20,
    }


def token_client(token: str, base_url: str, **kwargs: object) -> GitHub:
    return GitHub(Github(auth=Auth.Token(token), **_github_kwargs(base_url)), **kwargs)  # type: ignore[arg-type]


def app_client(app_id: int, private_key: str, org: str, base_url: str,
               **kwargs: object) -> GitHub:
    """A client acting as the GitHub App's installation on ``org``.

    PyGithub's ``AppInstallationAuth`` asks for a fresh installation token shortly
    before the current one expires, so a bot running for weeks keeps working.
    """
    def connect() -> Github:
        app_auth = Auth.AppAuth(app_id, private_key)
        integration = GithubIntegration(auth=app_auth, base_url=base_url.rstrip("/"),
                                        retry=None)
        installation = integration.get_org_installation(org)
        auth = Auth.AppInstallationAuth(app_auth, installation.id)
        return Github(auth=auth, **_github_kwargs(base_url))  # type: ignore[arg-type]

    return GitHub(connect, **kwargs)  # type: ignore[arg-type]


def client_from_settings(settings: Settings, secrets: Secrets, org: str = "") -> GitHub | None:
    """The configured client, or None when neither a token nor an App is set up."""
    base_url = settings.github.base_url
    if secrets.github_token:
        return token_client(secrets.github_token, base_url)
    if settings.github.app_id and secrets.github_app_private_key:
        owner = org or next((o for g in settings.groups for o in g.orgs), "")
        if not owner:
            owner = next((g.minutes_repo.split("/")[0] for g in settings.groups
                          if g.minutes_repo), "")
        if not owner:
            raise ConfigError("[github] app_id is set but no group names a github_org or "
                              "minutes_repo to find the app's installation on")
        return app_client(settings.github.app_id, secrets.github_app_private_key, owner,
                          base_url)
    return None
