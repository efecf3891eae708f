"""The minutes as a pull request: a branch, the file, the pull request, a comment on the
meeting issue, and the link in the channel.

The minutes are already saved when the meeting ends; publishing only reads them. Every
step looks before it writes (branch, file, pull request), so publishing again, or after
a failure half-way, updates the same branch and pull request instead of adding more.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from github import UnknownObjectException
from github.PullRequest import PullRequest

from bot.config import Group, Settings
from bot.domain import Meeting, NoteKind, Status
from bot.effects import Effect, Post, Purpose
from bot.events import Place
from bot.github.client import GitHub, GitHubProblem, RetryPolicy
from bot.store import Database
from bot.store.database import exclusive
from bot.text import literal_without_pings, small_number

log = logging.getLogger("gavel.github.publish")

# At #endmeeting the channel waits for an answer: try briefly, leave the rest to
# `gavel publish --pending` and the background job.
AT_END = RetryPolicy(attempts=2, backoff=0.5, max_wait=10.0)


@dataclass(frozen=True)
class Publication:
    pr_url: str
    pr_number: int
    created: bool  # a new pull request (False: the existing one was updated)
    file_changed: bool
    comment_url: str  # "" when no comment was posted this time


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "group"


def minutes_file_path(group: Group, meeting: Meeting) -> str:
    year, month, day = meeting.meeting_date.split("-")
    return group.minutes_path.format(date=meeting.meeting_date, year=year, month=month, day=day,
                                     group=_slug(group.name), id=meeting.id).lstrip("/")


def branch_name(group: Group, meeting: Meeting) -> str:
    # The meeting id keeps two meetings of one day from sharing (and overwriting) a branch.
    return f"gavel/{_slug(group.name)}-minutes-{meeting.meeting_date}-{meeting.id}"


def _literal_block(lines: Sequence[str]) -> str:
    """People's words in a fenced block: shown as typed, and an ``@handle`` in a vote's
    question pings nobody. The fence is longer than any run of backticks inside."""
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def _parse_issue_url(url: str) -> tuple[str, int] | None:
    """``https://github.com/o/r/issues/12`` -> ("o/r", 12) (any host: Enterprise too)."""
    parts = url.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "issues" and (
            number := small_number(parts[-1])) is not None:
        return f"{parts[-4]}/{parts[-3]}", number
    return None


class MinutesSource(Protocol):
    def minutes_for(self, meeting: Meeting, chat_minutes: str) -> tuple[str, str]:
        """The minutes to publish instead of the chat's (a live document people edited),
        and a remark for the pull request saying where they came from ("" for none)."""
        ...


def publish_minutes(github: GitHub, group: Group, meeting: Meeting, minutes: str,
                    issue_url: str = "", already_commented: bool = False,
                    policy: RetryPolicy | None = None, remark: str = "",
                    votes: Sequence[str] = ()) -> Publication:
    """Open (or update) the minutes pull request; raises ``GitHubProblem``. A ``remark``
    is commented on the pull request whenever its file is written."""
    repo_name = group.minutes_repo
    if not repo_name:
        raise GitHubProblem(f"group {group.name!r} has no minutes_repo to publish to")
    path = minutes_file_path(group, meeting)
    branch = branch_name(group, meeting)
    title = f"{meeting.title} {meeting.meeting_date}: minutes"
    message = f"Add minutes of {meeting.title} {meeting.meeting_date}"
    owner = repo_name.split("/")[0]

    def open_pull() -> tuple[PullRequest, bool, bool]:
        repo = github.api.get_repo(repo_name)
        base = repo.default_branch
        new_branch = False
        try:
            repo.get_git_ref(f"heads/{branch}").object.sha  # noqa: B018  (fetches it)
        except UnknownObjectException:
            base_sha = repo.get_git_ref(f"heads/{base}").object.sha
            repo.create_git_ref(f"refs/heads/{branch}", base_sha)
            new_branch = True
        try:
            existing = repo.get_contents(path, ref=branch)
        except UnknownObjectException:
            existing = None
        assert not isinstance(existing, list), f"{path} is a folder in {repo_name}"
        changed = True
        if existing is None:
            repo.create_file(path, message, minutes, branch=branch)
        elif existing.decoded_content.decode("utf-8", "replace") != minutes:
            repo.update_file(path, f"Update minutes of {meeting.title} {meeting.meeting_date}",
                             minutes, existing.sha, branch=branch)
        else:
            changed = False
        pull = None
        if not new_branch:  # a branch made just now has no pull request yet
            pull = next(iter(repo.get_pulls(state="open", head=f"{owner}:{branch}",
                                            base=base)), None)
        created = pull is None
        if pull is None:
            body = (f"The minutes of {literal_without_pings(meeting.title)} "
                    f"{meeting.meeting_date}, taken with Gavel.")
            if issue_url:
                body += f"\n\nMeeting issue: {issue_url}"
            pull = repo.create_pull(base=base, head=branch, title=title, body=body)
        return pull, created, changed

    pull, created, changed = github.call(f"open the minutes pull request on {repo_name}",
                                         open_pull, policy)
    if remark and (created or changed):
        github.call(f"comment on the minutes pull request {pull.html_url}",
                    lambda: pull.create_issue_comment(remark), policy)
    comment_url = ""
    target = _parse_issue_url(issue_url) if issue_url else None
    if target is not None and not already_commented:
        issue_repo, number = target
        text = f"The minutes of this meeting are ready for review in {pull.html_url}"
        if votes:
            text += "\n\nVotes:\n\n" + _literal_block(votes)
        comment = github.call(
            f"comment on {issue_repo}#{number}",
            lambda: github.api.get_repo(issue_repo).get_issue(number)
            .create_comment(text), policy)
        comment_url = comment.html_url
    return Publication(pull.html_url, pull.number, created, changed, comment_url)


