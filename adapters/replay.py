"""The replay adapter: a chat log in, minutes out, through the live meeting's code path.

Formats, recognised line by line: MeetBot/IRC (``[HH:MM] <nick> text``,
``[HH:MM:SS] <nick> text``, ``HH:MM <nick> text``), ``nick: text``, and JSON lines (one
message object per line: ``{"user": ..., "text": ..., "ts": ..., "id": ..., "type": ...}``),
a Slack export's channel-day file (one JSON array; ``adapters.replay_slack``), and the
clients' own formats in ``adapters.log_formats`` (irssi, WeeChat, HexChat, ZNC,
DiscordChatExporter JSON).
A line in no known format is reported with its number and skipped; the rest is replayed.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import chain
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from adapters.log_formats import (
    CLIENT_LINE,
    ClientLog,
    as_discord_export,
    discord_messages,
    is_meeting_bot,
)
from adapters.replay_slack import as_export, export_lines
from bot.commands.handler import MeetingBot
from bot.commands.parse import parse_line
from bot.commands.table import COMMANDS
from bot.config import Group, Settings
from bot.effects import Effect, Post
from bot.events import Author, Event, EventKind, Place, chat_event
from bot.nick_lines import split_nick_line
from bot.store import Database
from bot.text import visible

_IRC = re.compile(
    r"\[?(\d{1,2}):(\d{2})(?::(\d{2}))?\]?\s+<[@+%&~]?([^>\s]+)>\s?(.*)", re.DOTALL)
_IRC_ACTION = re.compile(r"\[?(\d{1,2}):(\d{2})(?::(\d{2}))?\]?\s+\*\s+(\S+)\s+(.*)", re.DOTALL)
# IRC clients' own lines: joins, parts, quits, modes, topics set by the server.
_SYSTEM = re.compile(r"\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+(?:-!-|\*\*\*|-->|<--|--)\s.*")
_KINDS = {"message": EventKind.MESSAGE, "edit": EventKind.EDIT, "delete": EventKind.DELETE,
          "command": EventKind.COMMAND}


class LogLine(NamedTuple):
    """One chat line of a log (a tuple: one is built for every line read)."""

    number: int
    kind: EventKind
    nick: str
    text: str
    at: datetime
    message_id: str


@dataclass
class ParsedLog:
    lines: list[LogLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Clock:
    """Log times are wall-clock times in the meeting's zone and carry no date: count a
    day each time the clock runs backwards."""

    def __init__(self, day: date, zone: str = "UTC") -> None:
        self.day = day
        self.zone = ZoneInfo(zone)
        # Times are built in UTC itself when that is the zone (the usual one): each is
        # then its own answer, with no conversion.
        self._wall: tzinfo = UTC if zone == "UTC" else self.zone
        self.last: datetime | None = None
        # The last ``at``: its time as read, and its answer (lines often share a time).
        self._said: tuple[int, int, int] | None = None
        self._moment: datetime | None = None
        self._utc = _EPOCH
        self._seconds = 0  # ``last``'s, in its day

    def at(self, hour: int, minute: int, second: int, day: date | None = None) -> datetime:
        if day is not None:  # the line carries its date (WeeChat, a client's header)
            self.day, self.last = day, None
        elif (hour, minute, second) == self._said and self.last is self._moment:
            return self._utc  # the same time as the line before (a log in minutes)
        today = self.day
        # (Seconds of the day: both times are on ``self.day`` in one zone, which compares
        # them as wall-clock times, so this is the datetimes' comparison, without them.)
        seconds = hour * 3600 + minute * 60 + second
        if self.last is not None and seconds < self._seconds - 3600:
            self.day = today = today + _DAY
        moment = datetime(today.year, today.month, today.day, hour, minute, second,
                          tzinfo=self._wall)
        self._seconds = seconds
        self.last = self._moment = moment
        self._said = (hour, minute, second)
        self._utc = moment if self._wall is UTC else moment.astimezone(UTC)
        return self._utc

    def tick(self) -> datetime:
        """Lines without a time: a second after the last one."""
        start = self.last or datetime.combine(self.day, time(0), self.zone)
        self.last = start + timedelta(seconds=1)
        # (Past midnight, more than a day's seconds: the next time read is then a day on.)
        self._seconds = int((self.last.replace(tzinfo=None)
                             - datetime.combine(self.day, time(0))).total_seconds())
        return self.last.astimezone(UTC)


# Times a log may carry: a day's slack on either side of what ``datetime`` holds, so the
# meeting's dates in any zone, its durations and "a second later" stay representable.
_EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
_LATEST = datetime(9998, 12, 31, tzinfo=UTC)


def _json_time(value: object, clock: _Clock) -> datetime:
    try:
        if isinstance(value, int | float) or (
                isinstance(value, str) and value.replace(".", "", 1).isdigit()):
            moment = datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
        elif isinstance(value, str) and value:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
        else:
            return clock.tick()
    except (ValueError, OverflowError, OSError):
        moment = None
    if moment is None or not _EARLIEST <= moment <= _LATEST:
        raise ValueError(f"the time {value!r} cannot be read: give Unix seconds or an ISO "
                         "8601 time between the years 2 and 9998 (line skipped)")
    clock.last = moment.astimezone(clock.zone)
    return moment


def parse_log(lines: Iterable[str], day: date, zone: str = "UTC") -> ParsedLog:
    """The whole log at once (for tests and small logs); ``replay`` streams instead."""
    parsed = ParsedLog()
    parsed.lines.extend(read_log(lines, day, zone, parsed.problems))
    return parsed


# A line that opens like an IRC log's (``[14:00``) cannot open a JSON array: a number
# followed by a colon is no JSON. Such a log is streamed without waiting for its end.
_IRC_OPENING = re.compile(r"\[\d{1,2}:")


def _may_be_discord_export(opening: str) -> bool:
    """A log opening with ``{`` is JSON lines (each line an object, streamed), unless its
    first line is no whole object (a pretty-printed export) or is the export itself."""
    first = opening.split("\n", 1)[0]
    try:
        json.loads(first)
    except ValueError:
        return True
    return as_discord_export(first) is not None


def read_log(lines: Iterable[str], day: date, zone: str, problems: list[str]
             ) -> Iterator[LogLine]:
    """The chat lines of a log, one at a time, as they are read (a long log is never held
    whole); lines that cannot be read are appended to ``problems`` with their number.

    Only a log that may be a Slack export (it opens with ``[`` but not like an IRC line)
    is read whole first, because the export is one JSON array.
    """
    source = iter(lines)
    head: list[str] = []
    for raw in source:
        head.append(raw)
        if raw.strip("\ufeff \t\r\n"):
            break
    opening = "".join(head).lstrip("\ufeff \t\r\n")
    if opening.startswith("[") and not _IRC_OPENING.match(opening):
        head.extend(source)
        messages = as_export("".join(head))
        if messages is not None:
            yield from _parse_export(messages, day, zone, problems)
            return
    clock = _Clock(day, zone)
    if opening.startswith("{") and _may_be_discord_export(opening):
        head.extend(source)  # a DiscordChatExporter file is one JSON object
        if (discord := as_discord_export("".join(head))) is not None:
            for m in discord_messages(discord, problems):
                yield LogLine(m.number, EventKind.MESSAGE, m.nick, m.text, m.at, m.message_id)
            return
    client = ClientLog()  # irssi, WeeChat, HexChat lines (adapters.log_formats)
    irc, message, at = _IRC.fullmatch, EventKind.MESSAGE, clock.at
    for number, raw in enumerate(chain(head, source), 1):
        line = raw.rstrip("\r\n").lstrip("\ufeff") if number == 1 else raw.rstrip("\r\n")
        # Most lines of most logs: MeetBot's ``[HH:MM:SS] <nick> text``, which no other
        # check below would take (no join/part line has ``<nick>``; see _parse_one).
        if line.startswith("[") and (said_irc := irc(line)) is not None:
            hour, minute, second, nick, text = said_irc.groups()
            try:
                moment = at(int(hour), int(minute), int(second or 0))
            except (ValueError, OverflowError) as exc:  # as _parse_one's are reported
                problems.append(f"line {number}: {visible(str(exc))}")
                continue
            yield LogLine(number, message, nick, text, moment, f"line-{number}")
            continue
        if not line.strip() or _SYSTEM.fullmatch(line):
            continue  # blank, or a join/part/mode line: nobody said anything
        # No client's format opens with "[" (MeetBot's does): most lines skip those checks.
        said = None if line.startswith("[") else client.read(line)
        if said == CLIENT_LINE:
            continue
        if said is not None and not isinstance(said, str):
            yield LogLine(number, EventKind.MESSAGE, said.nick, said.text,
                          clock.at(said.hour, said.minute, said.second, said.day),
                          f"line-{number}")
            continue
        try:
            entry = _parse_one(number, line, clock)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            problems.append(f"line {number}: {visible(str(exc))}")
            continue
        if entry is None:
            preview = visible(line if len(line) <= 60 else line[:57] + "...")
            problems.append(f"line {number}: not a chat line in a known format "
                            f"(skipped): {preview}")
            continue
        yield entry


def _parse_export(messages: list[object], day: date, zone: str, problems: list[str]
                  ) -> Iterator[LogLine]:
    """A Slack export file: its messages in time order; problems name message numbers."""
    clock = _Clock(day, zone)
    read = export_lines(messages, lambda ts: _json_time(ts, clock), problems)
    for number, nick, text, ts, at in sorted(read, key=lambda line: line[4]):
        yield LogLine(number, EventKind.MESSAGE, nick, text, at, ts)


def _parse_one(number: int, line: str, clock: _Clock) -> LogLine | None:
    if line.lstrip().startswith("{"):
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("a JSON line must be an object")
        nick = data.get("user") or data.get("nick") or data.get("author") or ""
        if not isinstance(nick, str) or not nick:
            raise ValueError("a JSON message needs a \"user\" string")
        if not isinstance(data.get("text", ""), str):
            raise ValueError("a JSON message's \"text\" must be a string")
        kind = _KINDS.get(str(data.get("type", "message")))
        if kind is None:
            raise ValueError(f"unknown message type {data.get('type')!r}")
        at = _json_time(data.get("ts") or data.get("time") or data.get("at"), clock)
        return LogLine(number, kind, nick, str(data.get("text", "")), at,
                       str(data.get("id") or f"line-{number}"))
    if match := _IRC.fullmatch(line):
        hour, minute, second, nick, text = match.groups()
        at = clock.at(int(hour), int(minute), int(second or 0))
        return LogLine(number, EventKind.MESSAGE, nick, text, at, f"line-{number}")
    if match := _IRC_ACTION.fullmatch(line):
        return None if match.group(4) in ("***", "--") else LogLine(
            number, EventKind.MESSAGE, match.group(4), match.group(5),
            clock.at(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)),
            f"line-{number}")
    if said := split_nick_line(line):
        return LogLine(number, EventKind.MESSAGE, said[0], said[1], clock.tick(),
                       f"line-{number}")
    return None


@dataclass
class ReplayResult:
    minutes: str
    problems: list[str]
    meeting_id: int


def _author(nick: str, authors: dict[str, Author] | None = None) -> Author:
    """The nick's ``Author`` (kept in ``authors``, when given)."""
    author = Author(nick, nick, is_bot=is_meeting_bot(nick))
    if authors is not None:
        authors[nick] = author
    return author


def _event(line: LogLine, place: Place, text: str | None = None,
           authors: dict[str, Author] | None = None) -> Event:
    """A log line as an event; meeting bots' lines (RRSAgent, Zakim...) are no person's.
    ``authors`` keeps each nick's ``Author`` once (a log has a few speakers, many lines)."""
    author = authors.get(line.nick) if authors is not None else None
    if author is None:
        author = _author(line.nick, authors)
    return chat_event(line.kind, place, author, line.at, line.text if text is None else text,
                      line.message_id)


class _Feed:
    """The log's lines as events for the bot, in one pass, with what the replay needs to
    know about the log as a whole once it has run: the first and last lines, and how many
    ``#startmeeting`` it holds.

    A log without ``#startmeeting`` is one meeting from its first line, which is only
    known at its end: lines are held back until the first ``#startmeeting`` (usually the
    first line or close to it), and such a log gets one before its first line.
    """

    def __init__(self, lines: Iterator[LogLine], place: Place) -> None:
        self.lines = lines
        self.place = place
        self.first: LogLine | None = None
        self.last: LogLine | None = None
        self.starts = 0

    def __iter__(self) -> Iterator[Event]:
        place = self.place
        authors: dict[str, Author] = {}
        lines = iter(self.lines)
        waiting: list[LogLine] = []
        for line in lines:  # held back until the meeting starts
            if self.first is None:
                self.first = line
            self.last = line
            waiting.append(line)
            if _is_start(line.text):
                self.starts += 1
                break
        else:  # no #startmeeting: one meeting from the first line
            if waiting and self.first is not None:
                starter = _starter(waiting)
                yield Event(EventKind.MESSAGE, place, Author(starter.nick, starter.nick),
                            self.first.at, "#startmeeting")
                for held in waiting:
                    yield _event(held, place)
            return
        for held in waiting:
            yield _event(held, place, authors=authors)
        del waiting
        for line in lines:  # the meeting has started: each line as it is read
            self.last = line
            text = line.text
            if _is_start(text):
                self.starts += 1
            if (author := authors.get(line.nick)) is None:
                author = _author(line.nick, authors)
            yield chat_event(line.kind, place, author, line.at, text, line.message_id)


def _minutes_in(effects: list[Effect]) -> str:
    return next((e.attachment.content for e in effects
                 if isinstance(e, Post) and e.attachment is not None), "")


def replay(lines: Iterable[str], settings: Settings, group: Group, day: date,
           database: Database | None = None, template: str | None = None,
           zone: str | None = None) -> ReplayResult:
    """Run a logged meeting through the handler and compile its minutes.

    Log times are read as wall-clock times in ``zone`` (the group's by default), so the
    minutes carry the date the log is of. A log without ``#startmeeting`` is one meeting
    from its first line; one without ``#endmeeting`` ends at its last.

    The log is streamed: each line is read, parsed and handled before the next is read.
    Without a ``database`` the meeting goes to a temporary SQLite file (not memory: a long
    log's transcript would otherwise be held in the process), removed at the end.
    """
    if database is not None:
        return _replay(lines, settings, group, day, database, template, zone)
    with tempfile.TemporaryDirectory(prefix="gavel-replay-") as folder:
        scratch = Database.scratch(Path(folder) / "replay.db")
        try:
            return _replay(lines, settings, group, day, scratch, template, zone)
        finally:
            scratch.close()


def _replay(lines: Iterable[str], settings: Settings, group: Group, day: date,
            database: Database, template: str | None, zone: str | None) -> ReplayResult:
    problems: list[str] = []
    place = Place("replay", f"replay-{group.name}")
    feed = _Feed(read_log(lines, day, zone or group.timezone, problems), place)
    bot = MeetingBot(database, replace(settings, groups=[group]))
    minutes = ""
    for effects in bot.handle_batch(feed):
        if effects:  # (most lines say nothing)
            minutes = _minutes_in(effects) or minutes
    if feed.last is None:
        why = f" ({problems[-1]})" if problems else ""
        raise ValueError(f"the log holds no chat line in a known format{why}")
    if feed.starts > 1:
        problems.append(f"the log holds {feed.starts} meetings: these are the minutes of the "
                        "last one (split the log to get each)")
    with database.reading() as store:
        meeting = store.running_meeting(place)
    if meeting is not None:
        closing = Event(EventKind.MESSAGE, place, Author(meeting.started_by, meeting.started_by),
                        feed.last.at, "#endmeeting")
        minutes = _minutes_in(bot.handle(closing)) or minutes
    with database.transaction() as store:
        ended = store.meetings(limit=1)[0]
        from bot.minutes import BUILT_IN, compile_minutes  # (loaded by #endmeeting)

        if (template and template != group.template) or group.template not in BUILT_IN:
            # Another layout, or the group's own file: compiled here, so a file that fails
            # fails the replay (``TemplateFailed``, one line) rather than the closing
            # #endmeeting putting the nodejs layout in its place, which in a chat says so
            # and in a replay would pass unseen.
            minutes = compile_minutes(store, ended, group, template or group.template)
    return ReplayResult(minutes, problems, ended.id)


def _starter(lines: list[LogLine]) -> LogLine:
    """Who opens a log that never says ``#startmeeting``: whoever types the W3C header
    (``Meeting:``, ``Chair:``), else the first person (never a bot) to speak."""
    people = [line for line in lines if not is_meeting_bot(line.nick)] or lines
    for line in people:
        command = parse_line(line.text)
        if command is not None and command.name in ("meetingname", "chair"):
            return line
    return people[0]


def _is_start(text: str) -> bool:
    """Whether a line opens a meeting; only a ``#`` line spelling a start word can
    (checked first, as most lines are chat or another command, so they are not parsed
    twice). The words are ASCII letters: lowering a few more characters than the longest
    keeps any that a line opens with."""
    if "#" not in text:  # (most lines)
        return False
    line = text.strip()
    if not line.startswith("#") or not line[1:_START_LENGTH].lower().startswith(_START_WORDS):
        return False
    command = parse_line(text)
    return command is not None and command.name == "startmeeting"


_START_WORDS = tuple(word for word, name in COMMANDS.words.items() if name == "startmeeting")
_START_LENGTH = 1 + max(map(len, _START_WORDS))
