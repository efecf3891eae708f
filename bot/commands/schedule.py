"""Chat commands about the schedule: ``/meeting upcoming``, and ``/meeting next`` when no
meeting is running (during a meeting ``next`` moves to the next agenda item)."""

from __future__ import annotations

from bot.calendars.public_links import public_links
from bot.commands.turn import Turn
from bot.effects import Purpose
from bot.reminders.text import next_meeting_post, when_line
from bot.schedules.recurrence import Occurrence, ScheduleError, has_schedule
from bot.schedules.upcoming import upcoming_meetings
from bot.text import small_number

_NO_SCHEDULE = ("{group} has no schedule yet: set [groups.schedule] rrule, start and "
                "timezone (or ics_url) in the config.")


def show_upcoming(turn: Turn, argument: str) -> None:
    wanted = argument.strip()
    number = small_number(wanted)
    count = 5 if number is None else max(1, min(number, 20))
    meetings = _coming(turn, count)
    if not meetings:
        return
    lines = [f"Upcoming meetings of {turn.group.name}:"]
    for meeting in meetings:
        title = meeting.title or turn.group.meeting_title
        lines.append(f"- {title}: " + when_line(meeting).removeprefix("When: "))
    turn.effects.say("\n".join(lines), when=meetings[0].start, purpose=Purpose.UPCOMING)


def show_next(turn: Turn, argument: str) -> None:
    meetings = _coming(turn, 1)
    if not meetings:
        return
    public = public_links(turn.store, turn.settings, turn.group)
    turn.effects.items.append(next_meeting_post(turn.group, turn.event.place, meetings[0],
                                                public))


def _coming(turn: Turn, count: int) -> list[Occurrence]:
    """The group's next ``count`` meetings; an empty list once the reason has been told."""
    if not has_schedule(turn.group):
        turn.effects.tell(_NO_SCHEDULE.format(group=turn.group.name))
        return []
    try:
        meetings = upcoming_meetings(turn.store, turn.group, turn.now, count)
    except ScheduleError as exc:
        turn.effects.tell(f"The schedule cannot be used: {exc}")
        return []
    if not meetings:
        turn.effects.tell(f"No upcoming meetings of {turn.group.name} are known.")
    return meetings
