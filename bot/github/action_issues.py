"""Action items as GitHub issues (optional, per group: ``actions_repo``).

An open action gets an issue, assigned to its owners whose GitHub handles are known; when
it is done or dropped here the issue is closed, and an issue closed on GitHub closes the
action here at the next sync. Every GitHub call is made with no transaction open: the
store is read in one short transaction, GitHub is asked, and each answer is written in
another short one (re-checking the row, which may have changed meanwhile).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from github import GithubException
from github.Issue import Issue
from github.NamedUser import NamedUser

from bot.config import Group, Settings
from bot.effects import Effect
from bot.github.client import GitHub, GitHubProblem
from bot.github.meeting_issue import find_issue_by_title
from bot.store import Database, Store
from bot.store.actions import DONE, DROPPED, OPEN, UNDONE, ActionItem, ActionStore
from bot.text import literal_without_pings

log = logging.getLogger("gavel.github.actions")

_GITHUB_HANDLE = re.compile(r"@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))")
TITLE_LIMIT = 200
# An issue still open after its action closed here (GitHub was down) is closed by the
# syncs of this long; then the action is settled and the sync stops asking about it.
RETRY_CLOSING_FOR = timedelta(days=7)


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "A-3 -> owner/repo#12"
    closed_there: list[str] = field(default_factory=list)
    closed_here: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def issue_title(action: ActionItem) -> str:
    title = f"{action.label}: {' '.join(action.text.split())}"
    return title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT - 1] + "…"


def issue_body(group: Group, action: ActionItem) -> str:
    owners = ", ".join(literal_without_pings(owner) for owner in action.owners) or "(nobody yet)"
    return (f"Action item {action.label} of {literal_without_pings(group.meeting_title)}, noted on "
            f"{action.created_at:%Y-%m-%d}.\n\n> {literal_without_pings(action.text)}\n\n"
            f"Owners: {owners}\n\nClosing this issue marks the action done in Gavel; "
            f"`#done {action.label}` in the meeting closes it here.\n")


class ActionIssues:
    """Keeps a group's actions and their issues in step (``sync``); never raises."""

    def __init__(self, github: GitHub, database: Database, settings: Settings) -> None:
        self.github = github
        self.database = database
        self.settings = settings

    def sync_now(self, group_name: str, action_ids: Iterable[int]) -> list[Effect]:
        """After a turn changed these actions (its transaction committed)."""
        group = self.settings.group_named(group_name)
        if group is not None and group.actions_repo:
            self.sync(group, set(action_ids))
        return []

    def sync(self, group: Group, only: set[int] | None = None) -> SyncReport:
        report = SyncReport()
        if not group.actions_repo:
            return report
        with self.database.transaction() as store:
            actions = ActionStore(store)
            if only is not None:  # what a turn just changed, whenever it was closed
                wanted = [a for a in map(actions.by_id, sorted(only))
                          if a is not None and a.group_name == group.name]
            else:
                wanted = [a for a in actions.open_actions(group.name)
                          if a.github_number is None]
                wanted += actions.with_issues(group.name,
                                              datetime.now(UTC) - RETRY_CLOSING_FOR)
            handles = {a.id: _handles(store, a) for a in wanted}
        for action in wanted:
            try:
                self._sync_one(group, action, handles[action.id], report)
            except GitHubProblem as exc:
                report.problems.append(f"{action.label}: {exc}")
                log.warning("group %r: %s could not be synced with GitHub: %s", group.name,
                            action.label, exc)
        return report

    def _sync_one(self, group: Group, action: ActionItem, handles: list[str],
                  report: SyncReport) -> None:
        repo = action.github_repo or group.actions_repo
        if action.github_number is None:
            if action.status != OPEN:
                return
            attempts: list[int] = []
            issue = self.github.call(f"open an issue for {action.label} in {repo}",
                                     lambda: self._create(repo, group, action, handles, attempts))
            with self.database.transaction() as store:
                ActionStore(store).link_issue(action.id, repo, issue.number,
                                                         issue.html_url)
            report.created.append(f"{action.label} -> {repo}#{issue.number}")
            return
        number = action.github_number
        issue = self.github.call(f"read {repo}#{number}",
                                 lambda: self.github.api.get_repo(repo).get_issue(number))
        if action.status in (DONE, DROPPED, UNDONE) and issue.state == "open":
            reason = "completed" if action.status == DONE else "not_planned"
            self.github.call(f"close {repo}#{number}",
                             lambda: issue.edit(state="closed", state_reason=reason))
            report.closed_there.append(f"{action.label} -> {repo}#{number}")
        elif action.status == OPEN and issue.state == "open" and handles and (
                sorted(handles) != sorted(a.login for a in issue.assignees)):
            # Reassigned here: the issue follows (GitHub refuses ones it cannot assign).
            self.github.call(f"reassign {repo}#{number}",
                             lambda: issue.edit(assignees=list[NamedUser | str](handles)))
        elif action.status == OPEN and issue.state == "closed":
            with self.database.transaction() as store:
                actions = ActionStore(store)
                now = actions.by_id(action.id)
                if now is not None and now.status == OPEN:
                    actions.close(action.id, DONE, datetime.now(UTC), None, "GitHub",
                                  f"closed on GitHub ({repo}#{number})")
                    report.closed_here.append(action.label)

    def _create(self, repo: str, group: Group, action: ActionItem, handles: list[str],
                attempts: list[int]) -> Issue:
        """Safe to repeat: a retry after a lost answer finds the issue by its title."""
        title = issue_title(action)
        if attempts:
            found = find_issue_by_title(self.github, repo, title)
            if found is not None:
                return found
        attempts.append(1)
        api_repo = self.github.api.get_repo(repo)
        try:
            return api_repo.create_issue(title, issue_body(group, action), assignees=handles)
        except GithubException:
            if not handles:
                raise
            # An owner GitHub does not let us assign (not a collaborator): open it anyway.
            return api_repo.create_issue(title, issue_body(group, action))


def _handles(store: Store, action: ActionItem) -> list[str]:
    """The owners' GitHub handles: from ``#here @handle`` (by their platform id), or an
    owner named as ``@handle`` in the action."""
    found: list[str] = []
    if action.owner_ids:
        found += store.github_handles(action.owner_ids)
    found += [owner[1:] for owner in action.owners if owner.startswith("@")]
    return [h for h in dict.fromkeys(h.lstrip("@") for h in found)
            if _GITHUB_HANDLE.fullmatch(h)]
