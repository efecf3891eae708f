"""What a reminder (and ``/meeting next``) says: the meeting, when, the agenda, the join
link, add-to-calendar links, a time-zone table and an ``.ics`` file.

Plain text, as effects are: adapters render ``Post.when`` in each reader's own zone and
escape the rest so that an agenda title never pings a channel.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from bot.calendars.ics import group_slug, meetings_calendar, series_calendar
from bot.calendars.links import calendar_links
from bot.calendars.zone_table import zone_table_text
from bot.config import Group
from bot.effects import Attachment, Button, Post
from bot.events import Place
from bot.ports import AgendaSource
from bot.schedules.offsets import describe_offset
from bot.schedules.recurrence import Occurrence, RecurringSchedule, ScheduleError
from bot.schedules.recurrence import recurring_schedule as _recurring

log = logging.getLogger("gavel.reminders")

# The reminder this far ahead (or more) carries the agenda; closer ones stay short.
AGENDA_FROM = timedelta(hours=12)


def series_of(group: Group) -> RecurringSchedule | None:
    """The group's recurring series, when it has a valid RRULE schedule."""
    if group.schedule is None or not group.schedule.rrule:
        return None
    try:
        return _recurring(group)
    except ScheduleError:
        return None


def when_line(occurrence: Occurrence) -> str:
    local = occurrence.local_start
    end = occurrence.end.astimezone(local.tzinfo)
    utc = occurrence.start.astimezone(UTC)
    line = f"When: {local:%A %d %B %Y, %H:%M}–{end:%H:%M} {occurrence.zone}"
    if occurrence.zone != "UTC":
        line += f" ({utc:%H:%M} UTC"
        if utc.date() != local.date():
            line += f" on {utc:%a %d %b}"
        line += ")"
    return line


def agenda_lines(group: Group, agenda_source: AgendaSource | None) -> list[str]:
    lines = [f"- [ ] {item}" for item in group.standing_items]
    if agenda_source is not None and group.labels:
        try:
            entries = agenda_source.agenda_for(group)
        except Exception as exc:  # GitHub down must not stop the reminder
            log.warning("group %r: agenda unavailable for the reminder: %s", group.name, exc)
            lines.append(f"(the agenda could not be read from GitHub: {type(exc).__name__})")
        else:
            lines.extend(f"- {e.title} ({e.repo}#{e.number}) {e.url}" for e in entries)
    return lines


def meeting_details(group: Group, occurrence: Occurrence, rrule: str = "") -> list[str]:
    """When, how to join, calendar links and the zone table: shared by every announcement."""
    links = calendar_links(group, occurrence, rrule)
    lines = [when_line(occurrence)]
    if group.links.join:
        lines.append(f"Join: {group.links.join}")
    if group.links.observers:
        lines.append(f"Observe: {group.links.observers}")
    lines += [
        f"Add to Google Calendar: {links.google}",
        f"Add to Outlook: {links.outlook}",
        f"In your time zone: {links.timeanddate}",
        "Time zones:",
        zone_table_text(group, occurrence.start),
    ]
    return lines


def calendar_attachment(group: Group, occurrence: Occurrence) -> Attachment:
    """The series (RRULE, VTIMEZONE) for a recurring group; the one meeting otherwise."""
    series = series_of(group)
    content = series_calendar(series) if series else meetings_calendar(group, [occurrence])
    name = f"{group_slug(group.name)}.ics" if series else \
        f"{group_slug(group.name)}-{occurrence.local_start:%Y-%m-%d}.ics"
    return Attachment(name, content, f"{occurrence.title or group.meeting_title} (calendar)")


def _buttons(group: Group, occurrence: Occurrence, rrule: str) -> tuple[Button, ...]:
    links = calendar_links(group, occurrence, rrule)
    buttons = []
    if group.links.join:
        buttons.append(Button("join", "Join the meeting", url=group.links.join))
    buttons += [Button("google-calendar", "Google Calendar", url=links.google),
                Button("outlook", "Outlook", url=links.outlook)]
    return tuple(buttons)


def reminder_post(group: Group, place: Place, occurrence: Occurrence, offset: timedelta,
                  late: bool = False, agenda_source: AgendaSource | None = None) -> Post:
    title = occurrence.title or group.meeting_title
    series = series_of(group)
    rrule = series.rule_text if series else ""
    lead = "Starting now" if offset == timedelta(0) else f"Coming up {describe_offset(offset)}"
    lines = []
    if late:
        lines.append("(Late reminder: the bot was away when it was due.)")
    lines.append(f"{lead}: {title}")
    lines += meeting_details(group, occurrence, rrule)
    if offset >= AGENDA_FROM:
        agenda = agenda_lines(group, agenda_source)
        if agenda:
            lines += ["Agenda:", *agenda]
    return Post(place, "\n".join(lines), buttons=_buttons(group, occurrence, rrule),
                attachment=calendar_attachment(group, occurrence), when=occurrence.start,
                purpose="reminder")


def next_meeting_post(group: Group, place: Place, occurrence: Occurrence) -> Post:
    series = series_of(group)
    rrule = series.rule_text if series else ""
    title = occurrence.title or group.meeting_title
    lines = [f"Next meeting: {title}", *meeting_details(group, occurrence, rrule)]
    return Post(place, "\n".join(lines), buttons=_buttons(group, occurrence, rrule),
                attachment=calendar_attachment(group, occurrence), when=occurrence.start,
                purpose="next")
