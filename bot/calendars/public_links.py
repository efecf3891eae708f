"""A group's addresses on Gavel's own web server: its calendar feed, and a short link per
meeting that redirects to the add-to-calendar page.

Both carry a random per-group token (``bot.store.tokens``), never the group's name: a
feed URL must not be guessable, and the feed leaves the join link out unless the group
opts in, while the short links lead to calendar pages that carry it. So the two are
different tokens: sharing a feed URL does not share the passcode.

Short links exist because Discord refuses link buttons over 512 characters, and a
Google Calendar link with a Zoom join link in it runs to 600-700.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.calendars.links import google_link, outlook_link
from bot.config import Group, Settings
from bot.schedules.recurrence import Occurrence, ScheduleError, recurring_schedule
from bot.store import Store
from bot.store.reminder_rows import meetings_between
from bot.store.tokens import FEED, LINKS, token_for

CALENDAR_KINDS = ("google", "outlook")
_INSTANT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class PublicLinks:
    feed: str  # <public_url>/calendar/<feed token>.ics
    calendar_base: str  # <public_url>/c/<links token>

    def calendar(self, occurrence: Occurrence, kind: str) -> str:
        """The short link to add ``occurrence`` to a calendar (``kind``: google, outlook)."""
        return f"{self.calendar_base}/{occurrence.start.astimezone(UTC):{_INSTANT}}/{kind}"


def public_links(store: Store, settings: Settings, group: Group) -> PublicLinks | None:
    """The group's public addresses (making its tokens the first time: a write), or None
    when no ``web.public_url`` is configured."""
    base = settings.web.public_url
    if not base:
        return None
    feed = token_for(store, group.name, FEED)
    links = token_for(store, group.name, LINKS)
    return PublicLinks(f"{base}/calendar/{feed}.ics", f"{base}/c/{links}")


def parse_instant(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _INSTANT).replace(tzinfo=UTC)
    except ValueError:
        return None


def calendar_target(store: Store, group: Group, start: datetime,
                    kind: str) -> str | None:
    """Where the short link of the meeting starting at ``start`` leads, or None when the
    group has no such meeting. Reads only: what the planner stored, else the group's rule
    (``/meeting next`` may show a meeting beyond the planner's horizon)."""
    if kind not in CALENDAR_KINDS:
        return None
    series = None
    if group.schedule is not None and group.schedule.rrule:
        try:
            series = recurring_schedule(group)
        except ScheduleError:
            series = None
    stored = meetings_between(store, start, start + timedelta(seconds=1), group.name)
    occurrence: Occurrence | None = stored[0].occurrence if stored else None
    if occurrence is None and series is not None:
        found = series.between(start, start + timedelta(seconds=1))
        occurrence = found[0] if found else None
    if occurrence is None:
        return None
    if kind == "google":
        return google_link(group, occurrence, series.rule_text if series else "")
    return outlook_link(group, occurrence)
