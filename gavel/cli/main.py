"""``gavel``: the command line's entry point, its global options and the commands that
start the bot (``run``, ``serve``) or read the store (``replay``, ``minutes``, ...).

The other subcommands live in their own modules (``gavel.cli.schedule``, ``.github``,
``.archive``, and the Discord adapter's ``invite``); they share ``gavel.cli.core`` and
nothing imports this module. Imports are lazy on purpose: ``gavel --help`` must not pay
for SQLAlchemy, Jinja2 or a platform SDK, and each adapter loads only its own SDK.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from gavel.cli.core import core_of, settings_of

if TYPE_CHECKING:
    from datetime import date

    from bot.config import Secrets, Settings

log = logging.getLogger("gavel")


def platforms_to_run(settings: Settings, secrets: Secrets) -> list[str]:
    """Every platform whose credentials are in the environment, side by side."""
    platforms = []
    if secrets.slack_bot_token or secrets.slack_app_token or settings.slack.oauth:
        platforms.append("slack")
    if secrets.discord_token:
        platforms.append("discord")
    return platforms


def cmd_run(args: argparse.Namespace) -> int:
    """Start every adapter whose tokens are in the environment; the console otherwise."""
    core = core_of(args)
    try:
        platforms = platforms_to_run(core.settings, core.secrets)
        if args.console or not platforms:
            from adapters.console import ConsoleAdapter, ConsoleSink
            from gavel.service.jobs.beside_console import reminders_in_background

            console = ConsoleAdapter(core, args.user or _login_name())
            with reminders_in_background(core, {"console": ConsoleSink(console)}):
                console.run()
            return 0
        from gavel.service.serve import serve

        serve(core, platforms)
        return 0
    finally:
        core.close()


def cmd_serve(args: argparse.Namespace) -> int:
    """The long-running service: web server, reminders, planning, publishing, and every
    platform whose tokens are set (none is fine: reminders for the console are logged)."""
    from bot.app import build_core
    from gavel.service.jobs.table import JOBS, Job, replacing
    from gavel.service.metrics import Metrics
    from gavel.service.serve import serve

    jobs: list[Job] | None = None
    if args.step_clock:
        from gavel.service.jobs.reminders import parse_instant, stepped_reminder_job

        try:
            start = parse_instant(args.fake_time or "")
        except ValueError as exc:
            print(f"gavel serve: --step-clock needs --fake-time: {exc}", file=sys.stderr)
            return 2
        jobs = replacing(JOBS, "reminders", stepped_reminder_job(start))
    metrics = Metrics()
    core = build_core(settings_of(args), database_url=args.database, observer=metrics)
    try:
        platforms = platforms_to_run(core.settings, core.secrets)
        serve(core, platforms, metrics=metrics, jobs=jobs,
              on_listening=lambda url: print(f"gavel serve: listening on {url}", flush=True))
        return 0
    finally:
        core.close()


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """The container's HEALTHCHECK: GET /healthz on the configured port (no config file
    needed: the address comes from $GAVEL_WEB_HOST and $GAVEL_WEB_PORT)."""
    import urllib.error
    import urllib.request

    from bot.config import WEB_HOST_VARIABLE, WEB_PORT_VARIABLE, WebSettings

    host = os.environ.get(WEB_HOST_VARIABLE) or WebSettings().host
    port = os.environ.get(WEB_PORT_VARIABLE) or str(WebSettings().port)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    url = f"http://{host}:{port}{args.path}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"gavel healthcheck: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"gavel healthcheck: {url}: HTTP {status}", file=sys.stderr)
        return 1
    return 0


def cmd_replay(args: argparse.Namespace) -> int:

    from adapters.log_file import open_log
    from adapters.replay import replay
    from bot.config import DEFAULT_GROUP
    from bot.text import visible

    settings = settings_of(args)
    if args.group:
        from gavel.cli.groups import find_group

        group = find_group(settings, args.group, "replay")
        if group is None:
            return 2
    else:
        group = settings.groups[0] if settings.groups else DEFAULT_GROUP
    try:
        day = args.date or _date_from_name(args.log)
    except ValueError as exc:
        print(f"gavel replay: {visible(args.log)}: the date in its name is not a day ({exc}); "
              "rename the file or give --date YYYY-MM-DD", file=sys.stderr)
        return 2
    import shutil
    import tempfile

    from bot.store import Database

    # The replay's own scratch store: a file, not memory, so a long log's transcript sits
    # in the page cache rather than in the process (200k lines: about 40 MiB less).
    try:
        folder = tempfile.mkdtemp(prefix="gavel-replay-")
    except OSError as exc:
        print(f"gavel replay: cannot make a scratch folder in {tempfile.gettempdir()}: "
              f"{exc.strerror}; set TMPDIR to a writable folder", file=sys.stderr)
        return 1
    database = Database.scratch(Path(folder) / "replay.db")
    try:
        with open_log(args.log) as log:  # (not UTF-8: a line at a time as Windows-1252)
            result = replay(log, settings, group, day, database=database,
                            template=args.template, zone=args.timezone)
            not_utf8 = log.not_utf8_note()
        if args.format == "json":
            from bot.minutes.data import meeting_data

            with database.transaction() as store:
                meeting = store.meeting(result.meeting_id)
                assert meeting is not None
                data = meeting_data(store, meeting, group, result.problems)
            output = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            output = result.minutes
    except OSError as exc:
        print(f"gavel replay: cannot read {visible(args.log)}: {exc.strerror}",
              file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"gavel replay: {visible(args.log)}: {visible(str(exc))}", file=sys.stderr)
        return 1
    finally:
        database.close()
        shutil.rmtree(folder, ignore_errors=True)
    if not_utf8:
        print(f"{visible(args.log)}: {not_utf8}", file=sys.stderr)
    for problem in result.problems:
        print(f"{visible(args.log)}: {visible(problem)}", file=sys.stderr)
    if args.output:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"gavel replay: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            sys.stdout.write(output)  # the minutes are not lost
            return 1
    else:
        sys.stdout.write(output)
    return 0


def _date_from_name(path: str) -> date:
    """A log named like ``2023-01-19.log`` is that day's; otherwise today."""
    import re
    from datetime import UTC, date, datetime

    match = re.search(r"(\d{4}-\d{2}-\d{2})", Path(path).name)
    return date.fromisoformat(match.group(1)) if match else datetime.now(UTC).date()


