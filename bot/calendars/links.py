"""Add-to-calendar links: Google Calendar, Outlook on the web, and timeanddate.

Google takes UTC ``dates`` plus ``ctz`` (the zone the series is kept in, so a recurring
meeting follows its own daylight-saving rules) and ``recur``. Outlook's compose deeplink
has no recurrence: it adds the one meeting. timeanddate shows the instant in every zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from bot.config import Group
from bot.schedules.recurrence import Occurrence

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.office.com/calendar/deeplink/compose"
TIMEANDDATE = "https://www.timeanddate.com/worldclock/fixedtime.html"


@dataclass(frozen=True, slots=True)
class CalendarLinks:
    google: str
    outlook: str
    timeanddate: str


def _query(fields: dict[str, str]) -> str:
    return urlencode({k: v for k, v in fields.items() if v}, quote_via=quote, safe="")


def _utc(instant: datetime, pattern: str) -> str:
    return instant.astimezone(UTC).strftime(pattern)


def event_details(group: Group, join: bool = True) -> str:
    """The text that goes with the event: where to join (unless ``join`` is false: the
    public feed) and where the agenda lives."""
    lines = []
    if join and group.links.join:
        lines.append(f"Join: {group.links.join}")
    if group.links.observers:
        lines.append(f"Observe: {group.links.observers}")
    if group.minutes_repo:
        lines.append(f"Minutes and agenda: https://github.com/{group.minutes_repo}")
    return "\n".join(lines)


def google_link(group: Group, occurrence: Occurrence, rrule: str = "") -> str:
    fields = {
        "action": "TEMPLATE",
        "text": occurrence.title or group.meeting_title,
        "dates": f"{_utc(occurrence.start, '%Y%m%dT%H%M%SZ')}/"
                 f"{_utc(occurrence.end, '%Y%m%dT%H%M%SZ')}",
        "details": event_details(group),
        "location": group.links.join,
        "ctz": occurrence.zone,
        "recur": f"RRULE:{rrule}" if rrule else "",
    }
    return f"{GOOGLE}?{_query(fields)}"


def outlook_link(group: Group, occurrence: Occurrence) -> str:
    fields = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": occurrence.title or group.meeting_title,
        "body": event_details(group),
        "startdt": _utc(occurrence.start, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(occurrence.end, "%Y-%m-%dT%H:%M:%SZ"),
        "location": group.links.join,
    }
    return f"{OUTLOOK}?{_query(fields)}"


def timeanddate_link(group: Group, occurrence: Occurrence) -> str:
    minutes = int((occurrence.end - occurrence.start).total_seconds() // 60)
    fields = {
        "msg": occurrence.title or group.meeting_title,
        "iso": _utc(occurrence.start, "%Y%m%dT%H%M"),
        "p1": "1440",  # timeanddate's id for UTC
        "ah": str(minutes // 60) if minutes // 60 else "",
        "am": str(minutes % 60) if minutes % 60 else "",
    }
    return f"{TIMEANDDATE}?{_query(fields)}"


def calendar_links(group: Group, occurrence: Occurrence, rrule: str = "") -> CalendarLinks:
    return CalendarLinks(google_link(group, occurrence, rrule), outlook_link(group, occurrence),
                         timeanddate_link(group, occurrence))
