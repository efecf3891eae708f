"""A fake Discord (REST API + gateway) served over real HTTP/WebSocket on 127.0.0.1.

Why a wire-level fake rather than mocks: discord.py fails in ways a mock cannot show (a
payload missing a field it reads ends ``client.start()`` silently; JSON is parsed only when
the content type is exactly ``application/json``; an interaction answered after 3 s is
rejected; a resumed session must replay missed events in order).  The real, unpatched
``discord.Client`` runs against this fake, which serves only what Gavel calls and keeps
Discord's server-side rules: intents, permissions, the 3 s window, "already acknowledged",
command naming, scheduled-event rules, and every request and reply held to Discord's
published API description (``specs/discord.json``, see ``spec_check``).

Typical use::

    async with FakeDiscord() as fake:
        fake.add_guild(GUILD, "Node.js", channels=[{"id": CHAN, "name": "tsc", "type": 0}])
        task = asyncio.create_task(client.start(fake.token))
        await fake.dispatch("MESSAGE_CREATE", fake.message_payload(CHAN, GUILD, 42, "alice", "hi"))
        await fake.wait_for(lambda: fake.messages_in(CHAN))

Entering the context points ``discord.http.Route.BASE`` and the default gateway at this
server; leaving restores them.  Everything runs in the test's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import mimetypes
import re
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import discord.gateway
import discord.http
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

from tests.fakes import spec_check

log = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")

DISCORD_EPOCH_MS = 1_420_070_400_000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # a server without boosts
HEARTBEAT_INTERVAL_MS = 41_250  # Discord's documented default
INTERACTION_WINDOW = 3.0  # seconds to answer an interaction

_API = r"/api/v{version:\d+}"
_API_PREFIX = re.compile(r"^/api/v\d+")
_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
_MENTION_RE = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class GatewayIntents:
    """Gateway intent bits (Discord API v10), used to decide what a session receives."""

    GUILDS, GUILD_MEMBERS, GUILD_VOICE_STATES, GUILD_PRESENCES = 1, 1 << 1, 1 << 7, 1 << 8
    GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGES = 1 << 9, 1 << 10, 1 << 12
    DIRECT_MESSAGE_REACTIONS, MESSAGE_CONTENT, GUILD_SCHEDULED_EVENTS = 1 << 13, 1 << 15, 1 << 16


class PermissionBits:
    """Permission bits the fake checks (a subset of Discord's)."""

    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    CONNECT = 1 << 20
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    SEND_MESSAGES_IN_THREADS = 1 << 38
    CREATE_EVENTS = 1 << 44
    ALL = (1 << 53) - 1
    #: Roughly what a new server gives @everyone.
    DEFAULT_EVERYONE = (ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
                        | READ_MESSAGE_HISTORY | CONNECT | USE_APPLICATION_COMMANDS
                        | SEND_MESSAGES_IN_THREADS | CREATE_EVENTS)
    #: What Gavel's invite link is expected to grant its managed role.
    DEFAULT_BOT = (VIEW_CHANNEL | SEND_MESSAGES | SEND_MESSAGES_IN_THREADS | EMBED_LINKS
                   | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS | USE_APPLICATION_COMMANDS
                   | MANAGE_EVENTS | CREATE_EVENTS | CONNECT)


class ChannelType:
    """Channel type numbers used by :meth:`FakeDiscord.add_guild`."""

    TEXT, DM, VOICE, CATEGORY, NEWS, STAGE = 0, 1, 2, 4, 5, 13


# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME, OP_INVALID_SESSION = 0, 1, 2, 6, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

# Interaction types, and the callback types Discord allows for each.
INTERACTION_APPLICATION_COMMAND, INTERACTION_MESSAGE_COMPONENT, INTERACTION_AUTOCOMPLETE = 2, 3, 4
_ALLOWED_CALLBACKS = {INTERACTION_APPLICATION_COMMAND: {4, 5, 9, 10, 12},
                      INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 10, 12},
                      INTERACTION_AUTOCOMPLETE: {8}}
MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

# Which intent a dispatch needs: (in a guild, in a DM). Events not listed are always
# delivered (READY, RESUMED, GUILD_CREATE, INTERACTION_CREATE, ...).
_I = GatewayIntents
_EVENT_INTENTS: dict[str, tuple[int, int]] = {
    "VOICE_STATE_UPDATE": (_I.GUILD_VOICE_STATES, _I.GUILD_VOICE_STATES),
    **{f"MESSAGE_{e}": (_I.GUILD_MESSAGES, _I.DIRECT_MESSAGES)
       for e in ("CREATE", "UPDATE", "DELETE")},
    **{f"MESSAGE_REACTION_{e}": (_I.GUILD_MESSAGE_REACTIONS, _I.DIRECT_MESSAGE_REACTIONS)
       for e in ("ADD", "REMOVE")},
    **{f"GUILD_SCHEDULED_EVENT_{e}": (_I.GUILD_SCHEDULED_EVENTS, _I.GUILD_SCHEDULED_EVENTS)
       for e in ("CREATE", "UPDATE", "DELETE")},
}


# --------------------------------------------------------------------------- records


@dataclass
class RecordedFile:
    """One uploaded file from a multipart request (``files[n]`` part)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request as it arrived, with the fake's answer; ``path`` is relative to the
    API root, ``at`` is ``time.monotonic()`` at arrival."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    headers: dict[str, str]
    at: float
    status: int | None = None
    response: Any = None


_RECORD = web.RequestKey("fake_discord_record", RecordedRequest)


@dataclass
class InteractionRecord:
    """An interaction the test dispatched, and what the bot did with it."""

    id: int
    token: str
    type: int
    channel_id: int | None
    user_id: int
    payload: JSON
    dispatched_at: float
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)
    loading: bool = False  # a "thinking" defer's message, which the first follow-up replaces


@dataclass
class InteractionCallback:
    """One interaction callback, accepted or not; ``elapsed``: seconds since the
    INTERACTION_CREATE was dispatched (Discord rejects callbacks after 3 s, so does the fake)."""

    interaction_id: int
    type: int | None
    data: Any
    elapsed: float | None
    status: int | None = None


@dataclass
class FakeGuild:
    """Server-side state of one guild. Payload dicts are stored in Discord's JSON form."""

    id: int
    name: str
    owner_id: int
    joined_at: str
    channels: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, JSON] = field(default_factory=dict)
    roles: dict[int, JSON] = field(default_factory=dict)
    voice_states: dict[int, JSON] = field(default_factory=dict)
    scheduled_events: dict[int, JSON] = field(default_factory=dict)


class DiscordAPIError(Exception):
    """Raised inside a handler to answer with Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def _form_error(path: Sequence[str | int], code: str, message: str) -> DiscordAPIError:
    """Discord's 50035 "Invalid Form Body" with the nested ``errors`` tree it sends."""
    errors: JSON = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        errors = {str(key): errors}
    return DiscordAPIError(400, 50035, "Invalid Form Body", errors)


# jsonschema keyword -> Discord's error code and message for a 50035 "Invalid Form Body".
_SPEC_ERRORS = {
    "maxLength": ("BASE_TYPE_MAX_LENGTH", "Must be {} or fewer in length."),
    "maxItems": ("BASE_TYPE_MAX_LENGTH", "Must be {} or fewer in length."),
    "minLength": ("BASE_TYPE_MIN_LENGTH", "Must be {} or more in length."),
    "minItems": ("BASE_TYPE_MIN_LENGTH", "Must be {} or more in length."),
    "required": ("BASE_TYPE_REQUIRED", "This field is required"),
    "enum": ("BASE_TYPE_CHOICES", "Value must be one of {}."),
}


# What a scheduled-event create/modify body may set.
_EVENT_FIELDS = ("name", "description", "scheduled_start_time", "scheduled_end_time",
                 "entity_type", "channel_id", "entity_metadata", "privacy_level", "status",
                 "recurrence_rule")


def _not_found(code: int, what: str) -> DiscordAPIError:
    return DiscordAPIError(404, code, f"Unknown {what}")


