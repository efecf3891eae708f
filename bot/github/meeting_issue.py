"""The meeting issue: opened a few days ahead, laid out like the Node.js ones, never twice.

The Node.js tooling opened duplicates on daily runs and overwrote what people had written
in the issue. Here the issue is found by its title (and remembered in the database)
before anything is created, and later runs only rewrite the agenda between the bot's
own HTML comment markers, so edits anywhere else in the issue survive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from github.Issue import Issue

from bot.config import NODEJS_ZONES, Group
from bot.github.agenda import agenda_markdown
from bot.github.client import GitHub, GitHubProblem, NotFound
from bot.memory import by_owner
from bot.ports import AgendaEntry
from bot.store import Database, Store
from bot.store.actions import ActionItem, ActionStore, PendingItem
from bot.store.hackmd_rows import note_for
from bot.text import literal_without_pings

log = logging.getLogger("gavel.github.issue")

AGENDA_START = "<!-- gavel:agenda:start (Gavel updates the agenda between these markers) -->"
AGENDA_END = "<!-- gavel:agenda:end -->"


@dataclass(frozen=True)
class IssueOutcome:
    url: str
    number: int
    action: str  # "created", "updated", "unchanged"


def issue_repo(group: Group) -> str:
    return group.issue_repo or group.minutes_repo


def issue_title(group: Group, meeting_start: datetime) -> str:
    return f"{group.meeting_title} {local_date(group, meeting_start)}"


def local_date(group: Group, meeting_start: datetime) -> str:
    return meeting_start.astimezone(ZoneInfo(group.timezone)).date().isoformat()


# -- the body ----------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return f"{moment:%a %d-%b-%Y %H:%M} ({moment:%I:%M %p})"


def _zones(group: Group) -> list[tuple[str, str]]:
    if group.zones:
        return [(zone.replace("_", " "), zone) for zone in group.zones]
    return list(NODEJS_ZONES)


def _duration(group: Group) -> int:
    return group.schedule.duration_minutes if group.schedule else 60


def time_section(group: Group, meeting_start: datetime) -> str:
    utc = meeting_start.astimezone(UTC)
    zones = _zones(group)
    width = max(len("Timezone"), *(len(label) for label, _ in zones))
    rows = [(label, _when(utc.astimezone(ZoneInfo(zone)))) for label, zone in zones]
    date_width = max(len("Date/Time"), *(len(when) for _, when in rows))
    minutes = _duration(group)
    hours, rest = divmod(minutes, 60)
    link = ("https://www.timeanddate.com/worldclock/fixedtime.html?msg="
            f"{quote(issue_title(group, meeting_start))}&iso={utc:%Y%m%dT%H%M}&p1=1440"
            f"&ah={hours}" + (f"&am={rest}" if rest else ""))
    lines = [f"**UTC {_when(utc)}**:", "",
             f"| {'Timezone':<{width}} | {'Date/Time':<{date_width}} |",
             f"|{'-' * (width + 2)}|{'-' * (date_width + 2)}|"]
    lines += [f"| {label:<{width}} | {when:<{date_width}} |" for label, when in rows]
    lines += ["", "Or in your local time:", f"* {link}"]
    return "\n".join(lines)


@dataclass(frozen=True)
class Memory:
    """What the group carries into the meeting: items added in chat, open actions."""

    pending: tuple[PendingItem, ...] = ()
    actions: tuple[ActionItem, ...] = ()

    @classmethod
    def of(cls, database: Database, group: Group) -> Memory:
        with database.transaction() as store:
            actions = ActionStore(store)
            return cls(tuple(actions.pending(group.name)),
                       tuple(actions.open_actions(group.name)))

    def markdown(self) -> str:
        lines: list[str] = []
        if self.pending:
            lines += ["### Added in chat", ""]
            for item in self.pending:
                link = f" [{item.reference}]({item.url})" if item.reference else ""
                lines.append(f"* {literal_without_pings(item.title)}{link}")
            lines.append("")
        if self.actions:
            lines += ["### Open actions", ""]
            lines += [f"* {literal_without_pings(owner)}: {action.label} "
                      f"{literal_without_pings(action.text)}"
                      for owner, theirs in by_owner(list(self.actions)).items()
                      for action in theirs]
            lines.append("")
        return "\n".join(lines)


def agenda_block(group: Group, agenda: Iterable[AgendaEntry], memory: Memory | None = None
                 ) -> str:
    extra = "\n" + memory.markdown() if memory and (memory.pending or memory.actions) else ""
    return f"{AGENDA_START}\n{agenda_markdown(agenda, group)}{extra}{AGENDA_END}"


def _doc_line(doc: str) -> str:
    return f"* {'Minutes Google Doc' if 'docs.google.com' in doc else 'Minutes doc'}: <{doc}>"


def with_doc_link(body: str, doc: str) -> str:
    """``body`` with the meeting's live minutes document (its HackMD note) linked first
    under Links, when it is not linked yet; nothing else changes."""
    if doc in body or "## Links\n\n" not in body:
        return body
    return body.replace("## Links\n\n", f"## Links\n\n{_doc_line(doc)}\n", 1)


def issue_body(group: Group, meeting_start: datetime, agenda: Iterable[AgendaEntry],
               minutes_doc: str = "", memory: Memory | None = None) -> str:
    """The whole issue, as opened: Time, Links, Invited, Observers/Guests, Agenda,
    Joining the meeting, RSVP. ``minutes_doc`` is the meeting's own note, if it has one."""
    links = group.links
    parts = ["## Time", "", time_section(group, meeting_start), "", "## Links", ""]
    link_lines = []
    if minutes_doc or links.minutes_doc:
        link_lines.append(_doc_line(minutes_doc or links.minutes_doc))
    if links.calendar:
        link_lines.append(f"* Project calendar: <{links.calendar}>")
    parts += link_lines or ["* (none yet)"]
    parts += ["", "## Invited", "", f"* {group.invitees}" if group.invitees else
              "* (everyone in the group)", "", "## Observers/Guests", "",
              "Observers are welcome: please comment below if you would like to join "
              "the call, or follow the live stream.", "", "## Agenda", "",
              agenda_block(group, agenda, memory), "", "## Joining the meeting", ""]
    joining = []
    if links.join:
        joining.append(f"* Link for participants: <{links.join}>")
    if links.observers:
        joining.append(f"* For those who just want to watch: <{links.observers}>")
    parts += joining or ["* The link will be posted in the group's channel."]
    parts += ["", "## RSVP", "",
              "Please use the following emoji reactions on this post to indicate your "
              "availability:", "",
              "* :+1: - Attending", "* :-1: - Not attending", "* :confused: - Not sure yet"]
    return "\n".join(parts) + "\n"


