"""A fake HackMD API v1 on 127.0.0.1, holding only what Gavel calls, to HackMD's rules.

The calls (https://hackmd.io/@docs/HackMD_API_Book): ``POST /notes``,
``POST /teams/{team}/notes`` (201 + the note), ``GET /notes/{id}``,
``PATCH /notes/{id}`` and ``PATCH /teams/{team}/notes/{id}`` (202, empty body).
The rules it enforces: a bearer token (401 without the right one), 404 for an unknown note
or a team the token is not in, 429 with ``Retry-After`` when HackMD's call budget (100 per
5 minutes) is spent (``rate_limit_next``), 413 for content over 100,000 characters.
``fail_with(500)`` makes it an outage until ``recover()``. ``edit`` is a person typing in
the note; ``wait_for`` waits (on a condition variable, not a clock) for the notes or the
request log to show something.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.http import JSONServer

MAX_CONTENT = 100_000


@dataclass
class Note:
    id: str
    title: str
    content: str
    team: str


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int


class FakeHackMD:
    def __init__(self, token: str, teams: tuple[str, ...] = ("nodejs",)) -> None:
        self.token = token
        self.teams = set(teams)
        self.notes: dict[str, Note] = {}
        self.calls: list[Call] = []
        self._failure = 0
        self._limit_next: float | None = None
        self._ids = itertools.count(1)
        self._gate: threading.Event | None = None
        self.held = 0  # note creations waiting at the gate
        self._changed = threading.Condition()
        self._server: JSONServer | None = None

    def __enter__(self) -> FakeHackMD:
        self._server = JSONServer(self.answer, "FakeHackMD")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def api_url(self) -> str:
        assert self._server is not None, "FakeHackMD is not started"
        return f"http://127.0.0.1:{self._server.port}/v1"

    # -- what a test does ----------------------------------------------------------------

    def fail_with(self, status: int) -> None:
        with self._changed:
            self._failure = status

    def recover(self) -> None:
        with self._changed:
            self._failure = 0

    def rate_limit_next(self, retry_after: float) -> None:
        with self._changed:
            self._limit_next = retry_after

    def hold_creations(self) -> threading.Event:
        """Note creations wait (in the server) until the returned event is set: a second
        process can then act while the first one's creation is in flight."""
        self._gate = threading.Event()
        return self._gate

    def edit(self, note_id: str, change: Callable[[str], str]) -> None:
        """A person editing the note in their browser."""
        with self._changed:
            note = self.notes[note_id]
            note.content = change(note.content)
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[FakeHackMD], bool], timeout: float = 60.0) -> None:
        """Until ``condition(self)`` holds; fails the test after ``timeout`` (a safety net
        for a hung test, not a timing the test depends on)."""
        with self._changed:
            if not self._changed.wait_for(lambda: condition(self), timeout):
                raise AssertionError(f"the fake HackMD never showed it; calls: {self.calls}")

    def only_note(self) -> Note:
        with self._changed:
            [note] = self.notes.values()
            return Note(note.id, note.title, note.content, note.team)

    # -- the API -------------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        gate = self._gate
        if method == "POST" and gate is not None:
            with self._changed:
                self.held += 1
                self._changed.notify_all()
            gate.wait()
        with self._changed:
            status, extra, payload = self._answer(method, path, headers, body)
            self.calls.append(Call(method, path, status))
            self._changed.notify_all()
            return status, extra, payload

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes
                ) -> tuple[int, dict[str, str], Any]:
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": "Unauthorized"}
        if self._failure:
            return self._failure, {}, {"error": "Internal Server Error"}
        if self._limit_next is not None:
            after, self._limit_next = self._limit_next, None
            return 429, {"Retry-After": f"{after:g}"}, {"error": "Too Many Requests"}
        parts = path.split("?")[0].strip("/").split("/")
        if parts[:1] != ["v1"]:
            return 404, {}, {"error": "Not Found"}
        parts = parts[1:]
        team = ""
        if parts[:1] == ["teams"] and len(parts) >= 3:
            team, parts = parts[1], parts[2:]
            if team not in self.teams:
                return 404, {}, {"error": "Team not found"}
        data = json.loads(body or b"{}") if method in ("POST", "PATCH") else {}
        content = data.get("content", "")
        if len(content) > MAX_CONTENT:
            return 413, {}, {"error": "Content too large"}
        if method == "POST" and parts == ["notes"]:
            note = Note(f"n{next(self._ids)}", data.get("title", ""), content, team)
            self.notes[note.id] = note
            return 201, {}, self._json(note)
        if len(parts) == 2 and parts[0] == "notes":
            note = self.notes.get(parts[1])
            if note is None or (team and note.team != team):
                return 404, {}, {"error": "Note not found"}
            if method == "GET" and not team:
                return 200, {}, self._json(note)
            if method == "PATCH":
                if "content" in data:
                    note.content = content
                return 202, {}, None
        return 404, {}, {"error": "Not Found"}

    def _json(self, note: Note) -> dict[str, Any]:
        return {"id": note.id, "title": note.title, "content": note.content,
                "teamPath": note.team or None, "publishLink": f"https://hackmd.io/{note.id}",
                "readPermission": "guest", "writePermission": "signed_in"}

