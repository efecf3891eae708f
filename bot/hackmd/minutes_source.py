"""The minutes to publish when the meeting had a HackMD note.

People may have written the minutes in the note during the call. If they did, the pull
request gets the note as they left it, with Gavel's blocks refreshed from the chat's
final record; if nobody touched the note, it gets the minutes made from the chat (the
group's own layout). Publishing again after late edits reads the note again, so the
same pull request follows them.
"""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.domain import Meeting
from bot.hackmd.client import HackMD, HackMDProblem
from bot.hackmd.sections import (
    blocks_of,
    edited_by_people,
    fill,
    summarise_edits,
    without_markers,
)
from bot.minutes import build_view
from bot.store import Database
from bot.store.hackmd_rows import note_for

log = logging.getLogger("gavel.hackmd.minutes")


class NoteMinutes:
    """The publisher's ``minutes_for`` hook for groups with a HackMD note."""

    def __init__(self, database: Database, settings: Settings, hackmd: HackMD) -> None:
        self.database = database
        self.settings = settings
        self.hackmd = hackmd

    def minutes_for(self, meeting: Meeting, chat_minutes: str) -> tuple[str, str]:
        """(the minutes to publish, a remark for the pull request saying where they came
        from; "" when the group has no note). Asks HackMD: call with no transaction open."""
        group = self.settings.group_named(meeting.group_name)
        if group is None or not group.uses_hackmd:
            return chat_minutes, ""
        with self.database.transaction() as store:
            note = note_for(store, group.name, meeting.meeting_date)
            blocks = blocks_of(build_view(store, meeting, group))
        if note is None:
            return chat_minutes, ""
        try:
            current = self.hackmd.read_note(note.note_id, note.team)
        except HackMDProblem as problem:
            log.warning("meeting %d: reading its HackMD note: %s", meeting.id, problem)
            return chat_minutes, (f"Made from the chat alone: the HackMD note ({note.url}) "
                                  f"could not be read ({problem}). Publish again once "
                                  "HackMD is back to use the note.")
        refreshed = fill(current.content, blocks)
        if refreshed != current.content:
            try:  # the note ends with the chat's final record too
                self.hackmd.update_note(note.note_id, refreshed, note.team)
            except HackMDProblem as problem:
                log.warning("meeting %d: final write of its HackMD note: %s", meeting.id,
                            problem)
        if not edited_by_people(note.initial_content, current.content):
            return chat_minutes, (f"Made from the chat alone: nobody edited the HackMD note "
                                  f"({note.url}).")
        summary = summarise_edits(note.initial_content, current.content)
        return without_markers(refreshed), (
            f"Made from the HackMD note as people left it ({note.url}), with the chat's "
            f"record in Gavel's sections: {summary.describe()}")
