"""Slack's HTTP requests, checked and read before Bolt sees them.

Bolt's own reading (``slack_bolt.request.internals.parse_body``) has two faults a public
endpoint cannot keep. It decides that a form is an interaction when the *text* ``payload``
appears anywhere in the body, so ``/meeting note we reviewed the payload size`` (or any
command from a channel named ``#payload-review``) is read as an empty interaction and
answered 404. And it parses before the signature is checked, so a truncated JSON body,
``payload=zzz`` or a timestamp of ``abc`` raise inside Bolt: HTTP 500 and a traceback for
anybody who can reach the URL.

So the signature is checked first, on the raw bytes (401 when it is wrong or stale), then
the body is read strictly (400 when it is not what Slack sends: JSON for events, a form for
commands, a form whose ``payload`` *field* holds JSON for interactions), and Bolt is handed
the parsed dict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import Clock, SignatureVerifier

from bot.text import small_number

# Slack's own replay window, which Bolt also uses: older signed requests are refused.
REPLAY_WINDOW_SECONDS = 300


class RequestRefused(Exception):
    """A request Gavel will not hand to Bolt: ``status`` is the HTTP answer, the message
    the one log line (it never quotes the body, which may carry tokens)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class SignedRequest:
    """A request whose signature held, and its body as Bolt expects it."""

    body: dict[str, Any]
    once_key: str


def check_signature(raw: bytes, headers: Mapping[str, str], signing_secret: str,
                    now: float) -> str:
    """The body as text, if Slack signed it within the replay window; else ``RequestRefused``."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        raise RequestRefused(401, "unsigned request (no X-Slack-Signature or "
                                  "X-Slack-Request-Timestamp)")
    if (sent := small_number(timestamp)) is None:
        raise RequestRefused(400, "X-Slack-Request-Timestamp is not a Unix time")
    if abs(now - sent) > REPLAY_WINDOW_SECONDS:
        raise RequestRefused(401, "stale request (timestamp outside Slack's 5-minute window)")
    verifier = SignatureVerifier(signing_secret, clock=_FixedClock(now))
    # compare_digest raises on non-ASCII text: such a signature is simply wrong.
    if not signature.isascii() or not verifier.is_valid(raw, timestamp, signature):
        raise RequestRefused(401, "bad signature")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRefused(400, "body is not UTF-8") from None


def once_key(text: str, timestamp: str) -> str:
    """A name for one signed request: a replay repeats it, a new request never does.

    It is the hash of exactly what Slack signs (``v0:timestamp:body``). A replayed request
    must carry the same timestamp and body, or its signature breaks, so it gets the same
    key; a new command or button press differs at least in its ``trigger_id`` (unique per
    invocation) and usually in its timestamp, so it gets a new one. The signature header
    itself would also do, but hashing the signed text does not depend on how the header
    is spelled. Events are not keyed this way: Slack's own retries of an event are new
    requests (new timestamp, new signature) that share only the ``event_id``.
    """
    signed = f"v0:{timestamp}:{text}".encode()
    return "req:" + hashlib.sha256(signed).hexdigest()


def read_body(text: str, content_type: str) -> dict[str, Any]:
    """The body as Bolt expects it, or ``RequestRefused(400)``: JSON for events; for forms,
    the JSON in the ``payload`` field when that is the form's only field (interactions),
    else the form's fields (slash commands), whatever words their values contain."""
    if content_type == "application/json" or text.lstrip().startswith("{"):
        return _json_object(text, "JSON body")
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                           max_num_fields=200)
    except ValueError:
        raise RequestRefused(400, "form body is not URL-encoded") from None
    if [name for name, _ in fields] == ["payload"]:
        return _json_object(fields[0][1], "interaction payload")
    return dict(fields)


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise RequestRefused(400, f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise RequestRefused(400, f"{what} is not a JSON object")
    return value


def check_request(raw: bytes, headers: Mapping[str, str], signing_secret: str,
                  now: float) -> SignedRequest:
    """Signature first, then the body: nothing unsigned is ever parsed."""
    text = check_signature(raw, headers, signing_secret, now)
    content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = read_body(text, content_type)
    return SignedRequest(body, once_key(text, headers["X-Slack-Request-Timestamp"]))


class _FixedClock(Clock):
    """slack_sdk's verifier asks a clock for the time; ours was read once, by the caller."""

    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        return self.at