def cmd_minutes(args: argparse.Namespace) -> int:
    from bot.minutes import compile_minutes

    core = core_of(args)
    try:
        with core.database.transaction() as store:
            meeting = store.meeting(args.meeting)
            if meeting is None:
                print(f"gavel minutes: no meeting {args.meeting} (gavel meetings lists them)",
                      file=sys.stderr)
                return 1
            group = core.settings.group_named(meeting.group_name) or \
                core.settings.group_for_channel(meeting.platform, meeting.workspace,
                                                meeting.channel)
            if args.format == "json":
                from bot.minutes.data import meeting_data

                sys.stdout.write(json.dumps(meeting_data(store, meeting, group),
                                            ensure_ascii=False, indent=2) + "\n")
            else:
                sys.stdout.write(compile_minutes(store, meeting, group, args.template))
        return 0
    finally:
        core.close()


def cmd_meetings(args: argparse.Namespace) -> int:
    core = core_of(args)
    try:
        group = args.group
        if group and core.settings.groups:
            from gavel.cli.groups import find_group

            known = find_group(core.settings, group, "meetings")
            if known is None:
                return 2
            group = known.name
        with core.database.transaction() as store:
            meetings = store.meetings(group)
        for meeting in meetings:
            print(f"{meeting.id:>5}  {meeting.meeting_date}  {meeting.status.value:<9}  "
                  f"{meeting.group_name}: {meeting.title}")
        if not meetings:
            print("No meetings stored yet" + (f" for {group}." if group else "."))
        return 0
    finally:
        core.close()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.app import database_url_for
    from bot.store.database import create_database_engine, upgrade

    engine = create_database_engine(database_url_for(settings_of(args), args.database))
    upgrade(engine)
    print(f"database {engine.url.render_as_string(hide_password=True)}: schema up to date")
    return 0


