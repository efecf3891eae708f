"""The console adapter: a meeting on the terminal, or from a transcript on stdin.

Each line is a message: ``nick: text``, or plain text from the current user. ``/as NICK``
switches user, ``/meeting ...`` is the slash command, ``/quit`` leaves. Effects print as
``gavel> ...`` lines; a saved note prints a tick, after it is committed.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.app import Core
from bot.effects import Acknowledge, Effect, Post, PrivateReply, Purpose, SetTopic
from bot.events import Author, Event, EventKind, Place
from bot.nick_lines import is_nick, split_nick_line

CONSOLE_COMMANDS = "/as NICK, /meeting <command>, /quit"


def console_place(core: Core) -> Place:
    for group in core.settings.groups:
        for binding in group.channels:
            if binding.platform == "console":
                return Place("console", binding.channel)
    return Place("console", "console")


class ConsoleAdapter:
    def __init__(self, core: Core, user: str, stdin: TextIO = sys.stdin,
                 stdout: TextIO = sys.stdout) -> None:
        self.core = core
        self.user = user
        self.stdin = stdin
        self.stdout = stdout
        self.place = console_place(core)
        self._counter = 0
        self._run_id = f"{time.time_ns():x}"
        self._output_lock = threading.Lock()  # reminders print from their own thread

    def run(self) -> None:
        self._greet()
        interactive = self.stdin.isatty()
        if interactive:  # a person reads the greeting first; piped lines come at once
            # Ready for input; the first command of each kind is made cheap meanwhile.
            self.core.bot.warm_up_in_background()
        for line in self._lines(interactive):
            if line.split()[:1] in (["/quit"], ["/exit"]):  # (``/quit now`` leaves too)
                break
            self.feed(line)

    def _lines(self, interactive: bool) -> Iterable[str]:
        if not interactive:
            yield from (line.rstrip("\n") for line in self.stdin)
            return
        while True:
            try:
                yield input(f"{self.user}> ")
            except EOFError:
                return

    def _greet(self) -> None:
        with self.core.database.reading() as store:
            meeting = store.running_meeting(self.place)
        if meeting is not None:
            self._print(f"Resuming meeting {meeting.id}: {meeting.title} "
                        f"(started {meeting.started_at:%Y-%m-%d %H:%M} UTC).")
        else:
            self._print("Console ready. Type #startmeeting to begin, #help for commands, "
                        "/as NICK to speak as someone else, /quit to leave.")

    def feed(self, line: str) -> None:
        """Handle one typed line."""
        if not line.strip():
            return
        if line.split()[0] == "/as":
            self._speak_as(line.split()[1:])
            return
        if line.startswith("/") and not line.startswith("/meeting"):
            word = line.split()[0]
            self._print(f"Unknown console command {word}: the console knows "
                        f"{CONSOLE_COMMANDS}.")
            return
        who, text = split_nick_line(line) or (self.user, line)
        self._counter += 1
        if text.startswith("/meeting"):
            kind, text = EventKind.COMMAND, text.removeprefix("/meeting").strip()
        else:
            kind = EventKind.MESSAGE
        event = Event(kind, self.place, Author(who, who), datetime.now(UTC), text,
                      message_id=f"{self._run_id}-{self._counter}" if kind is EventKind.MESSAGE
                      else "")
        effects = self.core.bot.handle(event)
        self.show(effects)
        if not effects:
            self._answer_unheard(who)

    def _speak_as(self, words: list[str]) -> None:
        """``/as NICK``: a nick is one word, as in ``nick: text`` (which would not read
        ``bad nick: hello`` as said by anyone), so a line said as it can be named."""
        if len(words) != 1 or not is_nick(words[0]):
            given = " ".join(words)
            what = f"{given!r} is not a nick" if given else "/as needs a nick"
            self._print(f"{what}: a nick is one word, as in 'alice: #here'; type /as NICK "
                        f"(e.g. /as alice). Still speaking as {self.user}.")
            return
        self.user = words[0]
        self._print(f"Now speaking as {self.user}.")

    def _answer_unheard(self, who: str) -> None:
        """A line that did nothing: in a meeting it is chat (kept in the meeting's log);
        with none running it went nowhere, and the person should know."""
        with self.core.database.reading() as store:
            running = store.running_meeting(self.place) is not None
        if not running:
            self._print(f"Not recorded ({who}): no meeting is running here. Type "
                        "#startmeeting to begin, #help for commands.")

    def show(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Post):
                self._print(effect.text)
                if effect.when is not None:
                    local = effect.when.astimezone()
                    self._print(f"Your time: {local:%a %d %b %Y %H:%M} {local.tzname()}")
                if effect.attachment is not None and effect.purpose in (Purpose.REMINDER,
                                                                        Purpose.NEXT):
                    self._print(f"[attached: {effect.attachment.filename}]")
                elif effect.attachment is not None:
                    self._print_attachment(effect)
            elif isinstance(effect, PrivateReply):
                self._print(f"(to {effect.user_id}) {effect.text}")
            elif isinstance(effect, Acknowledge):
                self._print("✓ saved")
            elif isinstance(effect, SetTopic):
                pass  # the Post that comes with it already says it

    def _print_attachment(self, post: Post) -> None:
        attachment = post.attachment
        assert attachment is not None
        self._print(f"--- {attachment.filename} ---")
        self._print(attachment.content.rstrip("\n"))
        self._print("--- end ---")

    def _print(self, text: str) -> None:
        with self._output_lock:
            for line in text.splitlines() or [""]:
                self.stdout.write(f"gavel> {line}\n")
            self.stdout.flush()


class ConsoleSink:
    """Reminders on the console: the loop's ``EffectSink`` for the ``console`` platform."""

    platform = "console"

    def __init__(self, adapter: ConsoleAdapter) -> None:
        self.adapter = adapter

    async def deliver(self, effects: list[Effect]) -> None:
        self.adapter.show(effects)

