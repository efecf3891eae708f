"""A small typed client of HackMD's public REST API (v1): create, read and update notes,
in the token owner's workspace or a team's, with a bearer token.

Our own rather than ``python-hackmd``: we need four calls, typed errors that tell a rate
limit (429 + Retry-After) from an outage from a missing note, and no new dependency. It is
synchronous on the standard library: its callers already run off the chat's path (the live
writer's loop hands it to a thread; publishing runs in one).

The API (https://hackmd.io/@docs/HackMD_API_Book): ``POST /notes`` and
``POST /teams/{teamPath}/notes`` create (201, the note as JSON), ``GET /notes/{id}`` reads
(a team's note too), ``PATCH /notes/{id}`` or ``/teams/{teamPath}/notes/{id}`` with
``{"content": ...}`` updates (202, no body). 401 is a bad token, 403 a note the token may
not touch, 404 an unknown note or team, 429 the rate limit (100 calls per 5 minutes),
413 content over HackMD's size limit.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

DEFAULT_API_URL = "https://api.hackmd.io/v1"
MAX_CONTENT = 100_000  # characters: HackMD's note size limit
TIMEOUT_SECONDS = 15.0


class HackMDProblem(Exception):
    """HackMD could not do it; the message is one line a person can act on."""

    def __init__(self, message: str, status: int = 0, maybe_done: bool = False) -> None:
        super().__init__(message)
        self.status = status
        # The request may have reached HackMD and been done (a timeout, a reset answer):
        # creating again could make a second note.
        self.maybe_done = maybe_done


class RateLimited(HackMDProblem):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, 429)
        self.retry_after = retry_after


class NoteGone(HackMDProblem):
    """The note (or the team) is not there any more: deleted, or the token lost access."""


@dataclass(frozen=True)
class HackMDNote:
    id: str
    url: str  # where people open it
    content: str
    team: str = ""


class HackMD:
    """One token's view of HackMD."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:  # never the token
        return f"HackMD({self.api_url!r})"

    def create_note(self, title: str, content: str, team: str = "") -> HackMDNote:
        """A new note, editable by anyone signed in who has its link (a meeting's note is
        edited by the group together), in ``team``'s workspace when one is named."""
        path = f"/teams/{quote(team, safe='')}/notes" if team else "/notes"
        answer = self._call("POST", path, {
            "title": title, "content": _checked(content),
            "readPermission": "guest", "writePermission": "signed_in",
            "commentPermission": "everyone"})
        return _note(answer, team, content)

    def read_note(self, note_id: str, team: str = "") -> HackMDNote:
        return _note(self._call("GET", f"/notes/{quote(note_id, safe='')}"), team)

    def update_note(self, note_id: str, content: str, team: str = "") -> None:
        note = quote(note_id, safe="")
        path = f"/teams/{quote(team, safe='')}/notes/{note}" if team else f"/notes/{note}"
        self._call("PATCH", path, {"content": _checked(content)})

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api_url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json",
                     **({"Content-Type": "application/json"} if data else {})})
        what = f"HackMD {method} {path}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _problem(what, error) from None
        except (OSError, ValueError) as error:  # refused, reset, timed out, bad URL
            reason = getattr(error, "reason", error)
            unsent = isinstance(reason, ConnectionRefusedError | ValueError)
            raise HackMDProblem(f"{what}: HackMD could not be reached ({reason})",
                                maybe_done=not unsent) from None
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise HackMDProblem(f"{what}: HackMD answered something that is not JSON") \
                from None


def _checked(content: str) -> str:
    if len(content) > MAX_CONTENT:
        raise HackMDProblem(f"the note would hold {len(content)} characters; HackMD takes "
                            f"at most {MAX_CONTENT}", 413)
    return content


def _note(answer: Any, team: str, sent: str | None = None) -> HackMDNote:
    if not isinstance(answer, dict) or not answer.get("id"):
        raise HackMDProblem("HackMD answered without a note id")
    content = answer.get("content")
    return HackMDNote(str(answer["id"]), str(answer.get("publishLink") or ""),
                      content if isinstance(content, str) else (sent or ""), team)


def _problem(what: str, error: urllib.error.HTTPError) -> HackMDProblem:
    status = error.code
    if status == 429:
        retry = error.headers.get("Retry-After", "") if error.headers else ""
        seconds = float(retry) if retry.replace(".", "", 1).isdigit() else 60.0
        return RateLimited(f"{what}: rate limited by HackMD; retrying in {seconds:.0f} s",
                           seconds)
    if status == 401:
        return HackMDProblem(f"{what}: HackMD refused the token (401): set HACKMD_API_TOKEN "
                             "to a valid API token", status)
    if status == 403:
        return HackMDProblem(f"{what}: the token may not do this (403): it needs write access "
                             "to the team's notes", status)
    if status == 404:
        return NoteGone(f"{what}: not found (404): the note or team was deleted, or the "
                        "token cannot see it", status)
    if status == 413:
        return HackMDProblem(f"{what}: the note is over HackMD's size limit (413)", status)
    return HackMDProblem(f"{what}: HackMD answered {status}", status)
