"""What the core asks of the outside world, as small protocols with no SDK behind them.

GitHub (``bot/github``) implements these; tests and the console run without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.config import Group
from bot.effects import Effect


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """An issue or pull request that is on a group's agenda."""

    repo: str  # owner/name
    number: int
    title: str
    url: str
    is_pr: bool = False


class AgendaSource(Protocol):
    # Why the last ``agenda_for`` could not ask (it then returns the last agenda it got);
    # empty when it could. Chat users must hear of it, not only the log.
    last_problem: str

    def agenda_for(self, group: Group) -> list[AgendaEntry]:
        """The open items carrying the group's agenda label(s), grouped by repository."""
        ...

    def lookup(self, repo: str, number: int) -> AgendaEntry | None:
        """One issue or pull request, for ``#agenda add owner/repo#N``."""
        ...


class MinutesPublisher(Protocol):
    def publish_now(self, meeting_id: int, pending_only: bool = False) -> list[Effect]:
        """Publish an ended meeting's saved minutes (briefly: the channel is waiting);
        the effects say how it went. Never raises for a GitHub failure. With
        ``pending_only``, nothing is done (or said) for a meeting published already."""
        ...


class ActionTracker(Protocol):
    def sync_now(self, group_name: str, action_ids: Iterable[int]) -> list[Effect]:
        """Bring these actions' GitHub issues in step (open, close), after the turn that
        changed them committed. Never raises for a GitHub failure."""
        ...


class EffectSink(Protocol):
    """A platform adapter seen from the core's timers: it posts effects on its platform.

    Reminders and publishing results have no incoming event to answer; they are handed
    to the sink of the platform their channel is on.
    """

    platform: str

    async def deliver(self, effects: list[Effect]) -> None:
        """Post ``effects``; raise on failure so the caller can retry with backoff."""
        ...