@dataclass
class _Session:
    """A gateway session: survives a dropped socket so the client can RESUME it."""

    session_id: str
    intents: int
    shard: list[int] | None
    ws: web.WebSocketResponse | None
    seq: int = 0
    history: list[JSON] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# --------------------------------------------------------------------------- helpers


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _snowflake_time_iso(snowflake: int) -> str:
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def _parse_time(value: Any, path: Sequence[str | int]) -> datetime:
    if not isinstance(value, str):
        raise _form_error(path, "BASE_TYPE_REQUIRED", "This field is required")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _form_error(path, "DATE_TIME_TYPE_PARSE", f"Could not parse {value}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in {"1", "true", "yes"}


def _json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py compares the header for equality, and
    # aiohttp's json_response would append "; charset=utf-8".
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


def _emoji_from_path(raw: str) -> JSON:
    """``"👍"`` or ``"name:123"`` (custom) as Discord's partial emoji object."""
    name, _, emoji_id = raw.rpartition(":") if ":" in raw else (raw, "", None)
    return {"id": emoji_id, "name": name}


def _emoji_key(emoji: Mapping[str, Any]) -> str:
    return f"{emoji.get('name')}:{emoji['id']}" if emoji.get("id") else str(emoji.get("name"))


def _numbered(components: Sequence[Mapping[str, Any]]) -> list[JSON]:
    """Components as Discord stores them: each given an ``id`` (1, 2, ... depth first)."""
    counter = iter(range(1, 1000))

    def number(component: Mapping[str, Any]) -> JSON:
        out: JSON = {**component, "id": component.get("id") or next(counter)}
        if "components" in component:
            out["components"] = [number(c) for c in component["components"]]
        return out

    return [number(c) for c in components]


def _option_type(value: Any) -> int:
    """Discord's option type for a Python value: boolean 5, integer 4, number 10, string 3."""
    return {bool: 5, int: 4, float: 10}.get(type(value), 3)


class _Snowflakes:
    """Time-based, strictly increasing snowflakes, so ``created_at`` is realistic."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(self._last + 1, now)
        return self._last


# --------------------------------------------------------------------------- the fake


class FakeDiscord:
    """Discord's REST API and gateway on ``127.0.0.1:<random port>``.

    Configure guilds with :meth:`add_guild`, push gateway events with :meth:`dispatch` and
    the ``*_payload`` builders, inspect :attr:`requests`, :meth:`messages_in` and
    :attr:`interaction_callbacks`.  REST writes Discord broadcasts are dispatched back (the
    bot sees its own messages); events and message content reach a session only as its
    intents allow; a permission the bot's roles lack is refused (403 / 50013).
    ``disallowed_intents``: privileged intents not enabled in the developer portal (IDENTIFY
    is closed with 4014).  Leaving the context raises on an unserved route, a crashed handler
    or a spec problem.
    """

    def __init__(self, *, disallowed_intents: int = 0) -> None:
        self.token = "fake-bot-token"
        # Bot users created with an application share its id.
        self.application_id = self.bot_user_id = 1_180_000_000_000_000_001
        self.disallowed_intents = disallowed_intents
        self._expired: set[int] = set()

        self._ids = _Snowflakes()
        self.owner_user_id = self._ids.next()
        self.users: dict[int, JSON] = {}
        self.bot_user = self._make_user(self.bot_user_id, "Gavel", bot=True)
        self._make_user(self.owner_user_id, "gavel-owner")

        self.guilds: dict[int, FakeGuild] = {}
        self._channels: dict[int, JSON] = {}
        self._messages: dict[int, JSON] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self._deleted: set[int] = set()
        self._attachments: dict[int, RecordedFile] = {}
        self._reaction_users: dict[tuple[int, str], list[int]] = {}
        self.global_commands: dict[int, JSON] = {}
        self.guild_commands: dict[int, dict[int, JSON]] = {}

        self.interactions: dict[int, InteractionRecord] = {}
        self.interaction_callbacks: list[InteractionCallback] = []
        self.requests: list[RecordedRequest] = []
        self.unhandled_requests: list[RecordedRequest] = []
        self.server_errors: list[str] = []
        self.spec_problems: list[str] = []
        """Requests Discord's API description refuses and replies it does not allow."""
        self.identify_payloads: list[JSON] = []
        self.resume_count = 0
        """Successful RESUMEs (RESUMED sent)."""

        self._sessions: dict[str, _Session] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._server_closed: set[web.WebSocketResponse] = set()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        await self.stop()
        if exc_type is None:
            problems = [f"unhandled route: {r.method} {r.path}" for r in self.unhandled_requests]
            problems += [f"fake handler crashed: {e}" for e in self.server_errors]
            problems += self.spec_problems
            if problems:
                raise AssertionError("FakeDiscord: " + "\n".join(problems))

    async def start(self) -> None:
        """Serve on a free port and point discord.py at it."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    async def stop(self) -> None:
        """Close sockets, stop serving and restore discord.py's endpoints."""
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None
        for ws in list(self._sockets):
            self._server_closed.add(ws)
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"fake shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.http_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        # Distinct from gateway_url, as on Discord, so a test can see the client used it.
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    # ------------------------------------------------------------------ setup

    def add_guild(
        self, guild_id: int, name: str, *, channels: Iterable[Mapping[str, Any]] = (),
        members: Iterable[Mapping[str, Any]] = (),
        bot_permissions: int = PermissionBits.DEFAULT_BOT,
        voice_states: Iterable[Mapping[str, Any]] = (),
    ) -> FakeGuild:
        """Configure a guild the bot is in; sent as GUILD_CREATE on every IDENTIFY.

        ``channels``: ``{"id", "name", "type"}`` (0 text, 2 voice, 13 stage, 4 category)
        plus any channel field to override.  ``members``: ``{"id", "username"}`` plus
        optional ``nick``, ``roles``, ``global_name``, ``bot``.  The bot is always a member,
        with a managed role holding ``bot_permissions``.  ``voice_states``:
        ``{"user_id", "channel_id"}`` for members already in voice.
        """
        bot_role_id = self._ids.next()
        guild = FakeGuild(id=guild_id, name=name, joined_at=_now_iso(),
                          owner_id=self.owner_user_id)
        guild.roles[guild_id] = self._role_payload(
            guild_id, "@everyone", PermissionBits.DEFAULT_EVERYONE, 0)
        bot_role = self._role_payload(bot_role_id, self.bot_user["username"], bot_permissions, 1)
        bot_role.update(managed=True, tags={"bot_id": str(self.bot_user_id)})
        guild.roles[bot_role_id] = bot_role
        self.guilds[guild_id] = guild
        for position, spec in enumerate(channels):
            self._add_channel(guild, spec, position)
        guild.members[self.bot_user_id] = self._new_member(self.bot_user, roles=[bot_role_id])
        guild.members[guild.owner_id] = self._new_member(self.users[guild.owner_id])
        for spec in members:
            self.add_member(guild_id, spec)
        for state in voice_states:
            user_id = int(state["user_id"])
            guild.voice_states[user_id] = self.voice_state_payload(
                guild_id, int(state["channel_id"]), user_id, state.get("username", str(user_id)))
        return guild

    def add_member(self, guild_id: int, spec: Mapping[str, Any]) -> JSON:
        """Add (or replace) a guild member; returns the member payload (with ``user``)."""
        user = self._make_user(int(spec["id"]), spec.get("username", f"user{spec['id']}"),
                               bot=bool(spec.get("bot")), global_name=spec.get("global_name"))
        member = self._new_member(user, roles=[int(r) for r in spec.get("roles", ())],
                                  nick=spec.get("nick"))
        self.guilds[guild_id].members[int(user["id"])] = member
        return copy.deepcopy(member)

    # ------------------------------------------------------------------ inspection

    def messages_in(self, channel_id: int) -> list[JSON]:
        """Messages in a channel, oldest first, in their current (edited) form: the bot's,
        interaction responses and follow-ups (``flags & 64``: ephemeral) and dispatched ones."""
        return [copy.deepcopy(self._messages[i]) for i in self._channel_messages.get(channel_id, [])
                if i not in self._deleted]

    def message(self, message_id: int) -> JSON | None:
        """The stored message (``None`` if unknown or deleted)."""
        if message_id in self._deleted or message_id not in self._messages:
            return None
        return copy.deepcopy(self._messages[message_id])

    def attachment_bytes(self, attachment: Mapping[str, Any] | int) -> bytes:
        """Bytes of an attachment, given its id or the attachment dict of a message."""
        key = attachment["id"] if isinstance(attachment, Mapping) else attachment
        return self._attachments[int(key)].data

    def scheduled_events(self, guild_id: int) -> list[JSON]:
        return [copy.deepcopy(e) for e in self.guilds[guild_id].scheduled_events.values()]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """Registered application commands: global, or for one guild."""
        store = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return [copy.deepcopy(c) for c in store.values()]

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches and whose path fully matches the regex."""
        pattern = re.compile(path_pattern)
        method = method.upper()
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    @property
    def intents(self) -> int | None:
        """Intents of the most recent IDENTIFY."""
        return int(self.identify_payloads[-1].get("intents", 0)) if self.identify_payloads else None

    @property
    def identify_count(self) -> int:
        return len(self.identify_payloads)

    @property
    def connected(self) -> bool:
        """Whether some session currently has a live socket."""
        return any(s.ws is not None and not s.ws.closed for s in self._sessions.values())

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy and return its value; re-checked on traffic and
        every 20 ms, so it may look at client-side state too."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests[-5:])
                raise TimeoutError(
                    f"condition not met within {timeout}s (last requests: {recent or 'none'})")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.02))
        return result

    # ------------------------------------------------------------------ payload builders

    def message_payload(
        self, channel_id: int, guild_id: int | None, author_id: int, username: str, content: str,
        message_id: int | None = None,
    ) -> JSON:
        """MESSAGE_CREATE data for a user's message, with every field Discord sends.

        ``<@id>`` mentions in ``content`` fill ``mentions``.  An unknown author becomes a
        user (and, in a guild, a member) of the fake.
        """
        user = self._ensure_user(author_id, username)
        mid = message_id if message_id is not None else self._ids.next()
        msg = self._message_base(mid, channel_id, guild_id, user, content)
        msg["nonce"] = str(self._ids.next())
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
            msg["member"] = self._member_without_user(self._ensure_member(guild_id, user))
        return msg

    def _message_base(self, mid: int, channel_id: int, guild_id: int | None, author: JSON,
                      content: str) -> JSON:
        return {
            "id": str(mid), "channel_id": str(channel_id), "type": 0, "content": content,
            "author": copy.deepcopy(author), "attachments": [], "embeds": [], "components": [],
            "mentions": self._mentions(content, guild_id),
            "mention_roles": _ROLE_MENTION_RE.findall(content),
            "mention_everyone": "@everyone" in content or "@here" in content,
            "pinned": False, "tts": False, "timestamp": _snowflake_time_iso(mid),
            "edited_timestamp": None, "flags": 0,
        }

    def message_update_payload(self, channel_id: int, message_id: int, content: str) -> JSON:
        """MESSAGE_UPDATE data: the full edited message, as Discord sends it since 2024 (the
        message must be known to the fake: sent by the bot or dispatched by the test)."""
        gid = self._guild_of(channel_id)
        msg = self.message(message_id)
        if msg is None:
            raise KeyError(f"message {message_id} unknown to the fake")
        msg.update(content=content, mentions=self._mentions(content, gid),
                   edited_timestamp=_now_iso())
        return msg

    def message_delete_payload(self, channel_id: int, message_id: int) -> JSON:
        """MESSAGE_DELETE data."""
        return {"id": str(message_id), "channel_id": str(channel_id),
                "guild_id": str(self._guild_of(channel_id))}

    def voice_state_payload(
        self, guild_id: int, channel_id: int | None, user_id: int, username: str, *,
        self_mute: bool = False,
    ) -> JSON:
        """VOICE_STATE_UPDATE data: ``channel_id`` ``None`` means the user left voice."""
        member = self._ensure_member(guild_id, self._ensure_user(user_id, username))
        guild = self.guilds.get(guild_id)
        previous = guild.voice_states.get(user_id) if guild else None
        return {
            "guild_id": str(guild_id), "user_id": str(user_id), "member": copy.deepcopy(member),
            "channel_id": str(channel_id) if channel_id is not None else None,
            "session_id": previous["session_id"] if previous else secrets.token_hex(16),
            "deaf": False, "mute": False, "self_deaf": False, "self_mute": self_mute,
            "self_stream": False, "self_video": False, "suppress": False,
            "request_to_speak_timestamp": None,
        }

    def interaction_payload(
        self, command_name: str = "meeting", subcommand: str | None = None,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None, *,
        user_id: int, username: str = "user", guild_id: int | None, channel_id: int,
        resolved: Mapping[str, Any] | None = None, subcommand_group: str | None = None,
    ) -> JSON:
        """INTERACTION_CREATE data for a slash command (type 2; set 4 for autocomplete).

        ``options`` as ``{"name": value}`` (type inferred: str, int, float, bool) or as raw
        option dicts.  A command synced to the fake for this guild gets its id and
        ``data.guild_id`` (a ``CommandTree`` needs them).
        """
        if isinstance(options, Mapping):
            inner = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        else:
            inner = [dict(o) for o in options or ()]
        if subcommand is not None:
            inner = [{"type": 1, "name": subcommand, "options": inner}]
        if subcommand_group is not None:
            inner = [{"type": 2, "name": subcommand_group, "options": inner}]
        command = self._find_command(command_name, guild_id)
        data: JSON = {"id": command["id"] if command else str(self._ids.next()),
                      "name": command_name, "type": 1, "options": inner}
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = dict(resolved)
        return self._interaction_base(INTERACTION_APPLICATION_COMMAND, data, user_id=user_id,
                                      username=username, guild_id=guild_id, channel_id=channel_id)

    def component_interaction_payload(
        self, custom_id: str, *, message_id: int, user_id: int, username: str = "user",
        guild_id: int | None, channel_id: int,
    ) -> JSON:
        """INTERACTION_CREATE data for a button press on ``message_id`` (normally a message the
        bot sent through the fake, which discord.py uses to route to the right View)."""
        message = self.message(message_id) or self._message_base(
            message_id, channel_id, None, self.bot_user, "")
        message.pop("member", None)
        payload = self._interaction_base(
            INTERACTION_MESSAGE_COMPONENT, {"custom_id": custom_id, "component_type": 2},
            user_id=user_id, username=username, guild_id=guild_id, channel_id=channel_id)
        payload["message"] = message
        return payload

    # ------------------------------------------------------------------ gateway: push

    async def dispatch(self, event: str, data: Mapping[str, Any]) -> bool:
        """Send a dispatch (op 0) to every gateway session, and apply it to the fake's state.

        The event gets the session's next sequence number; a session whose socket is down
        keeps it for replay on RESUME.  Returns ``False`` if no session's intents allowed it.
        Raises ``RuntimeError`` if no client ever identified (the event would be lost).
        """
        if not self._sessions:
            raise RuntimeError(
                f"dispatch({event!r}): no gateway session; wait for the client to be ready first")
        payload: JSON = copy.deepcopy(dict(data))
        self._apply_dispatch(event, payload)
        delivered = await self._broadcast(event, payload)
        self._notify()
        return delivered

    def expire_interaction(self, interaction_id: int) -> None:
        """Discord's 3 s window for this interaction is over (or will be by the time it is
        dispatched, as under load): its callback gets 10062 "Unknown interaction", with no
        test waiting out the clock."""
        self._expired.add(interaction_id)

    async def drop_connection(self, *, resumable: bool = True) -> None:
        """Close the gateway socket(s) from the server side, as a network blip would.

        With ``resumable`` the session survives: discord.py reconnects to
        ``resume_gateway_url``, sends RESUME and gets the missed events replayed; without it
        the RESUME is answered with INVALID_SESSION and the client must IDENTIFY again.
        """
        for session in list(self._sessions.values()):
            async with session.lock:
                ws, session.ws = session.ws, None
                if not resumable:
                    self._sessions.pop(session.session_id, None)
            if ws is not None:
                self._server_closed.add(ws)
                await ws.close(code=4000, message=b"dropped by FakeDiscord")

    # ------------------------------------------------------------------ gateway: server

    async def _handle_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=5.0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: _Session | None = None
        try:
            await self._send_frame(ws, {"op": OP_HELLO, "s": None, "t": None, "d": {
                "heartbeat_interval": HEARTBEAT_INTERVAL_MS,
                "_trace": ['["fake-discord-gateway"]']}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d")
                if op == OP_HEARTBEAT:
                    await self._send_frame(ws, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None,
                                                "t": None})
                elif op == OP_IDENTIFY:
                    session = await self._identify(ws, d)
                elif op == OP_RESUME:
                    session = await self._resume(ws, d)
                # Other ops (presence, voice state, member requests) are ignored.
                self._notify()
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                # A client that closes with 1000/1001 ends its session (Discord does the same).
                if ws not in self._server_closed and ws.close_code in (1000, 1001):
                    self._sessions.pop(session.session_id, None)
            self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: JSON) -> _Session | None:
        self.identify_payloads.append(d)
        refusal = (4004, "Authentication failed.") if d.get("token") != self.token else (
            (4013, "Invalid intent(s).") if "intents" not in d else (
                (4014, "Disallowed intent(s).") if int(d["intents"]) & self.disallowed_intents
                else None))
        if refusal is not None:
            await self._close_socket(ws, *refusal)
            return None
        session = _Session(session_id=secrets.token_hex(16), intents=int(d["intents"]),
                           shard=d.get("shard"), ws=ws)
        self._sessions[session.session_id] = session
        async with session.lock:
            await self._emit_locked(session, "READY", self._ready_payload(session))
            for guild in self.guilds.values():
                await self._emit_locked(session, "GUILD_CREATE",
                                        self._guild_create_payload(guild, session.intents))
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: JSON) -> _Session | None:
        if d.get("token") != self.token:
            await self._close_socket(ws, 4004, "Authentication failed.")
            return None
        session = self._sessions.get(str(d.get("session_id")))
        if session is None:
            await self._send_frame(ws, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        seq = int(d.get("seq") or 0)
        if seq > session.seq:
            await self._close_socket(ws, 4007, "Invalid seq.")
            return None
        async with session.lock:
            session.ws = ws
            # Discord replays what the client missed, in order, then sends RESUMED.
            for frame in session.history:
                if frame["s"] > seq and not await self._send_frame(ws, frame):
                    session.ws = None
                    return session
            await self._emit_locked(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})
            self.resume_count += 1
        return session

    async def _emit_locked(self, session: _Session, event: str, data: JSON) -> int:
        """Number ``data`` with the session's next seq, keep it for replay, send it (lock held)."""
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        if session.ws is not None and not await self._send_frame(session.ws, frame):
            session.ws = None
        return session.seq

    async def _broadcast(self, event: str, data: JSON) -> bool:
        delivered = False
        for session in list(self._sessions.values()):
            payload = self._filter_for_session(session, event, data)
            if payload is not None:
                async with session.lock:
                    await self._emit_locked(session, event, payload)
                delivered = True
        return delivered

    def _filter_for_session(self, session: _Session, event: str, data: JSON) -> JSON | None:
        """What this session may see of the event: ``None`` if its intents exclude it."""
        in_guild = bool(data.get("guild_id"))
        needed = _EVENT_INTENTS.get(event)
        if needed is not None and not session.intents & needed[0 if in_guild else 1]:
            return None
        payload = copy.deepcopy(data)
        if (event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and in_guild
                and not session.intents & GatewayIntents.MESSAGE_CONTENT
                and int(payload.get("author", {}).get("id", 0)) != self.bot_user_id
                and not any(int(m["id"]) == self.bot_user_id
                            for m in payload.get("mentions", []))):
            # Without the privileged intent Discord blanks these fields.
            payload.update(content="", embeds=[], attachments=[], components=[])
        return payload

    async def _send_frame(self, ws: web.WebSocketResponse, frame: JSON) -> bool:
        if ws.closed:
            return False
        try:
            await ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            return False
        return True

    async def _close_socket(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        self._server_closed.add(ws)
        await ws.close(code=code, message=reason.encode())

    def _ready_payload(self, session: _Session) -> JSON:
        payload: JSON = {
            "v": 10, "user": {**self.bot_user, "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "session_id": session.session_id, "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [],
            "_trace": ['["fake-discord-gateway"]'],
        }
        if session.shard is not None:
            payload["shard"] = session.shard
        return payload

    def _guild_create_payload(self, guild: FakeGuild, intents: int) -> JSON:
        in_voice = set(guild.voice_states)
        if intents & GatewayIntents.GUILD_PRESENCES and len(guild.members) < 250:
            members = list(guild.members.values())
        else:
            # Without presences Discord sends only the bot and members in voice.
            members = [
                m for uid, m in guild.members.items() if uid == self.bot_user_id or uid in in_voice
            ]
        # The fields discord.py reads (Guild._from_data); the rest of Discord's are optional.
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "owner_id": str(guild.owner_id),
            "roles": copy.deepcopy(list(guild.roles.values())), "emojis": [], "stickers": [],
            "features": [], "mfa_level": 0, "verification_level": 1, "premium_tier": 0,
            "preferred_locale": "en-US", "nsfw_level": 0, "system_channel_flags": 0,
            "joined_at": guild.joined_at, "large": len(guild.members) >= 250,
            "member_count": len(guild.members),
            "channels": [{k: v for k, v in c.items() if k != "guild_id"}
                         for c in guild.channels.values()],
            "members": copy.deepcopy(members),
            "voice_states": [{k: v for k, v in s.items() if k not in ("guild_id", "member")}
                             for s in guild.voice_states.values()],
            "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": copy.deepcopy(list(guild.scheduled_events.values())),
        }

    # ------------------------------------------------------------------ state

    def _make_user(
        self, user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> JSON:
        user: JSON = {"id": str(user_id), "username": username, "discriminator": "0",
                      "global_name": global_name, "avatar": None, "public_flags": 0, "flags": 0,
                      "primary_guild": None}
        if bot:
            user["bot"] = True
        self.users[user_id] = user
        return user

    def _ensure_user(self, user_id: int, username: str | None = None, *, bot: bool = False) -> JSON:
        if user_id not in self.users:
            self._make_user(user_id, username or f"user{user_id}", bot=bot)
        return self.users[user_id]

    def _new_member(
        self, user: JSON, *, roles: Sequence[int] = (), nick: str | None = None
    ) -> JSON:
        return {"user": copy.deepcopy(user), "nick": nick, "avatar": None, "banner": None,
                "roles": [str(r) for r in roles], "joined_at": _now_iso(), "premium_since": None,
                "deaf": False, "mute": False, "flags": 0, "pending": False,
                "communication_disabled_until": None}

    def _ensure_member(self, guild_id: int, user: JSON) -> JSON:
        guild = self.guilds[guild_id]
        uid = int(user["id"])
        if uid not in guild.members:
            guild.members[uid] = self._new_member(user)
        return guild.members[uid]

    @staticmethod
    def _member_without_user(member: JSON) -> JSON:
        return {k: copy.deepcopy(v) for k, v in member.items() if k != "user"}

    def _role_payload(self, role_id: int, name: str, permissions: int, position: int) -> JSON:
        return {"id": str(role_id), "name": name, "color": 0, "hoist": False, "icon": None,
                "unicode_emoji": None, "position": position, "permissions": str(permissions),
                "managed": False, "mentionable": False, "flags": 0}

    def _add_channel(self, guild: FakeGuild, spec: Mapping[str, Any], position: int) -> JSON:
        ctype = int(spec.get("type", ChannelType.TEXT))
        channel: JSON = {"id": str(spec["id"]), "type": ctype, "guild_id": str(guild.id),
                         "name": spec.get("name", f"channel-{spec['id']}"), "position": position,
                         "permission_overwrites": [], "parent_id": None, "nsfw": False,
                         "flags": 0, "last_message_id": None, "rate_limit_per_user": 0}
        if ctype in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.STAGE):
            channel["topic"] = None
        if ctype in (ChannelType.VOICE, ChannelType.STAGE):
            channel.update(bitrate=64000, user_limit=0, rtc_region=None)
        channel.update({k: str(v) if k in ("id", "parent_id") and v is not None else v
                        for k, v in spec.items()})
        guild.channels[int(channel["id"])] = self._channels[int(channel["id"])] = channel
        return channel

    def _guild_of(self, channel_id: int) -> int | None:
        channel = self._channels.get(channel_id)
        return int(channel["guild_id"]) if channel and channel.get("guild_id") else None

    def _mentions(self, content: str, guild_id: int | None) -> list[JSON]:
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        result = []
        for uid in dict.fromkeys(int(raw) for raw in _MENTION_RE.findall(content or "")):
            if uid in self.users:
                user = copy.deepcopy(self.users[uid])
                if guild is not None and uid in guild.members:
                    user["member"] = self._member_without_user(guild.members[uid])
                result.append(user)
        return result

    def _store_message(self, msg: JSON) -> None:
        mid = int(msg["id"])
        if mid not in self._messages:
            self._channel_messages.setdefault(int(msg["channel_id"]), []).append(mid)
        self._messages[mid] = msg
        self._deleted.discard(mid)

    def _apply_dispatch(self, event: str, data: JSON) -> None:
        """Keep REST state consistent with what the test pushed over the gateway."""
        guild = self.guilds.get(int(data["guild_id"])) if data.get("guild_id") else None
        if event == "MESSAGE_CREATE":
            self._store_message(copy.deepcopy(data))
        elif event == "MESSAGE_UPDATE":
            mid = int(data["id"])
            if mid in self._messages:
                self._messages[mid].update(copy.deepcopy(data))
            else:
                self._store_message(copy.deepcopy(data))
        elif event == "MESSAGE_DELETE":
            self._deleted.add(int(data["id"]))
        elif event == "VOICE_STATE_UPDATE" and guild is not None:
            uid = int(data["user_id"])
            if data.get("channel_id") is None:
                guild.voice_states.pop(uid, None)
            else:
                guild.voice_states[uid] = copy.deepcopy(data)
        elif event == "INTERACTION_CREATE":
            user = data.get("member", {}).get("user") or data.get("user") or {}
            self.interactions[int(data["id"])] = InteractionRecord(
                id=int(data["id"]), token=data["token"], type=int(data["type"]),
                channel_id=int(data["channel_id"]) if data.get("channel_id") else None,
                user_id=int(user.get("id", 0)), payload=copy.deepcopy(data),
                dispatched_at=time.monotonic())

    def _apply_reaction(self, message_id: int, emoji: JSON, user_id: int) -> None:
        key = (message_id, _emoji_key(emoji))
        users = self._reaction_users.setdefault(key, [])
        if user_id not in users:
            users.append(user_id)
        msg = self._messages[message_id]
        reactions = [r for r in msg.get("reactions", []) if _emoji_key(r["emoji"]) != key[1]]
        reactions.append({"emoji": dict(emoji), "count": len(users),
                          "count_details": {"burst": 0, "normal": len(users)},
                          "me": self.bot_user_id in users, "me_burst": False, "burst_colors": []})
        msg["reactions"] = reactions

    def _find_command(self, name: str, guild_id: int | None) -> JSON | None:
        commands = [*self.guild_commands.get(guild_id or 0, {}).values(),
                    *self.global_commands.values()]
        return next((c for c in commands if c["name"] == name and c.get("type", 1) == 1), None)

    def _interaction_base(self, itype: int, data: JSON, *, user_id: int, username: str,
                          guild_id: int | None, channel_id: int) -> JSON:
        iid = self._ids.next()
        user = self._ensure_user(user_id, username)
        payload: JSON = {
            "id": str(iid), "application_id": str(self.application_id), "type": itype,
            "data": data, "token": f"fake-interaction-token-{iid}-{secrets.token_hex(8)}",
            "version": 1, "channel_id": str(channel_id), "locale": "en-US", "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        assert guild_id is not None, "Gavel's commands live in guilds"
        known = guild_id in self.guilds
        member = copy.deepcopy(self._ensure_member(guild_id, user))
        member["permissions"] = str(
            self._permissions_for(guild_id, channel_id, user_id) if known else 0)
        channel = copy.deepcopy(self._channels.get(channel_id) or {
            "id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "unknown"})
        channel["permissions"] = member["permissions"]
        payload.update(
            guild_id=str(guild_id), guild={"id": str(guild_id), "locale": "en-US", "features": []},
            guild_locale="en-US", member=member, channel=channel, context=0,
            app_permissions=str(
                self._permissions_for(guild_id, channel_id, self.bot_user_id) if known else 0),
            authorizing_integration_owners={"0": str(guild_id)})
        return payload

    def dm_channel_id(self, user_id: int) -> int:
        """Id of the DM channel between the bot and a user (created on first use)."""
        return int(self._dm_channel_for(user_id)["id"])

    def _dm_channel_for(self, user_id: int) -> JSON:
        for channel in self._channels.values():
            if channel["type"] == ChannelType.DM and int(channel["recipients"][0]["id"]) == user_id:
                return channel
        channel = {"id": str(self._ids.next()), "type": ChannelType.DM, "last_message_id": None,
                   "flags": 0, "recipients": [copy.deepcopy(self._ensure_user(user_id))]}
        self._channels[int(channel["id"])] = channel
        return channel

    def _permissions_for(self, guild_id: int, channel_id: int | None, user_id: int) -> int:
        """Discord's permission algorithm for the roles Gavel's tests use: the owner and
        administrators hold everything, anyone else @everyone plus their roles (channel
        overwrites are not modelled)."""
        guild = self.guilds[guild_id]
        member = guild.members.get(user_id)
        if user_id == guild.owner_id:
            return PermissionBits.ALL
        if member is None:
            return 0
        perms = int(guild.roles[guild.id]["permissions"])
        for rid in member["roles"]:
            perms |= int(guild.roles.get(int(rid), {}).get("permissions", 0))
        return PermissionBits.ALL if perms & PermissionBits.ADMINISTRATOR else perms

    def _require(
        self, channel: JSON | None, guild_id: int | None, needed: int, *, any_of: bool = False
    ) -> None:
        if guild_id is None or guild_id not in self.guilds:
            return
        perms = self._permissions_for(guild_id, int(channel["id"]) if channel else None,
                                      self.bot_user_id)
        if not (bool(perms & needed) if any_of else (perms & needed) == needed):
            if channel is not None and not perms & PermissionBits.VIEW_CHANNEL:
                raise DiscordAPIError(403, 50001, "Missing Access")
            raise DiscordAPIError(403, 50013, "Missing Permissions")

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ REST plumbing

    def _add_routes(self, app: web.Application) -> None:
        """Routes named as in Discord's API description, so each request finds its schema."""
        app.router.add_get("/gateway", self._handle_gateway)
        app.router.add_get("/resume-gateway", self._handle_gateway)
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
             self._add_reaction),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback",
             self._interaction_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._create_followup),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands",
             self._put_commands),
            ("GET", "/guilds/{guild_id}/scheduled-events", self._list_events),
            ("POST", "/guilds/{guild_id}/scheduled-events", self._create_event),
            ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
             self._edit_event),
            ("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
             self._delete_event),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, _API + path, handler)
        app.router.add_route("*", "/{tail:.*}", self._unhandled)

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path in ("/gateway", "/resume-gateway"):
            return await handler(request)
        rec = RecordedRequest(method=request.method, path=_API_PREFIX.sub("", request.path),
                              query=dict(request.query), json=None, files=[],
                              headers=dict(request.headers), at=time.monotonic())
        request[_RECORD] = rec
        self.requests.append(rec)
        try:
            rec.json, rec.files = await self._read_body(request)
            if (self._needs_auth(rec.path)
                    and request.headers.get("Authorization") != f"Bot {self.token}"):
                response: web.StreamResponse = _json_response(
                    {"message": "401: Unauthorized", "code": 0}, 401)
            else:
                operation = self._operation(request)
                self._check_request(operation, rec)
                response = await handler(request)
                self._check_reply(operation, response)
        except DiscordAPIError as exc:
            response = _json_response(exc.body(), exc.status)
        except Exception as exc:  # a bug in the fake must be loud, not a hang in the client
            self.server_errors.append(f"{rec.method} {rec.path}: {exc!r}\n{traceback.format_exc()}")
            log.exception("FakeDiscord handler crashed on %s %s", rec.method, rec.path)
            # 400, not 5xx: discord.py retries 5xx with multi-second sleeps.
            response = _json_response(
                {"message": f"FakeDiscord internal error: {exc!r}", "code": 0}, 400)
        rec.status = response.status
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(ValueError, TypeError):
                rec.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    @staticmethod
    def _operation(request: web.Request) -> str:
        """``"POST /channels/{channel_id}/messages"``: the route as the API description names it."""
        route = request.match_info.route.resource
        path = route.canonical if route else ""
        return f"{request.method} {path.removeprefix('/api/v{version}')}"

    def _check_request(self, operation: str, rec: RecordedRequest) -> None:
        """Refuse a body Discord's API description refuses, with Discord's 50035 answer."""
        if rec.json is None:
            return
        error = spec_check.problem("discord", ("operations", operation, "request"), rec.json)
        if error is None:
            return
        path = list(error.absolute_path)
        if error.validator == "required":
            path.append(next(k for k in error.validator_value if k not in error.instance))
        code, template = _SPEC_ERRORS.get(str(error.validator), ("BASE_TYPE_INVALID", ""))
        message = template.format(error.validator_value) if template else error.message
        self.spec_problems.append(f"{operation} refused at {path}: {error.message[:300]}")
        raise _form_error(path, code, message)

    def _check_reply(self, operation: str, response: web.StreamResponse) -> None:
        if isinstance(response, web.Response) and response.body:
            keys = ("operations", operation, "responses", str(response.status))
            reply = json.loads(response.body)  # type: ignore[arg-type]
            if error := spec_check.problem("discord", keys, reply):
                self.spec_problems.append(f"{operation} reply breaks Discord's description at "
                                          f"{list(error.absolute_path)}: {error.message[:300]}")

    @staticmethod
    def _needs_auth(path: str) -> bool:
        # GET /gateway is public; interaction callbacks and webhooks are authorised by their token.
        return not (
            path == "/gateway" or path.startswith(("/interactions/", "/webhooks/", "/attachments/"))
        )

    async def _read_body(self, request: web.Request) -> tuple[Any, list[RecordedFile]]:
        if not request.body_exists:
            return None, []
        if not request.content_type.startswith("multipart/"):
            raw = await request.read()
            return (json.loads(raw) if raw else None), []
        payload: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader)  # Discord never nests multiparts
            data = bytes(await part.read())
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                files.append(RecordedFile(part.name or "", part.filename,
                                          part.headers.get("Content-Type"), data))
        return payload, files

    async def _unhandled(self, request: web.Request) -> web.StreamResponse:
        rec = request[_RECORD]
        self.unhandled_requests.append(rec)
        log.warning("FakeDiscord has no route for %s %s", rec.method, rec.path)
        return _json_response({"message": "404: Not Found", "code": 0}, 404)

    @staticmethod
    def _rec(request: web.Request) -> RecordedRequest:
        return request[_RECORD]

    @staticmethod
    def _int(request: web.Request, name: str) -> int:
        try:
            return int(request.match_info[name])
        except ValueError:
            raise _form_error([name], "NUMBER_TYPE_COERCE", "Value is not snowflake.") from None

    def _channel(self, channel_id: int) -> JSON:
        channel = self._channels.get(channel_id)
        if channel is None:
            raise _not_found(10003, "Channel")
        return channel

    def _guild(self, guild_id: int) -> FakeGuild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise _not_found(10004, "Guild")
        return guild

    def _stored_message(self, channel_id: int, message_id: int) -> JSON:
        msg = self._messages.get(message_id)
        if msg is None or message_id in self._deleted or int(msg["channel_id"]) != channel_id:
            raise _not_found(10008, "Message")
        return msg

    def _rest_message(self, msg: JSON) -> JSON:
        """A message as REST returns it (gateway-only fields removed)."""
        return {k: copy.deepcopy(v) for k, v in msg.items() if k not in ("member", "guild_id")}

    def _gateway_message(self, msg: JSON) -> JSON:
        """A message as MESSAGE_CREATE/UPDATE carries it (with guild_id and the author's member)."""
        data = copy.deepcopy(msg)
        gid = self._guild_of(int(msg["channel_id"]))
        if gid is not None:
            data["guild_id"] = str(gid)
            if not msg.get("webhook_id"):
                author = self._ensure_user(int(msg["author"]["id"]), msg["author"]["username"])
                data["member"] = self._member_without_user(self._ensure_member(gid, author))
        return data

    async def _echo(self, event: str, data: JSON) -> None:
        if self._sessions:
            await self._broadcast(event, data)

    # ------------------------------------------------------------------ REST: basics

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json_response(copy.deepcopy(self.bot_user) | {
            "verified": True, "mfa_enabled": False, "locale": "en-US", "premium_type": 0})

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(self._int(request, "user_id"))
        if user is None:
            raise _not_found(10013, "User")
        return _json_response(user)

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = self._rec(request).json or {}
        uid = int(body.get("recipient_id", 0))
        if uid not in self.users:
            raise _not_found(10013, "User")
        return _json_response(self._dm_channel_for(uid))

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json_response({
            "id": str(self.application_id), "name": self.bot_user["username"], "icon": None,
            "description": "", "summary": "", "bot": copy.deepcopy(self.bot_user),
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "flags": 0, "owner": copy.deepcopy(self.users[self.owner_user_id]), "team": None,
        })

    async def _get_channel(self, request: web.Request) -> web.Response:
        return _json_response(self._channel(self._int(request, "channel_id")))

    # ------------------------------------------------------------------ REST: messages

    def _validate_message(
        self, body: Mapping[str, Any], files: Sequence[RecordedFile], *, prefix: Sequence[str] = ()
    ) -> None:
        """Discord's limits its API description leaves out (field lengths, component limits
        and the rest are checked against the description by ``_check_request``)."""
        content = body.get("content")
        if content is not None and len(content) > 2000:  # bots get 2000, not the 4000 of Nitro
            raise _form_error([*prefix, "content"], "BASE_TYPE_MAX_LENGTH",
                              "Must be 2000 or fewer in length.")
        total = 0
        for embed in body.get("embeds") or []:
            total += sum(len(embed.get(key) or "") for key in ("title", "description"))
            total += sum(len(f.get("name") or "") + len(f.get("value") or "")
                         for f in embed.get("fields") or [])
            total += len((embed.get("footer") or {}).get("text") or "")
            total += len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            raise _form_error([*prefix, "embeds"], "MAX_EMBED_SIZE_EXCEEDED",
                              "Embed size exceeds maximum size of 6000")
        if any(len(upload.data) > ATTACHMENT_SIZE_LIMIT for upload in files):
            raise DiscordAPIError(413, 40005, "Request entity too large")

    @staticmethod
    def _is_empty(msg: Mapping[str, Any]) -> bool:
        return not ((msg.get("content") or "").strip() or msg.get("embeds")
                    or msg.get("attachments") or msg.get("components"))

    def _build_attachments(
        self, channel_id: int, body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> list[JSON]:
        """Attachments of a new message: ``attachments[].id`` n is the upload ``files[n]``."""
        specs = body.get("attachments") or [{"id": i} for i in range(len(files))]
        by_field = {f.field: f for f in files}
        result: list[JSON] = []
        for index, spec in enumerate(specs):
            sid = int(spec["id"])
            upload = by_field.get(f"files[{sid}]") or (files[sid] if sid < len(files) else None)
            if upload is None:
                raise _form_error(
                    ["attachments", index, "id"], "ATTACHMENT_NOT_FOUND", "Unknown attachment")
            aid = self._ids.next()
            filename = spec.get("filename") or upload.filename
            guessed = mimetypes.guess_type(filename)[0]
            ctype = (f"{guessed}; charset=utf-8" if guessed and guessed.startswith("text/")
                     else guessed) or upload.content_type or "application/octet-stream"
            url = f"{self.http_url}/attachments/{channel_id}/{aid}/{quote(filename)}"
            attachment: JSON = {"id": str(aid), "filename": filename, "size": len(upload.data),
                                "url": url, "proxy_url": url, "content_type": ctype}
            if spec.get("description"):
                attachment["description"] = spec["description"]
            self._attachments[aid] = upload
            result.append(attachment)
        return result

    def _new_message(
        self, channel_id: int, body: Mapping[str, Any], files: Sequence[RecordedFile], *,
        msg_type: int = 0, extra: Mapping[str, Any] | None = None,
    ) -> JSON:
        guild_id = self._guild_of(channel_id)
        msg = self._message_base(self._ids.next(), channel_id, guild_id, self.bot_user,
                                 body.get("content") or "")
        msg.update(type=msg_type, attachments=self._build_attachments(channel_id, body, files),
                   embeds=[dict(e, type=e.get("type", "rich")) for e in body.get("embeds") or []],
                   components=_numbered(body.get("components") or []),
                   tts=bool(body.get("tts", False)), flags=int(body.get("flags") or 0))
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        ref = body.get("message_reference")
        if ref:
            ref_id = int(ref["message_id"])
            referenced = self.message(ref_id)
            if referenced is None and ref.get("fail_if_not_exists", True):
                raise _form_error(
                    ["message_reference"], "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
            if msg_type == 0:
                msg["type"] = 19
            msg["message_reference"] = {
                "type": 0, "message_id": str(ref_id),
                "channel_id": str(ref.get("channel_id") or channel_id)}
            if guild_id is not None:
                msg["message_reference"]["guild_id"] = str(guild_id)
            msg["referenced_message"] = self._rest_message(referenced) if referenced else None
        if extra:
            msg.update(copy.deepcopy(dict(extra)))
        return msg

    async def _create_message(self, request: web.Request) -> web.Response:
        rec = self._rec(request)
        channel_id = self._int(request, "channel_id")
        channel = self._channel(channel_id)
        guild_id = self._guild_of(channel_id)
        if channel["type"] == ChannelType.CATEGORY:
            raise DiscordAPIError(400, 50008, "Cannot send messages in a non-text channel")
        self._require(channel, guild_id, PermissionBits.VIEW_CHANNEL | PermissionBits.SEND_MESSAGES
                      | (PermissionBits.ATTACH_FILES if rec.files else 0))
        self._validate_message(rec.json or {}, rec.files)
        msg = self._new_message(channel_id, rec.json or {}, rec.files)
        if self._is_empty(msg):
            raise DiscordAPIError(400, 50006, "Cannot send an empty message")
        self._store_message(msg)
        channel["last_message_id"] = msg["id"]
        await self._echo("MESSAGE_CREATE", self._gateway_message(msg))
        return _json_response(self._rest_message(msg))

    async def _add_reaction(self, request: web.Request) -> web.Response:
        channel_id = self._int(request, "channel_id")
        channel = self._channel(channel_id)
        msg = self._stored_message(channel_id, self._int(request, "message_id"))
        emoji = _emoji_from_path(request.match_info["emoji_name"])
        # Joining a reaction needs READ_MESSAGE_HISTORY; adding a new one ADD_REACTIONS too.
        first = not self._reaction_users.get((int(msg["id"]), _emoji_key(emoji)))
        self._require(channel, self._guild_of(channel_id),
                      PermissionBits.VIEW_CHANNEL | PermissionBits.READ_MESSAGE_HISTORY
                      | (PermissionBits.ADD_REACTIONS if first else 0))
        self._apply_reaction(int(msg["id"]), emoji, self.bot_user_id)
        return web.Response(status=204)

    # ------------------------------------------------------------------ REST: interactions

    def _interaction_message(
        self, record: InteractionRecord, body: Mapping[str, Any], files: Sequence[RecordedFile],
        *, prefix: Sequence[str] = (),
    ) -> JSON:
        """A message created by an interaction response or follow-up (authored by the app's bot)."""
        assert record.channel_id is not None, "Gavel's interactions all come from a channel"
        self._validate_message(body, files, prefix=prefix)
        user = copy.deepcopy(self.users[record.user_id])
        data = record.payload.get("data") or {}
        is_command = record.type == INTERACTION_APPLICATION_COMMAND
        metadata: JSON = {"id": str(record.id), "type": record.type, "user": user,
                          "authorizing_integration_owners": record.payload.get(
                              "authorizing_integration_owners", {})}
        if is_command:
            metadata.update(name=data.get("name"), command_type=data.get("type", 1))
        elif record.payload.get("message"):
            metadata["interacted_message_id"] = str(record.payload["message"]["id"])
        extra: JSON = {
            "webhook_id": str(self.application_id), "application_id": str(self.application_id),
            "interaction_metadata": metadata, "interaction": {
                "id": str(record.id), "type": record.type, "name": data.get("name", ""),
                "user": user}}
        self._channels.setdefault(record.channel_id, copy.deepcopy(record.payload["channel"]))
        msg_type = (20 if data.get("type", 1) == 1 else 23) if is_command else 0
        return self._new_message(record.channel_id, body, files, msg_type=msg_type, extra=extra)

    def _interaction_for_token(self, app_id: int, token: str) -> InteractionRecord:
        # The webhook does not exist until the interaction is acknowledged.
        record = next((r for r in self.interactions.values() if r.token == token), None)
        if app_id != self.application_id or record is None or record.callback_type is None:
            raise _not_found(10015, "Webhook")
        return record

    async def _publish(self, msg: JSON, *, created: bool) -> None:
        if not int(msg.get("flags", 0)) & MESSAGE_FLAG_EPHEMERAL:
            await self._echo("MESSAGE_CREATE" if created else "MESSAGE_UPDATE",
                             self._gateway_message(msg))

    async def _interaction_callback(self, request: web.Request) -> web.StreamResponse:
        rec = self._rec(request)
        iid = self._int(request, "interaction_id")
        token = request.match_info["interaction_token"]
        body = rec.json if isinstance(rec.json, dict) else {}
        record = self.interactions.get(iid)
        callback = InteractionCallback(
            interaction_id=iid, type=body.get("type"), data=body.get("data"),
            elapsed=(rec.at - record.dispatched_at) if record else None)
        self.interaction_callbacks.append(callback)
        try:
            response = await self._answer_callback(request, record, token, body, rec)
        except DiscordAPIError as exc:
            callback.status = exc.status
            raise
        callback.status = response.status
        return response

    async def _answer_callback(
        self, request: web.Request, record: InteractionRecord | None, token: str, body: JSON,
        rec: RecordedRequest,
    ) -> web.StreamResponse:
        if (record is None or record.token != token
                or record.id in self._expired
                or rec.at - record.dispatched_at > INTERACTION_WINDOW):
            raise DiscordAPIError(404, 10062, "Unknown interaction")
        if record.callback_type is not None:
            raise DiscordAPIError(400, 40060, "Interaction has already been acknowledged.")
        ctype = body.get("type")
        if not isinstance(ctype, int) or ctype not in _ALLOWED_CALLBACKS.get(record.type, set()):
            raise _form_error(
                ["type"], "INTERACTION_CALLBACK_TYPE_INVALID", "Invalid interaction callback type")
        if ctype not in (4, 5, 8):  # updates, modals and activities: Gavel sends none
            raise DiscordAPIError(400, 0, f"FakeDiscord does not serve callback type {ctype}")
        data = body.get("data") or {}
        message: JSON | None = None
        if ctype == 4:
            message = self._interaction_message(record, data, rec.files, prefix=["data"])
            if self._is_empty(message):
                raise DiscordAPIError(400, 50006, "Cannot send an empty message")
        elif ctype == 5:
            flags = MESSAGE_FLAG_LOADING | (int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
            message = self._interaction_message(record, {"content": "", "flags": flags}, [])
            record.loading = True
        record.callback_type = ctype
        # Discord's InteractionCallbackResponse: message fields only when there is a message,
        # a resource only for the callback type that creates one (4).
        answer: JSON = {"interaction": {"id": str(record.id), "type": record.type}}
        if message is not None:
            record.original_message_id = int(message["id"])
            self._store_message(message)
            await self._publish(message, created=True)
            answer["interaction"].update(
                response_message_id=message["id"], response_message_loading=ctype == 5,
                response_message_ephemeral=bool(int(message["flags"]) & MESSAGE_FLAG_EPHEMERAL))
            if ctype == 4:
                answer["resource"] = {"type": ctype, "message": self._rest_message(message)}
        if _truthy(request.query.get("with_response")):
            return _json_response(answer)
        return web.Response(status=204)

    async def _create_followup(self, request: web.Request) -> web.StreamResponse:
        rec = self._rec(request)
        record = self._interaction_for_token(
            self._int(request, "webhook_id"), request.match_info["webhook_token"])
        body = rec.json or {}
        if record.loading and record.original_message_id is not None:
            # The first follow-up after a "thinking" defer replaces the loading message.
            original = self._messages[record.original_message_id]
            msg = self._interaction_message(record, body, rec.files)
            msg.update(id=original["id"], timestamp=original["timestamp"],
                       flags=int(original["flags"]) & MESSAGE_FLAG_EPHEMERAL)
            created = record.loading = False
        else:
            msg = self._interaction_message(record, body, rec.files)
            record.followup_message_ids.append(int(msg["id"]))
            created = True
        if self._is_empty(msg):
            raise DiscordAPIError(400, 50006, "Cannot send an empty message")
        self._store_message(msg)
        await self._publish(msg, created=created)
        if _truthy(request.query.get("wait")):
            return _json_response(self._rest_message(msg))
        return web.Response(status=204)

    # ------------------------------------------------------------------ REST: commands

    def _command_store(self, request: web.Request) -> tuple[dict[int, JSON], int | None]:
        if self._int(request, "application_id") != self.application_id:
            raise DiscordAPIError(403, 50001, "Missing Access")
        if "guild_id" not in request.match_info:
            return self.global_commands, None
        guild_id = self._int(request, "guild_id")
        self._guild(guild_id)
        return self.guild_commands.setdefault(guild_id, {}), guild_id

    def _validate_command(self, spec: Mapping[str, Any], path: list[str | int]) -> None:
        """Discord's naming and ordering rules its API description leaves out (lengths and
        counts, 25 subcommands included, are checked against the description)."""
        name = spec.get("name")
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or name != name.lower():
            raise _form_error([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME",
                              "Command name is invalid")
        if not spec.get("description"):
            raise _form_error([*path, "description"], "BASE_TYPE_BAD_LENGTH",
                              "Must be between 1 and 100 in length.")
        options = spec.get("options") or []
        for i, option in enumerate(options):
            self._validate_command(option, [*path, "options", i])
            if option["name"] in (o["name"] for o in options[:i]):
                raise _form_error([*path, "options", i, "name"],
                                  "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                                  "Option names must be unique")
            if option.get("required") and any(not o.get("required") and o.get("type") not in (1, 2)
                                              for o in options[:i]):
                raise _form_error([*path, "options", i, "required"],
                                  "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                  "Required options must be placed before non-required options")

    def _command_object(
        self, spec: Mapping[str, Any], guild_id: int | None, command_id: int
    ) -> JSON:
        command: JSON = {
            "name_localizations": None, "description_localizations": None, "options": [],
            "default_member_permissions": None, "nsfw": False, "integration_types": [0],
            "contexts": None, **{k: copy.deepcopy(v) for k, v in spec.items() if v is not None},
            "id": str(command_id),
            "application_id": str(self.application_id), "version": str(self._ids.next()),
            "type": int(spec.get("type", 1))}
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    async def _put_commands(self, request: web.Request) -> web.Response:
        store, guild_id = self._command_store(request)
        specs = self._rec(request).json
        if not isinstance(specs, list):
            raise _form_error([], "BASE_TYPE_ARRAY", "Must be an array.")
        seen: set[tuple[str, int]] = set()
        for i, spec in enumerate(specs):
            self._validate_command(spec, [i])
            key = (spec["name"], int(spec.get("type", 1)))
            if key in seen:
                raise _form_error([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                  "Application command names must be unique")
            seen.add(key)
        existing = {(c["name"], c["type"]): cid for cid, c in store.items()}
        new = {}
        for spec in specs:
            cid = existing.get((spec["name"], int(spec.get("type", 1)))) or self._ids.next()
            new[cid] = self._command_object(spec, guild_id, cid)
        store.clear()
        store.update(new)
        return _json_response(list(store.values()))

    # ------------------------------------------------------------------ REST: scheduled events

    def _event_from(self, guild: FakeGuild, body: Mapping[str, Any], base: JSON | None) -> JSON:
        """The new event object, after the rules Discord applies beyond its API description
        (which ``_check_request`` holds the body to: lengths, required fields, privacy)."""
        event: JSON = copy.deepcopy(base) if base else {"privacy_level": 2}
        event.update({k: copy.deepcopy(v) for k, v in body.items() if k in _EVENT_FIELDS})
        start = _parse_time(event.get("scheduled_start_time"), ["scheduled_start_time"])
        status = int(event.get("status") or 1)
        start_changed = base is None or body.get("scheduled_start_time") not in (
            None, base.get("scheduled_start_time"))
        if status == 1 and start_changed and start < datetime.now(UTC):
            raise _form_error(["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                              "Cannot schedule event in the past.")
        end = None
        if event.get("scheduled_end_time") is not None:
            end = _parse_time(event["scheduled_end_time"], ["scheduled_end_time"])
            if end <= start:
                raise _form_error(["scheduled_end_time"], "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                                  "Cannot schedule event to end before starting.")
        if int(event["entity_type"]) != 3:  # Gavel's events are external (a call link)
            raise DiscordAPIError(400, 0, "FakeDiscord serves external events only")
        if not (event.get("entity_metadata") or {}).get("location"):
            raise _form_error(["entity_metadata", "location"], "BASE_TYPE_REQUIRED",
                              "This field is required")
        if end is None:
            raise _form_error(["scheduled_end_time"], "BASE_TYPE_REQUIRED",
                              "This field is required")
        event["channel_id"] = None
        event["status"] = status
        return event

    async def _create_event(self, request: web.Request) -> web.Response:
        guild = self._guild(self._int(request, "guild_id"))
        self._require(None, guild.id, PermissionBits.MANAGE_EVENTS | PermissionBits.CREATE_EVENTS,
                      any_of=True)
        event = self._event_from(guild, self._rec(request).json or {}, None)
        event = {"description": None, "scheduled_end_time": None, "recurrence_rule": None,
                 **event, "id": str(self._ids.next()), "guild_id": str(guild.id),
                 "creator_id": str(self.bot_user_id), "creator": copy.deepcopy(self.bot_user),
                 "entity_id": None, "image": None, "user_count": 0,
                 "guild_scheduled_event_exceptions": []}
        guild.scheduled_events[int(event["id"])] = event
        await self._echo("GUILD_SCHEDULED_EVENT_CREATE", copy.deepcopy(event))
        return _json_response(event)

    def _event(self, request: web.Request) -> tuple[FakeGuild, JSON]:
        guild = self._guild(self._int(request, "guild_id"))
        event = guild.scheduled_events.get(self._int(request, "guild_scheduled_event_id"))
        if event is None:
            raise _not_found(10070, "Guild Scheduled Event")
        creator_ok = int(event.get("creator_id") or 0) == self.bot_user_id
        needed = PermissionBits.MANAGE_EVENTS | (PermissionBits.CREATE_EVENTS if creator_ok else 0)
        if request.method != "GET":
            self._require(None, guild.id, needed, any_of=True)
        return guild, event

    @staticmethod
    def _event_out(event: JSON, request: web.Request) -> JSON:
        if _truthy(request.query.get("with_user_count")):
            return copy.deepcopy(event)
        return {k: copy.deepcopy(v) for k, v in event.items() if k != "user_count"}

    async def _list_events(self, request: web.Request) -> web.Response:
        guild = self._guild(self._int(request, "guild_id"))
        events = guild.scheduled_events.values()
        return _json_response([self._event_out(e, request) for e in events])

    async def _edit_event(self, request: web.Request) -> web.Response:
        guild, event = self._event(request)
        updated = self._event_from(guild, self._rec(request).json or {}, event)
        guild.scheduled_events[int(event["id"])] = updated
        await self._echo("GUILD_SCHEDULED_EVENT_UPDATE", copy.deepcopy(updated))
        return _json_response(updated)

    async def _delete_event(self, request: web.Request) -> web.Response:
        guild, event = self._event(request)
        del guild.scheduled_events[int(event["id"])]
        await self._echo("GUILD_SCHEDULED_EVENT_DELETE", copy.deepcopy(event))
        return web.Response(status=204)
