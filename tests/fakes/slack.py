"""A fake Slack (Web API, file uploads, response_url hooks, Socket Mode) served over real HTTP.

Why a real server rather than mocks: most of what breaks lives in slack_sdk and slack_bolt (URL
joining, form vs JSON bodies, the three-step ``files_upload_v2`` flow, Socket Mode envelopes and
acks, error statuses), so the real ``WebClient`` / ``AsyncWebClient`` /
``AsyncSocketModeHandler`` run unpatched against this fake on 127.0.0.1, in a background thread
(``async_wait_for_*`` poll, so they never block the test's loop where Bolt runs).

Only the methods Gavel calls are served. Requests and successful replies are checked against
Slack's published Web API description (``specs/slack.json``, see ``spec_check``); Block Kit,
which that description leaves loose, is held to Slack's documented limits. A request the real
Slack would refuse is answered as Slack does (``invalid_arguments`` / ``invalid_blocks``) and,
like a reply that breaks the description, makes ``stop()`` fail the test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes import spec_check
from tests.fakes.http import Hold

TEAM_ID = "T0GAVEL01"
TEAM_NAME = "Gavel Test"
TEAM_DOMAIN = "gavel-test"
BOT_USER_ID = "U0GAVELBOT"
BOT_ID = "B0GAVELBOT"
BOT_NAME = "gavel"
APP_ID = "A0GAVELAPP"
# Token prefixes matter: the fake rejects an app-level token on bot methods and vice versa,
# exactly like Slack, so mixing the two up fails in tests instead of in production.
BOT_TOKEN = "xoxb-0000-gavel-test"
APP_TOKEN = "xapp-1-A0GAVELAPP-0000-gavel-test"


# Fields Slack accepts as JSON-encoded strings in form bodies. They are decoded when recorded so
# that tests can assert on ``call.args["blocks"][0]`` whichever transport the SDK chose.
_JSON_FIELDS = ("blocks", "attachments", "files", "metadata")

_ARGS = dict[str, Any]


class _SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": error}`` with HTTP 200."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class RecordedCall:
    """One request the fake received, as a test wants to assert on it.

    ``args`` merges query string, form fields and JSON body (the SDK uses all three depending on
    the method and on sync vs async client); ``token`` comes from ``Authorization: Bearer`` or a
    ``token`` argument. ``status``/``response`` are what the fake answered, so injected failures
    and the SDK's retries are visible too.
    """

    method: str
    args: dict[str, Any]
    token: str | None
    path: str
    headers: dict[str, str]
    status: int = 200
    response: Any = None


# Slack's documented limits (Block Kit reference, conversations.setTopic), counted on the
# text as sent, escaped.
TOPIC_LIMIT = 250
MAX_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
ACTIONS_ELEMENTS_LIMIT = 25
BUTTON_LIMITS = {"text": 75, "value": 2000, "url": 3000, "action_id": 255}


def _block_kit_problem(blocks: Any) -> str | None:
    """Where ``blocks`` breaks Block Kit's documented limits (None: within them)."""
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return f"blocks: at most {MAX_BLOCKS}"
    for i, block in enumerate(blocks):
        text = (block.get("text") or {}).get("text", "")
        if block.get("type") == "section" and len(text) > SECTION_TEXT_LIMIT:
            return f"blocks[{i}].text: more than {SECTION_TEXT_LIMIT} characters"
        elements = block.get("elements") or []
        if block.get("type") == "actions" and len(elements) > ACTIONS_ELEMENTS_LIMIT:
            return f"blocks[{i}].elements: more than {ACTIONS_ELEMENTS_LIMIT}"
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("type") != "button":
                continue
            for key, limit in BUTTON_LIMITS.items():
                value = element.get(key) or ""
                value = value.get("text", "") if isinstance(value, dict) else value
                if len(value) > limit:
                    return f"blocks[{i}] button {key}: more than {limit} characters"
    return None