def _iso_date(text: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _zone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {text!r}") from None
    return text


def _login_name() -> str:
    """The console's nick when ``--user`` is not given: $USER, else the account's name
    (a container, cron), else "you". Asked only when the console starts: ``getpass``
    brings ``termios`` and ``pwd``, which no other command needs."""
    if user := os.environ.get("USER"):
        return user
    import getpass

    try:
        return getpass.getuser() or "you"
    except (KeyError, OSError):  # (no such account: a container's numeric uid)
        return "you"


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """The options given before the command (``gavel --config x.toml replay ...``)."""
    parser.add_argument("--config", help="config file (default: $GAVEL_CONFIG or ./gavel.toml)")
    parser.add_argument("--database", help="database URL (default: config or SQLite in data_dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` (the word ``_command_word`` finds) naming
    one of this module's commands, without the other modules' (see ``EXTENSIONS``)."""
    parser = argparse.ArgumentParser(
        prog="gavel",
        description="Gavel runs your working group's meetings in Slack, Discord or a terminal.")
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (console when no platform token is set)")
    run.add_argument("--console", action="store_true", help="use the console even with tokens")
    run.add_argument("--user",
                     help="your nick on the console (default: $USER, else your login name)")
    run.set_defaults(func=cmd_run)

    srv = commands.add_parser(
        "serve", help="run the service: web server (/healthz, /readyz, /metrics, feeds), "
        "reminders, and every platform whose tokens are set")
    srv.add_argument("--step-clock", action="store_true",
                     help="(tests, demos) reminders on a clock standing at --fake-time that "
                     "moves only to the ISO instants read from stdin, as reminder-loop's")
    srv.add_argument("--fake-time", help="with --step-clock: where the clock starts")
    srv.set_defaults(func=cmd_serve, default_log_level="INFO")

    check = commands.add_parser("healthcheck", help="exit 0 if this machine's gavel serve "
                                "answers /healthz (the container's HEALTHCHECK)")
    check.add_argument("--path", default="/healthz", help="what to ask (e.g. /readyz)")
    check.add_argument("--timeout", type=float, default=4.0, help="seconds")
    check.set_defaults(func=cmd_healthcheck)

    rep = commands.add_parser("replay", help="compile minutes from a chat log")
    rep.add_argument("log", help="MeetBot/IRC, 'nick: text' or JSON-lines log file")
    rep.add_argument("--group", help="the group whose layout and title to use")
    rep.add_argument("--date", type=_iso_date,
                     help="the meeting's date, YYYY-MM-DD (default: from the name)")
    rep.add_argument("--template", help="nodejs, nodejs-tsc, meetbot, or a template file")
    rep.add_argument("--timezone", type=_zone,
                     help="the zone of the log's times (default: the group's)")
    rep.add_argument("-o", "--output", help="write the minutes here (default: stdout)")
    rep.add_argument("--format", choices=("markdown", "json"), default="markdown",
                     help="markdown minutes, or the meeting as JSON (docs/meeting.schema.json)")
    rep.set_defaults(func=cmd_replay)

    mins = commands.add_parser("minutes", help="render a stored meeting's minutes again")
    mins.add_argument("meeting", type=int, help="meeting id (see gavel meetings)")
    mins.add_argument("--template", help="nodejs, nodejs-tsc, meetbot, or a template file")
    mins.add_argument("--format", choices=("markdown", "json"), default="markdown",
                      help="markdown minutes, or the meeting as JSON (docs/meeting.schema.json)")
    mins.set_defaults(func=cmd_minutes)

    meetings = commands.add_parser("meetings", help="list stored meetings")
    meetings.add_argument("--group", help="only this group's")
    meetings.set_defaults(func=cmd_meetings)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply schema migrations").set_defaults(
        func=cmd_db_upgrade)

    if command not in commands.choices:
        for extend in EXTENSIONS:
            extend(commands)
    return parser


class _GlobalOptions(argparse.ArgumentParser):
    """The global options alone, read as the full parser reads them (abbreviations, ``=``
    values); an error is raised, not printed: the full parser then reports it."""

    def error(self, message: str) -> NoReturn:
        raise argparse.ArgumentError(None, message)


def _command_word(argv: Sequence[str]) -> str | None:
    """The subcommand's name in ``argv``: the first word after the global options (None
    for ``--help``, no command, or anything else before it). Found before parsing so that
    a command of this module (``replay`` above all) does not import and build every other
    module's subcommands (``schedule``, ``github``, ``invite``, ``archive``: ~0.2 MiB of
    the replay's peak). A word that is no command of this module means the full parser,
    so an unusual line is parsed, and refused, as before (``gavel -h replay`` lists every
    command)."""
    options = _GlobalOptions(add_help=False)
    _add_global_options(options)
    try:
        _, rest = options.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return rest[0] if rest and not rest[0].startswith("-") else None


def _schedule_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from gavel.cli.schedule import add_schedule_commands

    add_schedule_commands(commands)


# Other modules (schedules, GitHub, Discord) add their subcommands here.
EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = [  # type: ignore[type-arg]
    _schedule_commands,
]


def _github_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from gavel.cli.github import add_commands

    add_commands(commands)


EXTENSIONS.append(_github_commands)


def _discord_cli(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from adapters.discord.invite import add_cli  # imports discord.py only when run

    add_cli(commands)


EXTENSIONS.append(_discord_cli)


def _archive_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from gavel.cli.archive import add_commands

    add_commands(commands)


EXTENSIONS.append(_archive_commands)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``gavel`` command; its exit code.

    Run as the program (no ``argv``: the ``gavel`` script, ``python -m gavel``) it spares
    the garbage collector work that frees nothing: during the start-up, collections scan
    the objects of every module being imported again and again, all of which live until
    the end (~35 ms of CPU before a replay begins); at the end, the last full collection
    scans everything once more just before the process is gone (~75 ms). So collection is
    off while the modules load, the loaded objects are then frozen out of its reach (it
    runs as usual for what the command makes), and everything is frozen at the end. Every
    command closes its database and files itself; nothing waits for the last collection.
    Called with ``argv`` (tests, other programs) it leaves the caller's collector alone.
    """
    if argv is not None:
        return _main(argv, as_program=False)
    gc.disable()
    try:
        return _main(None, as_program=True)
    finally:
        gc.freeze()
        gc.enable()


def _main(argv: Sequence[str] | None, as_program: bool) -> int:
    parser = build_parser(_command_word(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    from gavel.service.logs import LogSettingError, configure_logging

    try:
        configure_logging("DEBUG" if args.verbose else
                          getattr(args, "default_log_level", "WARNING"))
    except LogSettingError as exc:
        print(f"gavel: {exc}", file=sys.stderr)
        return 2
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    from bot.config import ConfigError
    from bot.minutes import TemplateFailed
    from bot.store import StoreError

    if as_program:  # the heavy modules are loaded (see main)
        gc.freeze()
        gc.enable()
    try:
        return int(args.func(args))
    except TemplateFailed as exc:  # (a group's own layout: named, with what failed where)
        print(f"gavel: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"gavel: configuration error:\n{exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"gavel: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
