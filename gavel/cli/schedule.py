"""``gavel next``, ``gavel reminders``, ``gavel ics`` and ``gavel reminder-loop``.

Like ``gavel.cli.main``, imports are lazy: only the command that runs pays for them.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from gavel.cli.core import core_of, settings_of


def add_schedule_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    nxt = commands.add_parser("next", help="the next meetings of one group or all, with links")
    nxt.add_argument("group", nargs="?", help="group name (default: every scheduled group)")
    nxt.add_argument("-n", "--count", type=int, default=3, help="meetings per group")
    nxt.set_defaults(func=cmd_next)

    rem = commands.add_parser("reminders", help="the coming reminders, and those sent")
    rem.add_argument("group", nargs="?", help="group name (default: all)")
    rem.add_argument("--preview", action="store_true", help="show each reminder's text")
    rem.add_argument("-n", "--count", type=int, default=5, help="how many")
    rem.set_defaults(func=cmd_reminders)

    ics = commands.add_parser("ics", help="write a group's calendar feed (.ics)")
    ics.add_argument("group", help="group name")
    ics.add_argument("-o", "--output", help="file (default: <group>.ics; '-' for stdout)")
    ics.add_argument("--url", action="store_true", help="print the feed's address on this "
                     "server (secret: anyone with it can read the feed) instead of a file")
    ics.set_defaults(func=cmd_ics)

    loop = commands.add_parser(
        "reminder-loop", help="run only the reminder loop, posting to a JSON-lines file (dry "
        "runs, tests); without --database it works on a scratch copy of the store")
    loop.add_argument("--sink-file", required=True, help="append each post here")
    loop.add_argument("--until", help="stop once everything due by this ISO instant (clock "
                      "time) is handled")
    loop.add_argument("--worker", help="this process's name in reminder claims")
    loop.add_argument("--refresh-seconds", type=float, default=300.0,
                      help="re-plan every so many clock seconds (default 300)")
    loop.add_argument("--lease-seconds", type=float, default=300.0,
                      help="how long a claim on a reminder lasts, in clock seconds")
    loop.add_argument("--fake-time", help="start the clock at this ISO instant "
                      "(also $GAVEL_FAKE_TIME)")
    loop.add_argument("--speed", type=float, default=1.0, help="fake clock speed")
    loop.add_argument("--anchor", type=float, help="real Unix time at which the fake clock "
                      "shows --fake-time (default: now)")
    loop.add_argument("--step-clock", action="store_true",
                      help="the clock stands at --fake-time and moves only to the ISO "
                      "instants read from stdin, one a line; prints 'ready INSTANT' once "
                      "planned, and 'at INSTANT' once everything due by it is handled")
    loop.set_defaults(func=cmd_reminder_loop)


def _group(core: Any, name: str | None, command: str) -> Any:
    from gavel.cli.groups import find_group

    return None if name is None else find_group(core.settings, name, command)


def cmd_next(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.calendars.public_links import public_links
    from bot.events import Place
    from bot.reminders.text import next_meeting_post, when_line
    from bot.schedules.materialise import materialise
    from bot.schedules.recurrence import has_schedule
    from bot.schedules.upcoming import upcoming_meetings

    core = core_of(args)
    try:
        only = _group(core, args.group, "next")
        if args.group and only is None:
            return 2
        groups = [only] if only else [g for g in core.settings.groups if has_schedule(g)]
        if not groups:
            print("No group has a schedule: add [groups.schedule] to the config.")
            return 0
        now = datetime.now(UTC)
        report = materialise(core.database, core.settings, now, groups=groups)
        for error in report.errors:
            print(f"gavel next: schedule error: {error}", file=sys.stderr)
        failed = {error.group for error in report.errors}
        for group in groups:
            if group.name in failed:
                continue
            with core.database.transaction() as store:
                meetings = upcoming_meetings(store, group, now, args.count)
                public = public_links(store, core.settings, group)
            if not meetings:
                continue
            first, *rest = meetings
            print(f"== {group.name} ==")
            print(next_meeting_post(group, Place("console", "console"), first, public).text)
            if rest:
                print("Then:")
                for meeting in rest:
                    print("  " + when_line(meeting).removeprefix("When: "))
            print()
        return 1 if report.errors else 0
    finally:
        core.close()


def cmd_reminders(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.reminders.loop import preview_reminders
    from bot.store.reminder_rows import reminders_of

    core = core_of(args)
    try:
        only = _group(core, args.group, "reminders")
        if args.group and only is None:
            return 2
        name = only.name if only else None
        now = datetime.now(UTC)
        if args.preview:
            previews, errors = preview_reminders(core.database, core.settings, now, name,
                                                 args.count, core.bot.agenda_source)
            for error in errors:
                print(f"gavel reminders: schedule error: {error}", file=sys.stderr)
            if not previews:
                print("No reminders are due.")
            for item, post in previews:
                print(f"--- {item.due_at:%Y-%m-%d %H:%M} UTC  {item.meeting.group_name}  "
                      f"to {item.platform}:{item.channel}  (reminder {item.id})")
                print(post.text)
                if post.attachment is not None:
                    print(f"[attached: {post.attachment.filename}]")
            return 1 if errors else 0
        with core.database.transaction() as store:
            items = reminders_of(store, name, args.count)
        for item in reversed(items):
            state = ("sent late" if item.sent_at and item.late else "sent" if item.sent_at else
                     "missed" if item.missed_at else f"retrying ({item.attempts} attempts)"
                     if item.attempts else "pending")
            print(f"{item.due_at:%Y-%m-%d %H:%M} UTC  {item.meeting.group_name:<20}  "
                  f"{item.platform}:{item.channel:<12}  {state}"
                  + (f"  {item.last_error}" if item.last_error else ""))
        return 0
    finally:
        core.close()


def cmd_ics(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.calendars.feed import group_feed
    from bot.calendars.ics import group_slug
    from bot.schedules.recurrence import ScheduleError, has_schedule

    core = core_of(args)
    try:
        group = _group(core, args.group, "ics")
        if group is None:
            return 2
        if not has_schedule(group):
            print(f"gavel ics: group {group.name!r} has no [groups.schedule]", file=sys.stderr)
            return 2
        if args.url:
            return _print_feed_url(core, group)
        try:
            text = group_feed(core.database, group, datetime.now(UTC))
        except ScheduleError as exc:
            print(f"gavel ics: schedule error: {exc}", file=sys.stderr)
            return 1
        if args.output == "-":
            sys.stdout.write(text)
            return 0
        path = Path(args.output or f"{group_slug(group.name)}.ics")
        try:
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            print(f"gavel ics: cannot write {path}: {exc.strerror} (give -o a file in a "
                  "folder that exists, or -o - for stdout)", file=sys.stderr)
            return 1
        print(f"wrote {path} ({text.count('BEGIN:VEVENT')} meetings)")
        return 0
    finally:
        core.close()


def _print_feed_url(core: Any, group: Any) -> int:
    from bot.calendars.public_links import public_links

    with core.database.transaction() as store:
        links = public_links(store, core.settings, group)
    if links is None:
        print("gavel ics: no public address is configured: set [web] public_url (the address "
              "people reach this server at, e.g. \"https://gavel.example.org\")", file=sys.stderr)
        return 2
    print(links.feed)
    return 0


def cmd_reminder_loop(args: argparse.Namespace) -> int:
    import asyncio
    import logging
    import os
    import signal
    from datetime import timedelta

    from bot.reminders.loop import ReminderPolicy
    from bot.schedules.clock import ScaledClock, SteppedClock, clock_from_environment
    from bot.schedules.plan import bindings_of
    from gavel.service.jobs.reminders import (
        FileSink,
        parse_instant,
        reminder_service,
        run_stepped,
    )

    fake = args.fake_time or os.environ.get("GAVEL_FAKE_TIME")
    try:
        start = parse_instant(fake) if fake else None
        until = parse_instant(args.until) if args.until else None
    except ValueError as exc:
        print(f"gavel reminder-loop: {exc}", file=sys.stderr)
        return 2
    if args.step_clock and (start is None or args.until):
        print("gavel reminder-loop: --step-clock needs --fake-time (where the clock starts) "
              "and takes the instants from stdin instead of --until", file=sys.stderr)
        return 2
    logging.getLogger("gavel").setLevel(logging.INFO)
    with _dry_run_store(args) as database_url:
        core = core_of(argparse.Namespace(**{**vars(args), "database": database_url}))
        try:
            clock: Any
            if args.step_clock:
                assert start is not None
                clock = SteppedClock(start)
            elif args.fake_time:
                assert start is not None
                clock = ScaledClock(start, args.speed, args.anchor)
            else:
                clock = clock_from_environment()
            platforms = {b[0] for g in core.settings.groups for b in bindings_of(g)}
            sink_path = Path(args.sink_file)
            sinks = {p: FileSink(p, sink_path) for p in platforms}
            policy = ReminderPolicy(refresh_every=timedelta(seconds=args.refresh_seconds),
                                    lease=timedelta(seconds=args.lease_seconds))
            service = reminder_service(core, sinks, clock=clock, policy=policy,
                                       worker=args.worker)
            work = run_stepped(service, clock) if args.step_clock else service.run(until)

            async def main() -> None:
                task = asyncio.ensure_future(work)
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, task.cancel)
                with contextlib.suppress(asyncio.CancelledError):
                    await task

            asyncio.run(main())
            print(f"reminder loop {service.worker}: {service.stats.outcomes}", file=sys.stderr)
            return 0
        finally:
            core.close()


@contextlib.contextmanager
def _dry_run_store(args: argparse.Namespace) -> Any:
    """The database the loop may write its claims and "sent" marks to: the one named with
    ``--database``, or else a scratch copy of the configured store, so that a dry run never
    marks a real reminder as sent (the live bot would then never post it)."""
    import sqlite3
    import tempfile

    from sqlalchemy.engine import make_url

    if args.database:
        yield args.database
        return
    source = settings_of(args).database_url_or_default()
    url = make_url(source)
    shown = url.render_as_string(hide_password=True)
    with tempfile.TemporaryDirectory(prefix="gavel-dry-run-") as scratch:
        copy = Path(scratch) / "gavel.db"
        path = Path(url.database or "")
        if url.get_backend_name() == "sqlite" and url.database and path.is_file():
            # A plain reader, as ``gavel reminders`` is: it changes nothing in the file, and
            # the last one to close removes the WAL side files (a read-only one cannot).
            live = sqlite3.connect(path)
            target = sqlite3.connect(copy)
            try:
                live.backup(target)
            finally:
                target.close()
                live.close()
            print(f"reminder-loop: dry run on a scratch copy of {shown}; that store is left "
                  "as it was (name one with --database to run on it for real)", file=sys.stderr)
        else:
            print(f"reminder-loop: dry run on an empty scratch database, planned afresh from "
                  f"the schedules ({shown} is not read or changed; name a store with "
                  "--database to run on it for real)", file=sys.stderr)
        yield f"sqlite:///{copy}"
