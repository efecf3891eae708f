"""The archive's two pages, as HTML strings: a group's page (its meetings, its open
actions by owner, the attendance chart) and a meeting's page (its minutes and
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

from bot.archive.chart import attendance_svg
from bot.attendance_history import attendance_history
from bot.config import Group
from bot.store import Store
from bot.store.actions import ActionStore
from bot.store.history import (
    LoggedLine,
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
    by_owner: OrderedDict[str, list[str]]  # owner -> "A-17: text", open ones only


def open_actions(store: Store, group: Group) -> ActionsView:
    """The group's open action items (``#action`` until ``#done``/``#drop``, in any
    meeting), by owner; an action with several owners is listed under each."""
    by_owner: OrderedDict[str, list[str]] = OrderedDict()
    found = sorted(ActionStore(store).open_actions(group.name),
                   key=lambda a: a.number)
    for owner in sorted({o for a in found for o in a.owners}, key=str.casefold):
        by_owner[owner] = [f"{a.label}: {a.text}" for a in found if owner in a.owners]
    unassigned = [f"{a.label}: {a.text}" for a in found if not a.owners]
    if unassigned:
        by_owner[UNASSIGNED] = unassigned
    return ActionsView(by_owner)


def group_page(store: Store, group: Group) -> str:
    meetings = past_meetings(store, group.name)
    history = attendance_history(store, group, CHART_MEETINGS, meetings)
    quorate = {m.id: history.quorate(n) for n, m in enumerate(history.meetings)} \
        if history.members else {}
    return _environment().get_template("group.html.j2").render(
        group=group, meetings=meetings, history=history, quorate=quorate,
        chart=attendance_svg(history) if history.meetings else None,
        actions=open_actions(store, group))


def meeting_page(store: Store, group: Group, meeting_id: int) -> str | None:
    """The page, or None when the group has no such past meeting."""
    found = past_meeting(store, group.name, meeting_id)
    if found is None:
        return None
    meeting, minutes = found
    zone = ZoneInfo(group.timezone)
    lines = _lines(logged_lines(store, meeting_id), zone)
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
    change: str = ""  # "edit" or "delete": what became of line ``changes``
    changes: int | None = None


def _lines(logged: list[LoggedLine], zone: ZoneInfo) -> list[LineView]:
    """Numbered transcript lines; an edit or deletion names the line it changed."""
    first_of: dict[str, int] = {}
    views = []
    for number, line in enumerate(logged, 1):
        changed = first_of.get(line.message_id) if line.change else None
        if not line.change and line.message_id:
            first_of.setdefault(line.message_id, number)
        views.append(LineView(number, f"{line.at.astimezone(zone):%H:%M:%S}",
                              line.author_name, line.text, line.change, changed))
    return views
