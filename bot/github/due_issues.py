"""Opening each scheduled meeting's issue when it falls due (``issue_days_ahead``).

The Node.js tooling's complaints drive the rules: an issue opened too early shows a stale
agenda, so it opens only within the group's window; daily runs made duplicates, so it is
found by number or title before anything is created; and once open, each run refreshes
only the agenda block inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.github.client import GitHub, GitHubProblem
from bot.github.meeting_issue import ensure_issue, issue_repo
from bot.ports import AgendaSource
from bot.store import Database
from bot.store.database import exclusive
from bot.store.reminder_rows import meetings_between

log = logging.getLogger("gavel.github")


@dataclass(frozen=True)
class DueIssue:
    group_name: str
    starts_at: datetime
    url: str
    action: str  # "created", "updated", "unchanged", or "failed: <why>"


def open_due_meeting_issues(database: Database, settings: Settings, github: GitHub,
                            agenda_source: AgendaSource | None, now: datetime
                            ) -> list[DueIssue]:
    """Create or refresh the issue of every scheduled meeting within its group's window.

    One group's failure (a missing permission, an outage) is reported in the result and
    does not stop the others.
    """
    done: list[DueIssue] = []
    for group in settings.groups:
        if not issue_repo(group) or group.issue_days_ahead <= 0:
            continue
        with database.transaction() as store:
            coming = meetings_between(store, now,
                                      now + timedelta(days=group.issue_days_ahead), group.name)
        if not coming:
            continue
        try:
            agenda = agenda_source.agenda_for(group) if agenda_source is not None else []
        except GitHubProblem as exc:
            log.warning("group %r: agenda for the meeting issue: %s", group.name, exc)
            agenda = []
        for meeting in coming:
            try:
                # Replicas run this job side by side: one at a time per meeting, so the
                # second finds the issue the first remembered instead of opening another.
                lock = f"meeting-issue {group.name} {meeting.starts_at.isoformat()}"
                with exclusive(database.engine, lock):
                    outcome = ensure_issue(github, group, meeting.starts_at, agenda, database)
            except GitHubProblem as exc:
                log.warning("group %r: meeting issue for %s: %s", group.name,
                            meeting.starts_at.isoformat(), exc)
                done.append(DueIssue(group.name, meeting.starts_at, "", f"failed: {exc}"))
                continue
            done.append(DueIssue(group.name, meeting.starts_at, outcome.url, outcome.action))
    return done
