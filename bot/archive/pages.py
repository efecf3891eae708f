"""The archive's two pages, as HTML strings: a group's page (its meetings, its open
actions by owner, the attendance chart) and a meeting's page (its minutes and
its full transcript, a link per line).

A meeting's page is also the live document of a running meeting (issue 15, for groups
without a HackMD note): the record so far, as the minutes render it now, and the
transcript. Its ``#record`` part is what the page's event stream sends again whenever
the meeting changes (``meeting_record``); a small inline script, allowed by its hash
alone (``LIVE_SCRIPT_HASH``), swaps it in. With JavaScript off the page reloads itself
every ``LIVE_REFRESH_SECONDS`` while the meeting runs (a ``<noscript>`` refresh, so a
browser that runs the script never reloads).

Jinja2 with autoescape on: every name, title and line anyone typed is shown literally.
The stored minutes are Markdown, rendered by markdown-it-py with raw HTML off (what
people typed was already escaped into them, and unsafe link schemes are refused). No
page loads anything from anywhere: the CSS is inline, and only a running meeting's page
has a script (its own, inline).
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from bot.archive.chart import attendance_svg
from bot.attendance_history import attendance_history
from bot.config import Group
from bot.domain import Status
from bot.minutes import TemplateFailed, compile_minutes
from bot.store import Store
from bot.store.actions import ActionStore
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
LIVE_REFRESH_SECONDS = 30  # a running meeting's page, JavaScript off: reloaded this often

# The running meeting's page follows its event stream (``<page>/events``) and swaps each
# record it sends into ``#record``; the last one ("end") closes the stream. When the
# stream cannot be had (a proxy in the way, too many readers: 503; the meeting just ended:
# 204), the page falls back to what it does with JavaScript off: reloading.
LIVE_SCRIPT = (
    "(function(){"
    "var r=document.getElementById('record');"
    "if(!r||!window.EventSource)return;"
    "var s=new EventSource(r.getAttribute('data-events'));"
    "function swap(e){r.innerHTML=e.data;}"
    "s.addEventListener('record',swap);"
    "s.addEventListener('end',function(e){swap(e);s.close();});"
    "s.onerror=function(){if(s.readyState===2)"
    f"setTimeout(function(){{location.reload();}},{LIVE_REFRESH_SECONDS * 1000});}};"
    "})();")
LIVE_SCRIPT_HASH = "sha256-" + base64.b64encode(
    hashlib.sha256(LIVE_SCRIPT.encode("utf-8")).digest()).decode("ascii")


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


@dataclass(frozen=True, slots=True)
class MeetingPage:
    html: str
    running: bool  # the live page: its answer must not be cached, and its script runs


def meeting_view(store: Store, group: Group, meeting_id: int) -> MeetingPage | None:
    """The meeting's page, past or running; None when the group has no such meeting."""
    context = _record_context(store, group, meeting_id)
    if context is None:
        return None
    running = bool(context["live"])
    html = _environment().get_template("meeting.html.j2").render(
        **context, script=Markup(LIVE_SCRIPT) if running else "")
    return MeetingPage(html, running)


def meeting_page(store: Store, group: Group, meeting_id: int) -> str | None:
    """The page's HTML, or None when the group has no such meeting."""
    view = meeting_view(store, group, meeting_id)
    return view.html if view is not None else None


def meeting_record(store: Store, group: Group, meeting_id: int) -> str | None:
    """The page's ``#record`` part alone: what the live page's event stream sends."""
    context = _record_context(store, group, meeting_id)
    if context is None:
        return None
    return _environment().get_template("meeting_record.html.j2").render(**context)


def _record_context(store: Store, group: Group, meeting_id: int
                    ) -> dict[str, object] | None:
    zone = ZoneInfo(group.timezone)
    found = past_meeting(store, group.name, meeting_id)
    started = ""
    if found is not None:
        meeting, minutes = found
    else:
        running = _running(store, group, meeting_id)
        if running is None:
            return None
        meeting, minutes, at = running
        started = f"{at.astimezone(zone):%H:%M}" if at else ""
    lines = _lines(logged_lines(store, meeting_id), zone)
    return {"group": group, "meeting": meeting, "lines": lines, "zone": group.timezone,
            "minutes": _minutes_html(minutes), "live": found is None, "started": started,
            "refresh": LIVE_REFRESH_SECONDS}


def _running(store: Store, group: Group, meeting_id: int
             ) -> tuple[MeetingSummary, str, datetime | None] | None:
    """A running meeting of the group: its summary, its minutes as they would be if it
    ended now, and when it started."""
    meeting = store.meeting(meeting_id)
    if meeting is None or meeting.group_name != group.name or meeting.status != Status.RUNNING:
        return None
    marks = store.attendance(meeting_id)
    try:
        minutes = compile_minutes(store, meeting, group)
    except TemplateFailed:
        # As at #endmeeting: a broken group template must not hide the record.
        minutes = compile_minutes(store, meeting, group, "nodejs")
    summary = MeetingSummary(
        meeting.id, meeting.meeting_date, meeting.title, meeting.started_at, None,
        sum(1 for a in marks if a.status == "present"),
        sum(1 for a in marks if a.status == "regrets"), 0)
    return summary, minutes, meeting.started_at


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