@dataclass
class _ServerState:
    """What the fake saw and holds; registries (users, channels) live outside it."""

    calls: list[RecordedCall] = field(default_factory=list)
    failures: dict[str, deque[int]] = field(default_factory=dict)  # method -> HTTP statuses
    holds: dict[str, deque[Hold]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    reactions: list[dict[str, str]] = field(default_factory=list)
    pending_uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploaded_files: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    """Fake Slack Web API + Socket Mode endpoint on ``127.0.0.1:<random port>``.

    Use as a context manager (sync or async) or call ``start()`` / ``stop()``. Point clients at
    ``api_url`` (it keeps the trailing slash slack_sdk's ``urljoin`` needs).
    """

    def __init__(self, *, port: int = 0) -> None:
        """``port``: 0 for any free one; a fixed one lets a test point Gavel at the fake
        before it listens (Slack unreachable at start). ``stop()`` fails on any request
        refused by, or reply breaking, Slack's API description (``spec_problems``)."""
        self._requested_port = port
        self.spec_problems: list[str] = []
        self.bot_user_id = BOT_USER_ID  # what auth.test answers
        # One re-entrant lock guards all state: handlers run on the server thread while tests
        # read from theirs.
        self._lock = threading.RLock()
        self._state = _ServerState()
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ts_base = int(time.time())
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[[_ARGS, str], _ARGS]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "reactions.add": self._reactions_add,
            "users.info": self._users_info,
            "conversations.setTopic": self._conversations_set_topic,
            "oauth.v2.access": self._oauth_v2_access,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(BOT_USER_ID, name=BOT_NAME, real_name=BOT_NAME.title(), is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Start the server thread and return once the port is bound (or binding failed)."""
        if self._thread is not None:
            raise RuntimeError("FakeSlack is already started")
        loop = self._loop = asyncio.new_event_loop()
        bound: concurrent.futures.Future[None] = concurrent.futures.Future()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_server())
            except BaseException as exc:  # surfaced to the caller of start()
                bound.set_exception(exc)
                loop.close()
                return
            bound.set_result(None)
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._stop_server())
                loop.close()

        self._thread = threading.Thread(target=run, name="FakeSlack", daemon=True)
        self._thread.start()
        try:
            bound.result(10)
        except BaseException:
            self._thread = None
            raise
        return self

    def stop(self, *, check: bool = True) -> None:
        """Close sockets, stop the server and join its thread. Safe to call twice.

        With ``check``, raise if a request was refused or a reply broke
        Slack's API description: Gavel may have swallowed the error, the test must not."""
        thread, loop = self._thread, self._loop
        if thread is not None and loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            self._thread = None
            self._loop = None
        if check and self.spec_problems:
            raise AssertionError("FakeSlack: " + "\n".join(self.spec_problems))

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.stop(check=exc_type is None)

    async def __aenter__(self) -> FakeSlack:
        return self.start()

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        self.stop(check=exc_type is None)

    async def _start_server(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/hooks/{path:.*}", self._handle_response_url)
        app.router.add_get("/link", self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._requested_port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def _stop_server(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for ws in sockets:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Pass as ``base_url=`` to ``WebClient``/``AsyncWebClient``; the trailing slash matters."""
        return f"{self.base_url}/api/"

    def response_url(self) -> str:
        """A ``response_url`` served by the fake: Bolt's ``respond()`` to it is recorded as a
        call to ``"response_url"`` (args = the JSON body) instead of leaving the machine."""
        return (f"{self.base_url}/hooks/commands/{TEAM_ID}/{next(self._id_counter)}/"
                f"{uuid.uuid4().hex[:12]}")

    # ------------------------------------------------------------------ recordings

    @property
    def calls(self) -> list[RecordedCall]:
        """Snapshot of every request received, in order (API methods and pseudo-methods)."""
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Calls of one method, e.g. ``calls_to("chat.postMessage")``."""
        with self._lock:
            return [c for c in self._state.calls if c.method == method]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages currently in channels (posted, minus deleted, with updates applied).
        Each dict is the Slack message object plus its ``channel``."""
        with self._lock:
            return [dict(m) for m in self._state.messages.values()]

    @property
    def uploaded_files(self) -> list[dict[str, Any]]:
        """Files completed with ``files.completeUploadExternal``: dicts with file_id, filename,
        title, content (bytes), channel, channels, initial_comment, thread_ts."""
        with self._lock:
            return [dict(f) for f in self._state.uploaded_files]

    @property
    def socket_connections(self) -> int:
        """Number of Socket Mode connections currently open."""
        with self._lock:
            return sum(1 for ws in self._sockets if not ws.closed)

    # ------------------------------------------------------------------ registries

    def add_user(self, user_id: str, *, name: str, real_name: str | None = None,
                 display_name: str | None = None, is_bot: bool = False) -> dict[str, Any]:
        """Register a user (in UTC) for ``users.info``; returns the user object it will
        answer."""
        real = real_name if real_name is not None else name
        display = display_name if display_name is not None else ""
        profile: dict[str, Any] = {
            "real_name": real, "real_name_normalized": real, "display_name": display,
            "display_name_normalized": display, "title": "", "status_text": "",
            "status_emoji": "", "image_72": f"https://avatars.slack-edge.invalid/{user_id}_72.png",
            "team": TEAM_ID}
        if is_bot:
            profile["bot_id"] = BOT_ID if user_id == BOT_USER_ID else f"B{user_id[1:]}"
        user: dict[str, Any] = {
            "id": user_id, "team_id": TEAM_ID, "name": name, "deleted": False,
            "real_name": real, "tz": "UTC", "tz_label": "UTC", "tz_offset": 0,
            "profile": profile, "is_admin": False, "is_owner": False, "is_bot": is_bot,
            "is_app_user": False, "updated": self._ts_base}
        with self._lock:
            self._users[user_id] = user
        return user

    def add_channel(self, channel_id: str, *, name: str, is_member: bool = True
                    ) -> dict[str, Any]:
        """Register a channel for ``conversations.setTopic`` (unknown ids answer
        ``channel_not_found``, like Slack)."""
        channel: dict[str, Any] = {
            "id": channel_id, "name": name, "name_normalized": name, "is_channel": True,
            "is_group": False, "is_im": False, "is_mpim": False, "is_private": False,
            "is_archived": False, "is_general": False, "is_shared": False,
            "is_ext_shared": False, "is_org_shared": False, "is_member": is_member,
            "created": self._ts_base - 86400, "creator": BOT_USER_ID,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0}}
        with self._lock:
            self._channels[channel_id] = channel
        return channel

    # ------------------------------------------------------------------ failure injection

    def fail_next(self, method: str, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` calls of ``method`` with HTTP ``status`` and
        ``{"ok": false, "error": "internal_error"}`` (slack_sdk raises ``SlackApiError``)."""
        with self._lock:
            self._state.failures.setdefault(method, deque()).extend([status] * n)

    def hold_next(self, method: str) -> Hold:
        """Hold the next call of ``method`` until the test releases it (see ``Hold``): for
        tests of what happens while a post is under way."""
        hold = Hold()
        with self._lock:
            self._state.holds.setdefault(method, deque()).append(hold)
        return hold

    def _take_failure(self, method: str) -> int | None:
        with self._lock:
            queue = self._state.failures.get(method)
            return queue.popleft() if queue else None

    # ------------------------------------------------------------------ waiting

    async def async_wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the Socket Mode client acks ``envelope_id``; return the ack. Polls, so the
        Bolt app on the test's own loop keeps running meanwhile."""
        def ack() -> dict[str, Any] | None:
            with self._lock:
                acks = list(self._state.socket_acks)
            return next((a for a in acks if a.get("envelope_id") == envelope_id), None)

        return await self._async_wait(ack, timeout, f"ack of {envelope_id}")

    async def async_wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` calls of ``method`` arrived; return them all (Bolt runs
        handler code after the ack, so calls can trail the ack)."""
        def enough() -> list[RecordedCall] | None:
            calls = self.calls_to(method)
            return calls if len(calls) >= count else None

        return await self._async_wait(enough, timeout, f"{count} call(s) to {method}")

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0
                       ) -> list[RecordedCall]:
        """``async_wait_for_calls`` for a test thread that has no event loop of its own (the
        bot runs in another process): the fake serves on its own thread meanwhile."""
        deadline = time.monotonic() + timeout
        while len(calls := self.calls_to(method)) < count:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"FakeSlack: no {count} call(s) to {method} within {timeout} s")
            time.sleep(0.01)
        return calls

    async def async_wait_for_socket(self, timeout: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected (and has been sent its hello)."""
        await self._async_wait(lambda: self.socket_connections > 0, timeout, "a socket connection")

    async def _async_wait(self, probe: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"FakeSlack: no {what} within {timeout} s")
            await asyncio.sleep(0.01)
        return result

    # ------------------------------------------------------------------ socket mode

    def socket_send(self, envelope: dict[str, Any], timeout: float = 5.0) -> None:
        """Push an envelope (``events_api``, ``slash_commands``, ``interactive``, or e.g.
        ``{"type": "disconnect", "reason": "refresh_requested"}``) to the newest open socket.

        Thread-safe and fine to call from an async test: it waits on the fake's own loop (up to
        ``timeout``) for a client to be connected, then returns once the frame is written."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeSlack is not started")
        if threading.current_thread() is self._thread:
            raise RuntimeError("socket_send cannot be called from the FakeSlack server thread")
        future = asyncio.run_coroutine_threadsafe(self._socket_send(envelope, timeout), loop)
        future.result(timeout + 5)

    async def _socket_send(self, envelope: dict[str, Any], timeout: float) -> None:
        def live() -> list[web.WebSocketResponse]:
            with self._lock:
                return [ws for ws in self._sockets if not ws.closed]

        sockets = await self._async_wait(live, timeout, "Socket Mode client connected")
        await sockets[-1].send_str(json.dumps(envelope))

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        # autoping answers the client's "sdk-ping-pong:<t>" pings with matching pongs, which
        # slack_sdk's aiohttp client uses to decide the connection is alive.
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({
            "type": "hello", "num_connections": self.socket_connections + 1,
            "debug_info": {"host": "applink-fake-gavel", "build_number": 1,
                           "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID}}))
        # Registered only after the hello so an envelope can never overtake it.
        with self._lock:
            self._sockets.append(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    with contextlib.suppress(ValueError), self._lock:
                        self._state.socket_acks.append(json.loads(msg.data))
        finally:
            with self._lock:
                if ws in self._sockets:
                    self._sockets.remove(ws)
        return ws

    # ------------------------------------------------------------------ HTTP plumbing

    def _record(self, call: RecordedCall) -> None:
        with self._lock:
            self._state.calls.append(call)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        form_token = args.pop("token", None)
        token = _bearer(request.headers.get("Authorization")) or form_token
        if method == "oauth.v2.access" and not token:
            # The app authenticates with its client id and secret (basic auth or form fields).
            authorization = request.headers.get("Authorization", "")
            if authorization.lower().startswith("basic ") or args.get("client_secret"):
                token = "client-credentials"
        call = self._recorded(request, method, args, token)
        with self._lock:
            holds = self._state.holds.get(method)
            hold = holds.popleft() if holds else None
        if hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, hold.wait)
        failure = hold.fail_status if hold is not None else None
        status, body = self._dispatch(method, args, token, failure or self._take_failure(method))
        call.status, call.response = status, body
        self._record(call)
        return web.json_response(body, status=status)

    def _dispatch(self, method: str, args: _ARGS, token: str | None,
                  failure: int | None) -> tuple[int, dict[str, Any]]:
        if failure is not None:
            return failure, {"ok": False, "error": "internal_error"}
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}
        if (method == "apps.connections.open") != token.startswith("xapp-"):
            return 200, {"ok": False, "error": "not_allowed_token_type"}
        refusal = self._refusal(method, args)
        if refusal is not None:
            return 200, refusal
        try:
            with self._lock:
                answer = handler(args, token)
        except _SlackError as exc:
            return 200, {"ok": False, "error": exc.error}
        error = spec_check.problem("slack", ("methods", method, "ok"), answer)
        if error is not None:
            self._problem(f"{method} reply breaks Slack's description: {error.message} "
                          f"at {list(error.absolute_path)}")
        return 200, answer

    def _refusal(self, method: str, args: _ARGS) -> _ARGS | None:
        """Slack's answer to a request its API description or Block Kit's limits refuse."""
        error = spec_check.problem("slack", ("methods", method, "request"), args)
        if error is not None:
            where = "/".join(map(str, error.absolute_path))
            message = f"[ERROR] {error.message} [json-pointer:/{where}]"
            self._problem(f"{method} request refused: {message}")
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": [message]}}
        problem = _block_kit_problem(args.get("blocks"))
        if problem is not None:
            self._problem(f"{method} request refused: {problem}")
            return {"ok": False, "error": "invalid_blocks", "errors": [problem],
                    "response_metadata": {"messages": [f"[ERROR] {problem}"]}}
        return None

    def _problem(self, text: str) -> None:
        with self._lock:
            self.spec_problems.append(text)

    def _recorded(self, request: web.Request, method: str, args: _ARGS,
                  token: str | None) -> RecordedCall:
        return RecordedCall(method=method, args=args, token=token, path=request.path,
                            headers=dict(request.headers))

    async def _handle_upload(self, request: web.Request) -> web.Response:
        # slack_sdk POSTs the raw bytes here (urllib even labels them form-urlencoded), so the
        # body must be read as-is, never parsed.
        file_id = request.match_info["file_id"]
        content = await request.read()
        call = self._recorded(request, "upload", {"file_id": file_id, "size": len(content)},
                              _bearer(request.headers.get("Authorization")))
        with self._lock:
            pending = self._state.pending_uploads.get(file_id)
            if pending is not None:
                pending["content"] = content
        status, text = (200, f"OK - {len(content)}") if pending is not None else (404, "Not Found")
        call.status, call.response = status, text
        self._record(call)
        return web.Response(status=status, text=text)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = {"raw": await request.text()}
        call = self._recorded(request, "response_url",
                              body if isinstance(body, dict) else {"raw": body}, None)
        call.response = "ok"
        self._record(call)
        return web.Response(text="ok")

    # ------------------------------------------------------------------ helpers for handlers

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{self._ts_base + n // 1_000_000}.{n % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    def _bot_message(self, args: _ARGS, ts: str) -> dict[str, Any]:
        icons = {f"image_{n}": f"https://avatars.slack-edge.invalid/{BOT_ID}_{n}.png"
                 for n in (36, 48, 72)}
        message: dict[str, Any] = {
            "type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID,
            "team": TEAM_ID, "text": args.get("text", ""), "ts": ts,
            "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": BOT_NAME,
                            "deleted": False, "team_id": TEAM_ID, "updated": self._ts_base,
                            "icons": icons}}
        message.update({key: args[key] for key in ("blocks", "attachments", "thread_ts")
                        if args.get(key) is not None})
        return message

    def _require(self, args: _ARGS, *keys: str, error: str = "invalid_arguments") -> None:
        if any(not args.get(k) for k in keys):
            raise _SlackError(error)

    def _channel(self, args: _ARGS) -> dict[str, Any]:
        channel = self._channels.get(str(args.get("channel", "")))
        if channel is None:
            raise _SlackError("channel_not_found")
        return channel

    # ------------------------------------------------------------------ method handlers

    def _auth_test(self, args: _ARGS, token: str) -> _ARGS:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: _ARGS, token: str) -> _ARGS:
        self._require(args, "channel", error="channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _SlackError("no_text")
        channel = str(args["channel"])
        ts = self._next_ts()
        message = self._bot_message(args, ts)
        self._state.messages[(channel, ts)] = {**message, "channel": channel}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: _ARGS, token: str) -> _ARGS:
        self._require(args, "channel", error="channel_not_found")
        self._require(args, "user", error="user_not_in_channel")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _SlackError("no_text")
        return {"ok": True, "message_ts": self._next_ts()}

    def _reactions_add(self, args: _ARGS, token: str) -> _ARGS:
        self._require(args, "channel", "timestamp", error="no_item_specified")
        self._require(args, "name", error="invalid_name")
        reaction = {"channel": str(args["channel"]), "timestamp": str(args["timestamp"]),
                    "name": str(args["name"]).strip(":"), "user": BOT_USER_ID}
        if reaction in self._state.reactions:
            raise _SlackError("already_reacted")
        self._state.reactions.append(reaction)
        return {"ok": True}

    def _users_info(self, args: _ARGS, token: str) -> _ARGS:
        user = self._users.get(str(args.get("user", "")))
        if user is None:
            raise _SlackError("user_not_found")
        return {"ok": True, "user": copy.deepcopy(user)}

    def _conversations_set_topic(self, args: _ARGS, token: str) -> _ARGS:
        channel = self._channel(args)
        if not channel["is_member"]:
            raise _SlackError("not_in_channel")
        if len(str(args.get("topic", ""))) > TOPIC_LIMIT:
            raise _SlackError("too_long")
        channel["topic"] = {"value": str(args.get("topic", "")), "creator": BOT_USER_ID,
                            "last_set": self._ts_base}
        return {"ok": True, "channel": dict(channel)}

    def _oauth_v2_access(self, args: _ARGS, token: str) -> _ARGS:
        """Exchanges any ``code`` for a bot token of this team (client id and secret must be
        given, as HTTP basic auth or form fields; the SDK sends basic auth)."""
        self._require(args, "code", error="invalid_code")
        return {"ok": True, "app_id": APP_ID, "authed_user": {"id": "U0INSTALLER"},
                "scope": str(args.get("scope", "commands,chat:write")), "token_type": "bot",
                "access_token": f"xoxb-installed-{args['code']}", "bot_user_id": BOT_USER_ID,
                "team": {"id": TEAM_ID, "name": TEAM_NAME}, "enterprise": None,
                "is_enterprise_install": False}

    def _files_get_upload_url_external(self, args: _ARGS, token: str) -> _ARGS:
        self._require(args, "filename", "length")
        if not str(args["length"]).isdigit():
            raise _SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._state.pending_uploads[file_id] = {"file_id": file_id, "content": None,
                                                "filename": str(args["filename"])}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: _ARGS, token: str) -> _ARGS:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise _SlackError("invalid_arguments")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        channel = args.get("channel_id") or (channels[0] if channels else None)
        if channel and channel not in channels:
            channels.insert(0, str(channel))
        uploads = [self._state.pending_uploads.get(str(item.get("id", ""))) for item in files]
        if any(u is None or u["content"] is None for u in uploads):
            raise _SlackError("file_not_found")
        answered: list[_ARGS] = []
        for item, upload in zip(files, uploads, strict=True):
            assert upload is not None
            title = item.get("title") or upload["filename"]
            del self._state.pending_uploads[upload["file_id"]]
            self._state.uploaded_files.append({
                **upload, "title": title, "channel": channel, "channels": list(channels),
                "initial_comment": args.get("initial_comment"),
                "thread_ts": args.get("thread_ts")})
            answered.append({
                "id": upload["file_id"], "created": self._ts_base, "timestamp": self._ts_base,
                "name": upload["filename"], "title": title, "user": BOT_USER_ID,
                "size": len(upload["content"]), "channels": list(channels),
                "url_private": f"{self.base_url}/files/{upload['file_id']}/{upload['filename']}"})
        return {"ok": True, "files": answered}

    def _apps_connections_open(self, args: _ARGS, token: str) -> _ARGS:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}  # Socket Mode



async def _read_args(request: web.Request) -> dict[str, Any]:
    """Merge query string and body the way Slack does: the sync client sends form or JSON
    bodies, the async client puts ``params`` in the query string even for POST."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        else:  # x-www-form-urlencoded or multipart/form-data
            form = await request.post()
            for key, value in form.items():
                args[key] = value.file.read() if isinstance(value, web.FileField) else value
    for key in _JSON_FIELDS:
        encoded = args.get(key)
        if isinstance(encoded, str) and encoded[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(encoded)
    return args


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None
