"""Turning every group's schedule into stored meetings and reminder rows, a horizon ahead.

Idempotent and safe to run from several processes at once: rows are inserted with
"on conflict do nothing" on their natural keys. A changed schedule (a skip, a move, an
edited rule) cancels the meetings it no longer has and drops their unsent reminders.
A group whose schedule is broken is reported and left as it was; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Group, Settings
from bot.schedules.ics_feed import fetch_feed
from bot.schedules.plan import GroupPlan, plan_group
from bot.schedules.recurrence import ScheduleError, has_schedule
from bot.store import Database, Store
from bot.store.reminder_rows import (
    CANCELLED,
    SCHEDULED,
    add_reminders,
    add_scheduled_meetings,
    delete_unsent,
    meetings_between,
    pending_reminders,
    reminder_ids_of,
    set_meeting_status,
)

log = logging.getLogger("gavel.schedules")

FeedReader = Callable[[Group], str]


@dataclass
class MaterialiseReport:
    plans: list[GroupPlan] = field(default_factory=list)
    errors: list[ScheduleError] = field(default_factory=list)


def plan_groups(groups: Iterable[Group], now: datetime,
                read_feed: FeedReader = fetch_feed) -> MaterialiseReport:
    """Plan each scheduled group; a broken one becomes an error in the report."""
    report = MaterialiseReport()
    for group in groups:
        if not has_schedule(group):
            continue
        try:
            assert group.schedule is not None
            feed = read_feed(group) if group.schedule.ics_url and not group.schedule.rrule \
                else None
            report.plans.append(plan_group(group, now, feed))
        except ScheduleError as exc:
            log.error("schedule error: %s (this group's meetings stay as they were; "
                      "the other groups carry on)", exc)
            report.errors.append(exc)
    return report


def materialise(database: Database, settings: Settings, now: datetime,
                groups: Iterable[Group] | None = None,
                read_feed: FeedReader = fetch_feed) -> MaterialiseReport:
    report = plan_groups(settings.groups if groups is None else groups, now, read_feed)
    if report.plans:
        with database.transaction() as store:
            store_plans(store, report.plans, now)
    return report


def store_plans(store: Store, plans: list[GroupPlan], now: datetime) -> None:
    longest = max(p.horizon for p in plans)
    add_scheduled_meetings(store, [
        {"group_name": p.group.name, "starts_at": o.start, "ends_at": o.end,
         "timezone": o.zone, "title": o.title or p.group.meeting_title, "status": SCHEDULED}
        for p in plans for o in p.occurrences
    ])
    by_name = {p.group.name: p for p in plans}
    stored = [m for m in meetings_between(store, now, now + longest, status=None)
              if m.group_name in by_name]
    wanted = {(p.group.name, o.start) for p in plans for o in p.occurrences}
    to_cancel, to_restore, live = [], [], []
    for meeting in stored:
        plan = by_name[meeting.group_name]
        if meeting.starts_at >= now + plan.horizon:
            continue
        is_wanted = (meeting.group_name, meeting.starts_at) in wanted
        if is_wanted:
            live.append(meeting)
            if meeting.status == CANCELLED:
                to_restore.append(meeting.id)
        elif meeting.status == SCHEDULED:
            to_cancel.append(meeting.id)
            log.warning("group %r: the meeting of %s is no longer in the schedule: cancelled",
                        meeting.group_name, meeting.starts_at.isoformat())
    set_meeting_status(store, to_cancel, CANCELLED)
    set_meeting_status(store, to_restore, SCHEDULED)

    wanted_reminders = set()
    rows = []
    for meeting in live:
        plan = by_name[meeting.group_name]
        for offset in plan.offsets:
            due = meeting.starts_at - offset
            if due < now:
                continue  # created too late to be useful: never announce a past deadline
            for platform, workspace, channel in plan.bindings:
                key = (meeting.id, int(offset.total_seconds() // 60), platform, workspace,
                       channel)
                wanted_reminders.add(key)
                rows.append({"scheduled_meeting_id": meeting.id, "group_name": plan.group.name,
                             "offset_minutes": key[1], "due_at": due, "platform": platform,
                             "workspace": workspace, "channel": channel, "attempts": 0,
                             "late": False, "last_error": ""})
    add_reminders(store, rows)
    # Offsets or channels taken out of the config: their unsent reminders go.
    stale = [r.id for r in pending_reminders(store, now, now + longest + timedelta(days=1))
             if r.meeting.group_name in by_name
             and (r.meeting.id, int(r.offset.total_seconds() // 60), r.platform, r.workspace,
                  r.channel) not in wanted_reminders
             and r.meeting.starts_at < now + by_name[r.meeting.group_name].horizon]
    delete_unsent(store, stale)
    if to_cancel:
        delete_unsent(store, reminder_ids_of(store, to_cancel))