class Publisher:
    """Publishes ended meetings' saved minutes and records the outcome on the meeting."""

    def __init__(self, github: GitHub, database: Database, settings: Settings) -> None:
        self.github = github
        self.database = database
        self.settings = settings
        self.minutes_source: MinutesSource | None = None  # a live document (bot/hackmd)

    def _group(self, meeting: Meeting) -> Group:
        return self.settings.group_named(meeting.group_name) or \
            self.settings.group_for_channel(meeting.platform, meeting.workspace,
                                            meeting.channel)

    def publishes(self, meeting: Meeting) -> bool:
        return bool(self._group(meeting).minutes_repo)

    def publish(self, meeting_id: int, policy: RetryPolicy | None = None,
                pending_only: bool = False) -> list[Effect]:
        """Publish one meeting; the effects tell its channel how it went. Never raises
        ``GitHubProblem``: the minutes stay saved and the meeting stays pending.

        One publish at a time, across threads and replicas (``exclusive``): #endmeeting's
        own publish and the retry job's round (which begins as the bot starts) could both
        find no branch yet and both create it; GitHub refused the second ("422 Reference
        already exists"), and the channel heard that publishing had failed. With
        ``pending_only``, a meeting published meanwhile (by the other) is left alone: the
        one that published it said so."""
        with exclusive(self.database.engine, "publish-minutes"):
            return self._publish(meeting_id, policy, pending_only)

    def _publish(self, meeting_id: int, policy: RetryPolicy | None,
                 pending_only: bool) -> list[Effect]:
        with self.database.transaction() as store:
            meeting = store.meeting(meeting_id)
            if meeting is not None and pending_only and meeting.status is not Status.ENDED:
                return []
            minutes = store.minutes_of(meeting_id) if meeting else None
            issue = store.meeting_issue(meeting.group_name, meeting.meeting_date) \
                if meeting else None
            votes = [n.text for n in store.notes(meeting_id) if n.kind is NoteKind.VOTE]
        if meeting is None or minutes is None or not self.publishes(meeting):
            return []
        place = Place(meeting.platform, meeting.channel, meeting.workspace)
        issue_url = meeting.links.get("issue") or (issue[2] if issue else "")
        remark = ""
        if self.minutes_source is not None:
            minutes, remark = self.minutes_source.minutes_for(meeting, minutes)
        try:
            done = publish_minutes(self.github, self._group(meeting), meeting, minutes,
                                   issue_url, bool(meeting.links.get("issue_comment")), policy,
                                   remark, votes)
        except GitHubProblem as problem:
            log.warning("publishing meeting %d: %s", meeting_id, problem)
            return [Post(place, f"The minutes are saved, but publishing them to GitHub "
                                f"failed: {problem} They will be published later "
                                "(or run: gavel publish --pending).",
                         purpose=Purpose.PUBLISH_FAILED)]
        links = {**meeting.links, "pr": done.pr_url}
        if done.comment_url:
            links["issue_comment"] = done.comment_url
        with self.database.transaction() as store:
            store.update_meeting(meeting_id, links=links, status=Status.PUBLISHED,
                                 published_at=datetime.now(UTC))
        verb = "opened" if done.created else ("updated" if done.file_changed else "unchanged")
        return [Post(place, f"Minutes pull request {verb}: {done.pr_url}", purpose=Purpose.PUBLISH)]

    def publish_now(self, meeting_id: int, pending_only: bool = False) -> list[Effect]:
        """The ``MinutesPublisher`` hook run right after #endmeeting (``pending_only``)
        or ``/meeting publish`` commits."""
        return self.publish(meeting_id, AT_END, pending_only)

    def publish_pending(self, policy: RetryPolicy | None = None
                        ) -> list[tuple[Meeting, list[Effect]]]:
        """Every ended meeting whose minutes are not published yet, oldest first."""
        with self.database.transaction() as store:
            pending = [m for m in store.unpublished_meetings() if self.publishes(m)]
        results = []
        for meeting in pending:
            try:
                results.append((meeting, self.publish(meeting.id, policy, pending_only=True)))
            except Exception:  # one meeting's surprise must not hold up the others for good
                log.exception("publishing meeting %d failed; it stays pending", meeting.id)
        return results