def replace_agenda(body: str, group: Group, agenda: Iterable[AgendaEntry],
                   memory: Memory | None = None) -> str | None:
    """``body`` with only the marked agenda block replaced; None if the markers are gone."""
    start = body.find(AGENDA_START)
    end = body.find(AGENDA_END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return body[:start] + agenda_block(group, agenda, memory) + body[end + len(AGENDA_END):]


# -- finding, creating, updating -------------------------------------------------------------


def find_issue_by_title(github: GitHub, repo: str, title: str) -> Issue | None:
    """The issue titled exactly ``title`` in ``repo`` (open or closed), by one search."""
    query = f'repo:{repo} is:issue in:title "{title}"'

    def search() -> Issue | None:
        for item in github.api.search_issues(query):
            if item.title == title and "/pull/" not in item.html_url:
                return item
        return None

    return github.call(f"look for the issue {title!r} in {repo}", search)


def ensure_meeting_issue(github: GitHub, group: Group, meeting_start: datetime,
                         agenda: Iterable[AgendaEntry], database: Database | None = None,
                         ) -> str:
    """Open the meeting issue, or bring its agenda up to date; returns its URL.

    With ``database`` the issue is remembered (and the running meeting's minutes link to
    it); the search by title still guards against one opened by hand or by another run.
    """
    return ensure_issue(github, group, meeting_start, agenda, database).url


def ensure_issue(github: GitHub, group: Group, meeting_start: datetime,
                 agenda: Iterable[AgendaEntry], database: Database | None = None,
                 ) -> IssueOutcome:
    repo = issue_repo(group)
    if not repo:
        raise GitHubProblem(f"group {group.name!r} has no issue_repo or minutes_repo: "
                            "there is nowhere to open the meeting issue")
    agenda = list(agenda)
    title = issue_title(group, meeting_start)
    date = local_date(group, meeting_start)
    known = None
    memory = None
    doc = ""
    if database is not None:
        with database.transaction() as store:
            known = store.meeting_issue(group.name, date)
            note = note_for(store, group.name, date)
            doc = note.url if note is not None else ""
        memory = Memory.of(database, group)
    issue: Issue | None = None
    if known is not None and known[0] == repo:
        number = known[1]
        try:
            issue = github.call(f"read {repo}#{number}", lambda: _loaded(
                github.api.get_repo(repo).get_issue(number)))
        except NotFound:
            issue = None  # deleted or transferred: look for it by title, or open anew
    if issue is None:
        issue = find_issue_by_title(github, repo, title)
    if issue is None:
        body = issue_body(group, meeting_start, agenda, doc, memory)

        def create() -> Issue:
            # Safe to repeat: a retry after a lost answer finds the issue first.
            again = find_issue_by_title(github, repo, title) if attempts else None
            attempts.append(1)
            return again or github.api.get_repo(repo).create_issue(title, body)

        attempts: list[int] = []
        issue = github.call(f"open the meeting issue in {repo}", create)
        outcome = IssueOutcome(issue.html_url, issue.number, "created")
    else:
        new_body = replace_agenda(issue.body or "", group, agenda, memory)
        if new_body is not None and doc:
            new_body = with_doc_link(new_body, doc)
        if new_body is None:
            log.warning("%s: the agenda markers were removed; leaving the issue alone",
                        issue.html_url)
            outcome = IssueOutcome(issue.html_url, issue.number, "unchanged")
        elif new_body != (issue.body or ""):
            found = issue
            github.call(f"update the agenda in {repo}#{issue.number}",
                        lambda: found.edit(body=new_body))
            outcome = IssueOutcome(issue.html_url, issue.number, "updated")
        else:
            outcome = IssueOutcome(issue.html_url, issue.number, "unchanged")
    if database is not None:
        with database.transaction() as store:
            store.save_meeting_issue(group.name, date, repo, outcome.number, outcome.url,
                                     datetime.now(UTC))
            _link_running_meeting(store, group.name, date, outcome.url)
    return outcome


def _loaded(issue: Issue) -> Issue | None:
    """Fetch a lazy issue now (so a deleted one is seen here, not later)."""
    _ = issue.body
    return issue


def _link_running_meeting(store: Store, group_name: str, date: str, url: str) -> None:
    """A meeting already running that day gets the issue link for its minutes."""
    for meeting in store.all_running_meetings():
        if meeting.group_name == group_name and meeting.meeting_date == date \
                and not meeting.links.get("issue"):
            store.update_meeting(meeting.id, links={**meeting.links, "issue": url})
