"""The agenda: open issues and pull requests carrying a group's label across its orgs.

One search per (org, label), 100 items a page, reading only fields the search payload
carries: touching anything else (``.repository``, ``.pull_request`` on a plain issue)
makes PyGithub fetch each item on its own, and an agenda of 150 items would cost 150
requests instead of 2. Whether an item is a pull request is read from its ``html_url``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable

from bot.agenda_lines import agenda_line, label_line
from bot.config import Group
from bot.github.client import GitHub, GitHubProblem, NotFound, RetryPolicy
from bot.ports import AgendaEntry
from bot.text import escape_markdown_html, literal_without_pings

log = logging.getLogger("gavel.github.agenda")

# Starting a meeting must not hang on GitHub: a short policy, then the last good agenda.
INTERACTIVE = RetryPolicy(attempts=2, backoff=0.5, max_wait=5.0)


def search_query(org: str, label: str) -> str:
    quoted = f'"{label}"' if " " in label else label
    return f"is:open label:{quoted} org:{org}"


def repo_of(repository_url: str) -> str:
    """``https://api.github.com/repos/nodejs/node`` -> ``nodejs/node`` (any API host)."""
    _, _, tail = repository_url.partition("/repos/")
    return tail.strip("/")


def group_by_repository(entries: Iterable[AgendaEntry]) -> OrderedDict[str, list[AgendaEntry]]:
    """Repositories in the order results came back, each item once."""
    grouped: OrderedDict[str, list[AgendaEntry]] = OrderedDict()
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        key = (entry.repo.lower(), entry.number)
        if key in seen:
            continue
        seen.add(key)
        grouped.setdefault(entry.repo, []).append(entry)
    return grouped


def fetch_agenda(github: GitHub, group: Group,
                 policy: RetryPolicy | None = None) -> list[AgendaEntry]:
    """Every open labelled item across the group's orgs, grouped by repository.

    Raises ``GitHubProblem`` when GitHub cannot answer.
    """
    found: list[AgendaEntry] = []
    for org in group.orgs:
        for label in group.labels:
            query = search_query(org, label)

            def search(query: str = query) -> list[AgendaEntry]:
                return [
                    AgendaEntry(repo=repo_of(item.repository_url), number=item.number,
                                title=item.title, url=item.html_url,
                                is_pr="/pull/" in item.html_url)
                    for item in github.api.search_issues(query)
                ]

            found.extend(github.call(f"search GitHub for {query!r}", search, policy))
    return [entry for items in group_by_repository(found).values() for entry in items]


class GitHubAgenda:
    """The ``AgendaSource`` backed by GitHub search.

    ``agenda_for`` never raises: a meeting starts even when GitHub is down, with the
    last agenda fetched for the group (or none), and the problem is logged.
    """

    def __init__(self, github: GitHub) -> None:
        self.github = github
        self._last: dict[str, list[AgendaEntry]] = {}
        self.last_problem: str = ""

    def fetch(self, group: Group, policy: RetryPolicy | None = None) -> list[AgendaEntry]:
        """A fresh agenda; raises ``GitHubProblem``."""
        if not (group.orgs and group.labels):
            return []
        entries = fetch_agenda(self.github, group, policy)
        self._last[group.name] = entries
        return entries

    def agenda_for(self, group: Group) -> list[AgendaEntry]:
        try:
            entries = self.fetch(group, INTERACTIVE)
        except GitHubProblem as problem:
            self.last_problem = str(problem)
            log.warning("agenda for %s: %s", group.name, problem)
            return list(self._last.get(group.name, []))
        self.last_problem = ""
        return entries

    def lookup(self, repo: str, number: int) -> AgendaEntry | None:
        def get() -> AgendaEntry:
            issue = self.github.api.get_repo(repo).get_issue(number)
            return AgendaEntry(repo, number, issue.title, issue.html_url,
                               "/pull/" in issue.html_url)

        try:
            return self.github.call(f"look up {repo}#{number}", get, INTERACTIVE)
        except NotFound:
            return None
        except GitHubProblem as problem:
            log.warning("lookup %s#%d: %s", repo, number, problem)
            return None


# -- rendering -------------------------------------------------------------------------


def agenda_markdown(entries: Iterable[AgendaEntry], group: Group,
                    extra: Iterable[str] = ()) -> str:
    """The agenda as the Node.js meeting issues show it: one ``###`` per repository."""
    lines: list[str] = []
    if group.orgs and group.labels:
        lines += [label_line(group), ""]
    for item in group.standing_items:
        lines.append(f"* {escape_markdown_html(item)}")
    for item in extra:
        lines.append(f"* {literal_without_pings(item)}")
    if len(lines) > 2 or (lines and not (group.orgs and group.labels)):
        lines.append("")
    grouped = group_by_repository(entries)
    for repo, items in grouped.items():
        lines += [f"### {repo}", ""]
        lines += [agenda_line(literal_without_pings(e.title), e.number, e.url) for e in items]
        lines.append("")
    if not grouped:
        lines += ["*No labelled issues or pull requests.*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"

