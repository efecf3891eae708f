"""The meeting's live HackMD note: created before the meeting, written by the chat
during it, and the source of the minutes when people edited it (issue 15)."""
