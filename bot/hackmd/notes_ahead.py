"""Creating each meeting's note ``issue_days_ahead`` before it, once.

Once across replicas and restarts: a process first claims the (group, meeting day) row in
its own short transaction, then asks HackMD with no transaction open, then records the
note. A process that loses the claim leaves the meeting alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Group, Settings
from bot.effects import Post
from bot.hackmd.client import HackMD, HackMDProblem
from bot.hackmd.sections import agenda_before, new_note
from bot.ports import AgendaEntry, AgendaSource
from bot.schedules.recurrence import ScheduleError, recurring_schedule
from bot.store import Database
from bot.store.hackmd_rows import MeetingNote, claim_note, note_for, release_claim, save_note
from bot.store.reminder_rows import meetings_between

log = logging.getLogger("gavel.hackmd")


@dataclass(frozen=True)
class NoteOutcome:
    group_name: str
    meeting_date: str
    url: str
    action: str  # "created", "exists", "claimed elsewhere", "failed: <why>"


def coming_meetings(database: Database, group: Group, now: datetime
                    ) -> list[tuple[datetime, str]]:
    """(start, title) of the group's meetings from now to ``issue_days_ahead`` ahead."""
    end = now + timedelta(days=group.issue_days_ahead)
    schedule = group.schedule
    if schedule is not None and schedule.rrule:
        try:
            return [(o.start, o.title) for o in recurring_schedule(group).between(now, end)]
        except ScheduleError as problem:  # reported by the reminders; nothing to plan here
            log.debug("group %r: %s", group.name, problem)
            return []
    with database.transaction() as store:
        return [(m.starts_at, m.title) for m in
                meetings_between(store, now, end, group.name)]


def local_date(group: Group, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(group.timezone)).date().isoformat()


def ensure_note(database: Database, hackmd: HackMD, group: Group, meeting_date: str,
                heading: str, agenda: list[AgendaEntry], worker: str, now: datetime,
                ) -> NoteOutcome:
    """The note of one meeting day: found, created by this process, or left to the
    process that claimed it."""
    with database.transaction() as store:
        known = note_for(store, group.name, meeting_date)
        if known is not None:
            return NoteOutcome(group.name, meeting_date, known.url, "exists")
        if not claim_note(store, group.name, meeting_date, worker, now):
            return NoteOutcome(group.name, meeting_date, "", "claimed elsewhere")
        issue = store.meeting_issue(group.name, meeting_date)
    links = {"GitHub Issue": issue[2] if issue else "", "Join": group.links.join}
    content = new_note(heading, links, agenda_before(agenda, group.standing_items))
    try:
        note = hackmd.create_note(heading, content, group.hackmd_team)
    except HackMDProblem as problem:
        if not problem.maybe_done:  # surely not created: the next round may try at once
            with database.transaction() as store:
                release_claim(store, group.name, meeting_date, worker)
        log.warning("group %r: the HackMD note of %s: %s", group.name, meeting_date, problem)
        return NoteOutcome(group.name, meeting_date, "", f"failed: {problem}")
    with database.transaction() as store:
        save_note(store, group.name, meeting_date, note.id, note.url, group.hackmd_team,
                  content, now)
    log.info("group %r: HackMD note of %s created: %s", group.name, meeting_date, note.url)
    return NoteOutcome(group.name, meeting_date, note.url, "created")


def create_due_notes(database: Database, settings: Settings, hackmd: HackMD,
                     agenda_source: AgendaSource | None, now: datetime, worker: str
                     ) -> list[NoteOutcome]:
    """Every HackMD group's note for each meeting within its ``issue_days_ahead``.

    One group's failure is reported in the result and does not stop the others.
    """
    done: list[NoteOutcome] = []
    for group in settings.groups:
        if not group.uses_hackmd or group.issue_days_ahead <= 0:
            continue
        coming = coming_meetings(database, group, now)
        with database.transaction() as store:
            missing = [(start, title) for start, title in coming
                       if note_for(store, group.name, local_date(group, start)) is None]
        if not missing:
            continue
        agenda = _agenda(agenda_source, group)
        for start, title in missing:
            date = local_date(group, start)
            done.append(ensure_note(database, hackmd, group, date,
                                    f"{title or group.meeting_title} {date}", agenda, worker,
                                    now))
    return done


def note_link_in(database: Database, group: Group, starts_at: datetime, post: Post) -> Post:
    """A reminder of the meeting with its note linked under the join link (as is)."""
    with database.transaction() as store:
        note = note_for(store, group.name, local_date(group, starts_at))
    if note is None or not note.url:
        return post
    lines = post.text.split("\n")
    at = next((n + 1 for n, line in enumerate(lines) if line.startswith("Join: ")), 1)
    lines.insert(at, f"Minutes doc (HackMD): {note.url}")
    return replace(post, text="\n".join(lines))


def _agenda(source: AgendaSource | None, group: Group) -> list[AgendaEntry]:
    if source is None:
        return []
    try:
        return source.agenda_for(group)
    except Exception as problem:  # a note without GitHub's items beats no note
        log.warning("group %r: the agenda for the HackMD note: %s", group.name, problem)
        return []


__all__ = ["MeetingNote", "NoteOutcome", "create_due_notes", "ensure_note"]
