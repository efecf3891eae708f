"""``gavel agenda``, ``gavel issue`` and ``gavel publish``: the GitHub side from a shell.

Imports stay inside the functions, like the rest of the CLI, so ``gavel --help`` never
loads PyGithub.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gavel.cli.groups import find_group

if TYPE_CHECKING:
    from bot.config import Group, Settings
    from bot.github.client import GitHub


def _client(settings: Settings, group: Group | None, prog: str) -> GitHub | None:
    from bot.config import Secrets
    from bot.github.client import client_from_settings

    org = (group.orgs[0] if group and group.orgs else "") or \
        (group.minutes_repo.split("/")[0] if group and group.minutes_repo else "")
    github = client_from_settings(settings, Secrets.from_environment(), org)
    if github is None:
        print(f"gavel {prog}: GitHub is not set up: set GITHUB_TOKEN, or [github] app_id "
              "with GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE)", file=sys.stderr)
    return github


def cmd_agenda(args: argparse.Namespace) -> int:
    from bot.github.agenda import agenda_markdown, fetch_agenda
    from bot.github.client import GitHubProblem
    from gavel.cli.core import settings_of

    settings = settings_of(args)
    group = find_group(settings, args.group, "agenda")
    if group is None:
        return 2
    if not (group.orgs and group.labels):
        print(f"gavel agenda: group {group.name!r} needs github_org(s) and agenda_label(s)",
              file=sys.stderr)
        return 2
    github = _client(settings, group, "agenda")
    if github is None:
        return 2
    try:
        entries = fetch_agenda(github, group)
    except GitHubProblem as problem:
        print(f"gavel agenda: {problem}", file=sys.stderr)
        return 1
    sys.stdout.write(f"# {group.meeting_title}: agenda\n\n" + agenda_markdown(entries, group))
    return 0


def _meeting_start(group: Group, day: str, at: str | None) -> object:
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    zone = group.schedule.timezone if group.schedule else group.timezone
    if at is None and group.schedule and group.schedule.start:
        at = datetime.fromisoformat(group.schedule.start).strftime("%H:%M")
    if at is None:
        raise ValueError("the group has no schedule: give the meeting's time with --time HH:MM")
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(at), ZoneInfo(zone))


def cmd_issue(args: argparse.Namespace) -> int:
    from datetime import datetime

    from bot.github.agenda import fetch_agenda
    from bot.github.client import GitHubProblem
    from bot.github.meeting_issue import ensure_issue
    from gavel.cli.core import core_of

    core = core_of(args)
    try:
        group = find_group(core.settings, args.group, "issue")
        if group is None:
            return 2
        try:
            start = _meeting_start(group, args.date, args.time)
        except ValueError as exc:
            print(f"gavel issue: {exc}", file=sys.stderr)
            return 2
        assert isinstance(start, datetime)
        github = core.github or _client(core.settings, group, "issue")
        if github is None:
            return 2
        try:
            agenda = fetch_agenda(github, group) if group.orgs and group.labels else []
            outcome = ensure_issue(github, group, start, agenda, core.database)
        except GitHubProblem as problem:
            print(f"gavel issue: {problem}", file=sys.stderr)
            return 1
        print(f"meeting issue {outcome.action}: {outcome.url}")
        return 0
    finally:
        core.close()


def cmd_publish(args: argparse.Namespace) -> int:
    from bot.effects import Post, Purpose
    from gavel.cli.core import core_of

    core = core_of(args)
    try:
        if core.publisher is None:
            print("gavel publish: publishing is not set up: set GITHUB_TOKEN (or a GitHub "
                  "App) and a group's minutes_repo", file=sys.stderr)
            return 2
        if args.pending:
            results = core.publisher.publish_pending()
        elif args.meeting is not None:
            with core.database.transaction() as store:
                meeting = store.meeting(args.meeting)
            if meeting is None or meeting.status.value not in ("ended", "published"):
                print(f"gavel publish: meeting {args.meeting} has not ended (or does not "
                      "exist; gavel meetings lists them)", file=sys.stderr)
                return 1
            results = [(meeting, core.publisher.publish(meeting.id))]
        else:
            print("gavel publish: give a meeting id or --pending", file=sys.stderr)
            return 2
        failed = 0
        for meeting, effects in results:
            for effect in effects:
                if isinstance(effect, Post):
                    print(f"meeting {meeting.id} ({meeting.meeting_date}): {effect.text}")
                    failed += effect.purpose == Purpose.PUBLISH_FAILED
        if not results:
            print("nothing to publish: every ended meeting is published")
        return 1 if failed else 0
    finally:
        core.close()


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    agenda = commands.add_parser("agenda", help="print a group's agenda from GitHub")
    agenda.add_argument("group", help="the group's name, as in the config")
    agenda.set_defaults(func=cmd_agenda)

    issue = commands.add_parser("issue", help="open or update a group's meeting issue")
    issue.add_argument("group", help="the group's name, as in the config")
    issue.add_argument("--date", required=True, help="the meeting's date, YYYY-MM-DD")
    issue.add_argument("--time", help="its local time HH:MM (default: the schedule's)")
    issue.set_defaults(func=cmd_issue)

    publish = commands.add_parser("publish", help="publish minutes as a pull request")
    publish.add_argument("meeting", nargs="?", type=int, help="meeting id (gavel meetings)")
    publish.add_argument("--pending", action="store_true",
                         help="every ended meeting not published yet")
    publish.set_defaults(func=cmd_publish)
