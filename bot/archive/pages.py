"""The archive's two pages, as HTML strings: a group's page (its meetings, the actions of
its last meeting by owner, the attendance chart) and a meeting's page (its minutes and
its full transcript, a link per line).

Jinja2 with autoescape on: every name, title and line anyone typed is shown literally.
The stored minutes are Markdown, rendered by markdown-it-py with raw HTML off (what
people typed was already escaped into them, and unsafe link schemes are refused). No
page loads anything from anywhere: the CSS is inline and there is no script.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from bot.action_owners import KnownPeople
from bot.archive.chart import attendance_svg
from bot.attendance_history import attendance_history
from bot.config import Group
from bot.domain import NoteKind
from bot.store import Store
from bot.store.history import (
    LoggedLine,
    MeetingSummary,
    logged_lines,
    past_meeting,
    past_meetings,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_MEETINGS = 100  # the chart covers this many of the latest meetings
UNASSIGNED = "Unassigned"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@cache
def _markdown() -> MarkdownIt:
    # "html": False: raw HTML in the Markdown is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True, slots=True)
class ActionsView:
    meeting: MeetingSummary | None  # the meeting they were taken in
    by_owner: OrderedDict[str, list[str]]


def last_actions(store: Store, group: Group, latest: MeetingSummary | None) -> ActionsView:
    """The ``#action`` notes of the group's last meeting, by owner (as the minutes work
    owners out). Until actions carry a status across meetings, these are the ones that
    can still be open."""
    by_owner: OrderedDict[str, list[str]] = OrderedDict()
    if latest is None:
        return ActionsView(None, by_owner)
    known = KnownPeople.of_meeting(store, latest.id)
    for note in store.notes(latest.id):
        if note.kind is NoteKind.ACTION:
            for owner in known.owners_of(note.text) or (UNASSIGNED,):
                by_owner.setdefault(owner, []).append(note.text)
    if UNASSIGNED in by_owner:
        by_owner.move_to_end(UNASSIGNED)
    return ActionsView(latest, by_owner)


def group_page(store: Store, group: Group) -> str:
    meetings = past_meetings(store.connection, group.name)
    history = attendance_history(store.connection, group, CHART_MEETINGS, meetings)
    quorate = {m.id: history.quorate(n) for n, m in enumerate(history.meetings)} \
        if history.members else {}
    return _environment().get_template("group.html.j2").render(
        group=group, meetings=meetings, history=history, quorate=quorate,
        chart=attendance_svg(history) if history.meetings else None,
        actions=last_actions(store, group, meetings[0] if meetings else None))


def meeting_page(store: Store, group: Group, meeting_id: int) -> str | None:
    """The page, or None when the group has no such past meeting."""
    found = past_meeting(store.connection, group.name, meeting_id)
    if found is None:
        return None
    meeting, minutes = found
    zone = ZoneInfo(group.timezone)
    lines = [_line(n, line, zone) for n, line in
             enumerate(logged_lines(store.connection, meeting_id), 1)]
    return _environment().get_template("meeting.html.j2").render(
        group=group, meeting=meeting, lines=lines, zone=group.timezone,
        minutes=_minutes_html(minutes))


def _minutes_html(markdown: str) -> Markup:
    """The minutes as HTML, their headings one level down (the page's title is the h1).
    Raw HTML is off in the parser, so the result is safe to insert as it is."""
    md = _markdown()
    tokens = md.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


@dataclass(frozen=True, slots=True)
class LineView:
    number: int
    time: str
    author: str
    text: str


def _line(number: int, line: LoggedLine, zone: ZoneInfo) -> LineView:
    return LineView(number, f"{line.at.astimezone(zone):%H:%M:%S}", line.author_name,
                    line.text)
