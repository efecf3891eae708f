"""``gavel attendance GROUP [--last N]`` (who came to the last N meetings) and
``gavel archive GROUP --url`` (the address of the group's web archive)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.text import small_number

ATTENDANCE_DEFAULT = 10


def _positive(text: str) -> int:
    if (number := small_number(text)) is None or number < 1:
        raise argparse.ArgumentTypeError(f"not a number of meetings (1 or more): {text!r}")
    return number


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    attendance = commands.add_parser(
        "attendance", help="who came to a group's last meetings, and each person's rate")
    attendance.add_argument("group", help="the group's name")
    attendance.add_argument("--last", type=_positive, default=ATTENDANCE_DEFAULT,
                            metavar="N", help=f"how many meetings (default {ATTENDANCE_DEFAULT})")
    attendance.set_defaults(func=cmd_attendance)
    archive = commands.add_parser("archive", help="the group's web archive")
    archive.add_argument("group", help="the group's name")
    archive.add_argument("--url", action="store_true", required=True,
                         help="print the archive's address (secret for a private archive: "
                              "anyone with it can read every meeting)")
    archive.set_defaults(func=cmd_archive)


def _open(args: argparse.Namespace, command: str) -> tuple[Any, Any]:
    from gavel.cli.core import core_of
    from gavel.cli.groups import find_group

    core = core_of(args)
    group = find_group(core.settings, args.group, command)
    if group is None:
        core.close()
    return core, group


def cmd_attendance(args: argparse.Namespace) -> int:
    from bot.attendance_history import attendance_history, attendance_text

    core, group = _open(args, "attendance")
    if group is None:
        return 2
    try:
        with core.database.transaction() as store:
            history = attendance_history(store, group, args.last)
        print(attendance_text(history))
        return 0
    finally:
        core.close()


def cmd_archive(args: argparse.Namespace) -> int:
    from bot.archive.links import archive_url

    core, group = _open(args, "archive")
    if group is None:
        return 2
    try:
        if not core.settings.web.public_url:
            print("gavel archive: no address to give: set [web] public_url in the config "
                  "(where people reach this server)", file=sys.stderr)
            return 2
        with core.database.transaction() as store:
            url = archive_url(store, core.settings, group)
        print(url)
        return 0
    finally:
        core.close()
