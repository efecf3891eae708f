"""``gavel serve``'s planning job: what follows from the schedule besides reminders.

Every few minutes it opens the meeting issues that fall due on GitHub, and mirrors the
coming meetings as Discord scheduled events where that is switched on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import Core
from bot.store.reminder_rows import ScheduledMeeting, meetings_between

log = logging.getLogger("gavel.planning")

INTERVAL_SECONDS = 900.0
DISCORD_EVENTS_AHEAD = timedelta(days=30)


async def plan_once(core: Core, services: Mapping[str, Any], now: datetime) -> None:
    if core.github is not None:
        # Here, not at the top: PyGithub costs start-up, and only a GitHub set-up needs it.
        from bot.github.action_issues import ActionIssues
        from bot.github.due_issues import open_due_meeting_issues

        issues = await asyncio.to_thread(open_due_meeting_issues, core.database, core.settings,
                                         core.github, core.bot.agenda_source, now)
        for issue in issues:
            log.info("meeting issue of %s %s: %s %s", issue.group_name,
                     issue.starts_at.isoformat(), issue.action, issue.url)
        tracker = core.bot.action_tracker
        if isinstance(tracker, ActionIssues):  # action items as issues, both ways
            for group in core.settings.groups:
                if group.actions_repo:
                    report = await asyncio.to_thread(tracker.sync, group)
                    if report.closed_here or report.created or report.closed_there:
                        log.info("group %r actions: %s", group.name, report)
    discord = services.get("discord")
    if discord is not None and core.settings.discord.scheduled_events:
        from adapters.discord.scheduled import Occurrence

        for group in core.settings.groups:
            coming = await asyncio.to_thread(_coming, core, group.name, now)
            occurrences = [Occurrence(m.title, m.starts_at, m.ends_at, group.links.join)
                           for m in coming]
            await discord.sync_schedule(group.name, occurrences, now=now)


def _coming(core: Core, group_name: str, now: datetime) -> list[ScheduledMeeting]:
    with core.database.transaction() as store:
        return meetings_between(store, now, now + DISCORD_EVENTS_AHEAD, group_name)


async def planning_job(core: Core, services: Mapping[str, Any],
                       interval: float = INTERVAL_SECONDS,
                       clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
    """Until cancelled; a failing round is logged and the next one tries again."""
    while True:
        try:
            await plan_once(core, services, clock())
        except Exception:
            log.exception("planning round failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)
