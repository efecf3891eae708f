"""What a reminder (and ``/meeting next``) says: the meeting, when, the agenda, the join
link, add-to-calendar links, a time-zone table and an ``.ics`` file.

Plain text, as effects are: adapters render ``Post.when`` in each reader's own zone and
escape the rest so that an agenda title never pings a channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from bot.calendars.ics import group_slug, meetings_calendar, series_calendar
from bot.calendars.links import calendar_links
from bot.calendars.public_links import PublicLinks
from bot.calendars.zone_table import zone_table_text
from bot.config import Group
from bot.effects import Attachment, Button, Post, Purpose
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


def meeting_details(group: Group, occurrence: Occurrence, rrule: str = "",
                    public: PublicLinks | None = None) -> list[str]:
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
    ]
    if public is not None:
        lines.append(f"Subscribe to the calendar: {public.feed}")
    lines += [
        "Time zones:",
        zone_table_text(group, occurrence.start),
    ]
    return lines


def calendar_attachment(group: Group, occurrence: Occurrence, series: RecurringSchedule | None,
                        series_ics: str | None = None) -> Attachment:
    """The series (RRULE, VTIMEZONE) for a recurring group; the one meeting otherwise.

    ``series_ics`` is the series file when the caller already has it: writing it (the
    VTIMEZONE above all) is most of the cost of a reminder, and it is the same file for
    every meeting of the group.
    """
    if series is None:
        content = meetings_calendar(group, [occurrence])
        name = f"{group_slug(group.name)}-{occurrence.local_start:%Y-%m-%d}.ics"
    else:
        content = series_ics if series_ics is not None else series_calendar(series)
        name = f"{group_slug(group.name)}.ics"
    return Attachment(name, content, f"{occurrence.title or group.meeting_title} (calendar)")


def _buttons(group: Group, occurrence: Occurrence, public: PublicLinks | None
             ) -> tuple[Button, ...]:
    """Join, and the add-to-calendar buttons as short links on Gavel's own server: the
    full calendar URLs (600+ characters with a Zoom link) are past what Discord takes
    for a link button (512). With no public server they stay in the text only."""
    buttons = []
    if group.links.join:
        buttons.append(Button("join", "Join the meeting", url=group.links.join))
    if public is not None:
        buttons += [Button("google-calendar", "Google Calendar",
                           url=public.calendar(occurrence, "google")),
                    Button("outlook", "Outlook", url=public.calendar(occurrence, "outlook"))]
    return tuple(buttons)


@dataclass(frozen=True, slots=True)
class MeetingParts:
    """What every announcement of one meeting shares, whatever the channel or offset:
    computed once per meeting and reused (see ``bot.reminders.render``)."""

    details: tuple[str, ...]
    buttons: tuple[Button, ...]
    attachment: Attachment


def meeting_parts(group: Group, occurrence: Occurrence, series_ics: str | None = None,
                  public: PublicLinks | None = None) -> MeetingParts:
    """``public``: the group's addresses on Gavel's web server, when it has a public one."""
    series = series_of(group)
    rrule = series.rule_text if series else ""
    return MeetingParts(tuple(meeting_details(group, occurrence, rrule, public)),
                        _buttons(group, occurrence, public),
                        calendar_attachment(group, occurrence, series, series_ics))


def reminder_post(group: Group, place: Place, occurrence: Occurrence, offset: timedelta,
                  late: bool = False, agenda_source: AgendaSource | None = None,
                  parts: MeetingParts | None = None, public: PublicLinks | None = None,
                  memory: tuple[str, ...] = ()) -> Post:
    """The reminder ``offset`` before ``occurrence``; ``parts`` when already rendered.
    ``memory``: what the group carries into the meeting (``bot.memory.memory_text``:
    items added in chat, open actions), shown with the agenda."""
    parts = parts or meeting_parts(group, occurrence, public=public)
    title = occurrence.title or group.meeting_title
    lead = "Starting now" if offset == timedelta(0) else f"Coming up {describe_offset(offset)}"
    lines = []
    if late:
        lines.append("(Late reminder: the bot was away when it was due.)")
    lines.append(f"{lead}: {title}")
    lines += parts.details
    if offset >= AGENDA_FROM:  # the agenda changes: read afresh for every reminder
        agenda = agenda_lines(group, agenda_source)
        if agenda:
            lines += ["Agenda:", *agenda]
        lines += memory
    return Post(place, "\n".join(lines), buttons=parts.buttons, attachment=parts.attachment,
                when=occurrence.start, purpose=Purpose.REMINDER)


def next_meeting_post(group: Group, place: Place, occurrence: Occurrence,
                      public: PublicLinks | None = None) -> Post:
    parts = meeting_parts(group, occurrence, public=public)
    title = occurrence.title or group.meeting_title
    lines = [f"Next meeting: {title}", *parts.details]
    return Post(place, "\n".join(lines), buttons=parts.buttons, attachment=parts.attachment,
                when=occurrence.start, purpose=Purpose.NEXT)
