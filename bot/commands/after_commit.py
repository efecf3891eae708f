"""Work a turn asks for that must wait until its transaction has committed.

A command never calls out with a transaction open (SQLite has one writer, and a slow
GitHub would lock every channel out), and what it asks GitHub to do must already be
saved in case GitHub fails. So a command only records a task here; ``run`` carries the
tasks out once the handler has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Group
from bot.effects import Effect
from bot.ports import ActionTracker, MinutesPublisher


@dataclass(frozen=True, slots=True)
class PublishMinutes:
    """Publish this ended meeting's saved minutes (a pull request)."""

    meeting_id: int
    # Set by #endmeeting: published only if still unpublished (another publisher, the
    # retry job, may have done it meanwhile); ``/meeting publish`` publishes again.
    pending_only: bool = False


@dataclass(frozen=True, slots=True)
class SyncActionIssue:
    """Bring this action's GitHub issue in step with it (opened, retitled, closed)."""

    action_id: int


AfterCommit = PublishMinutes | SyncActionIssue


def run(tasks: Sequence[AfterCommit], group: Group, publisher: MinutesPublisher | None,
        tracker: ActionTracker | None) -> list[Effect]:
    """Carry out ``tasks`` (the turn has committed) and return what to say of them.

    Minutes are published first; the changed actions are then synced in one call, each
    once, and only when the group keeps its actions as issues.
    """
    effects: list[Effect] = []
    if publisher is not None:
        for meeting_id, pending_only in dict.fromkeys(
                (t.meeting_id, t.pending_only) for t in tasks if isinstance(t, PublishMinutes)):
            effects += publisher.publish_now(meeting_id, pending_only)
    actions = [t.action_id for t in tasks if isinstance(t, SyncActionIssue)]
    if actions and tracker is not None and group.actions_repo:
        effects += tracker.sync_now(group.name, list(dict.fromkeys(actions)))
    return effects
