"""Writing the chat's record into the running meeting's note, off the chat's path.

The writer is a round run every second or so by a background job, never by the handler:
it reads what is committed, renders Gavel's blocks, and when they differ from what it
last wrote, reads the note, replaces only the blocks and writes it back. So:

* lines are batched: a round writes everything said since the last write, and a note is
  written at most once per ``min_write_seconds`` (HackMD allows ~100 calls per 5 minutes);
* a HackMD outage costs the chat nothing: the round fails, and the next round after
  HackMD is back writes the whole record (it is rendered from the store, not queued);
* a 429 pauses every write for the Retry-After it names.

There is one unavoidable window: a person's keystrokes that reach HackMD between the
read and the write of one round are overwritten by that write (the API has no
conditional update). A round is two quick calls, a few per minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import Group, Settings
from bot.domain import Meeting
from bot.hackmd.client import HackMD, HackMDProblem, NoteGone, RateLimited
from bot.hackmd.notes_ahead import ensure_note
from bot.hackmd.sections import blocks_of, fill
from bot.minutes import build_view
from bot.schedules.clock import Clock
from bot.store import Database
from bot.store.hackmd_rows import note_for

log = logging.getLogger("gavel.hackmd.live")


class LiveWriter:
    """Keeps each running meeting's note in step with the chat."""

    def __init__(self, database: Database, settings: Settings, hackmd: HackMD, clock: Clock,
                 worker: str) -> None:
        self.database = database
        self.settings = settings
        self.hackmd = hackmd
        self.clock = clock
        self.worker = worker
        self.min_write = timedelta(seconds=settings.hackmd.min_write_seconds)
        self._written: dict[int, dict[str, str]] = {}  # meeting id -> blocks last written
        self._last_write: dict[int, datetime] = {}
        self._paused_until: datetime | None = None
        self._last_problem = ""

    def _group(self, meeting: Meeting) -> Group:
        return self.settings.group_named(meeting.group_name) or \
            self.settings.group_for_channel(meeting.platform, meeting.workspace,
                                            meeting.channel)

    def sync_once(self) -> int:
        """One round over the running meetings; returns how many notes it wrote."""
        now = self.clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return 0
        self._paused_until = None
        with self.database.transaction() as store:
            running = [m for m in store.all_running_meetings()
                       if self._group(m).uses_hackmd]
            # Meetings this writer followed that have ended since: one last write, so the
            # note holds the lines said just before #endmeeting too.
            ended = [m for m in (store.meeting(i) for i in
                                 set(self._written) - {m.id for m in running})
                     if m is not None]
        written = 0
        for meeting in [*running, *ended]:
            try:
                wrote, in_step = self._sync(meeting, now)
                written += wrote
                if in_step and meeting in ended:
                    self._forget(meeting.id)
            except RateLimited as limited:
                self._paused_until = now + timedelta(seconds=limited.retry_after)
                self._tell(f"{limited}")
                break
            except HackMDProblem as problem:  # the next round tries again
                self._tell(f"meeting {meeting.id}: writing its HackMD note: {problem}")
        return written

    def _forget(self, meeting_id: int) -> None:
        self._written.pop(meeting_id, None)
        self._last_write.pop(meeting_id, None)

    def _tell(self, problem: str) -> None:
        """Log a problem once, not every second while it lasts."""
        if problem != self._last_problem:
            self._last_problem = problem
            log.warning("%s", problem)

    def _sync(self, meeting: Meeting, now: datetime) -> tuple[int, bool]:
        """(notes written, whether the note now holds the chat's whole record)."""
        group = self._group(meeting)
        with self.database.transaction() as store:
            note = note_for(store, group.name, meeting.meeting_date)
            blocks = blocks_of(build_view(store, meeting, group))
            if note is not None and not meeting.links.get("minutes_doc") and note.url:
                store.update_meeting(meeting.id,
                                     links={**meeting.links, "minutes_doc": note.url})
        if note is None:  # a meeting nobody scheduled: its note is made now
            ensure_note(self.database, self.hackmd, group, meeting.meeting_date,
                        f"{meeting.title} {meeting.meeting_date}", [], self.worker, now)
            return 0, False
        if self._written.get(meeting.id) == blocks:
            return 0, True
        last = self._last_write.get(meeting.id)
        if last is not None and now - last < self.min_write:
            return 0, False  # batched: the next round after the interval takes all of it
        try:
            current = self.hackmd.read_note(note.note_id, note.team)
        except NoteGone:
            self._tell(f"meeting {meeting.id}: its HackMD note {note.url} is gone; not "
                       "writing it again")
            self._written[meeting.id] = blocks
            return 0, True
        wanted = fill(current.content, blocks)
        if wanted != current.content:
            self.hackmd.update_note(note.note_id, wanted, note.team)
        self._written[meeting.id] = blocks
        self._last_write[meeting.id] = now
        self._last_problem = ""
        return (1 if wanted != current.content else 0), True
