"""DiscordService: the discord.py client run for the core (start/stop/deliver).

Order and duplicates: each channel's events go through the core one at a time, in the
order Discord sent them (an asyncio lock per channel, FIFO), and a message is handled at
most once even if a gateway resume, a reconnect or a second worker delivers it again
(``Store.claim_event("discord:msg:<id>")``).

The core is synchronous (one DB transaction per event); it runs in a worker thread
(``asyncio.to_thread``) so the gateway's heartbeat never waits on the database. An
interaction is answered directly when the core is quick, and deferred first when it is
not, well inside Discord's 3 s window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import web

from adapters.discord import events as ev
from adapters.discord.client import GavelClient, sync_commands
from adapters.discord.render import (
    NO_MENTIONS,
    Outgoing,
    chunks,
    reaction_for,
    render_buttons,
    render_post,
)
from adapters.discord.scheduled import Occurrence, SyncReport, sync_scheduled_events
from adapters.discord.voice import VoiceAttendance
from bot.app import Core
from bot.config import Group
from bot.effects import Acknowledge, Effect, Post, PrivateReply, Purpose
from bot.events import Event, Place
from bot.ports import AgendaEntry, AgendaSource

log = logging.getLogger("gavel.discord")

SLASH_ONLY_NOTICE = (
    "Slash-only mode: this bot cannot read channel messages here (the Message Content "
    "intent is not enabled for it), so # lines and scribe lines are not seen. Use "
    "/meeting note, /meeting action, /meeting agreed, /meeting topic and /meeting here.")
MESSAGE_MODE_NOTICE = (
    "On Discord: use /meeting commands, or # lines (#info, #action, #topic, ...) in the "
    "meeting's channel.")
AGENDA_CACHE_SECONDS = 300.0
AUTOCOMPLETE_BUDGET = 2.0  # seconds; Discord drops autocomplete answers after 3 s


class DiscordService:
    platform = "discord"

    def __init__(self, core: Core, web_app: web.Application | None = None, *,
                 token: str | None = None, defer_after: float = 2.0,
                 ready_timeout: float = 60.0, client_options: dict[str, Any] | None = None
                 ) -> None:
        self.core = core
        self.web_app = web_app
        self.token = token if token is not None else core.secrets.discord_token
        self.defer_after = defer_after
        self.ready_timeout = ready_timeout
        self.client_options = client_options or {}
        self.slash_only = not core.settings.discord.message_content
        self.voice = VoiceAttendance(core.bot, core.settings)
        self.client: GavelClient | None = None
        self.task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self._locks: dict[Place, asyncio.Lock] = {}
        self._agenda_cache: dict[str, tuple[float, list[AgendaEntry]]] = {}
        self._agenda_refresh: dict[str, asyncio.Future[None]] = {}
        self.stopping = False
        # Called when the client dies after it was ready (serve() stops the process then,
        # so a supervisor restarts it).
        self.on_failure: Callable[[], None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect; fall back to slash-only mode if message content is not granted."""
        if not self.token:
            raise RuntimeError("DISCORD_TOKEN is not set: the Discord adapter cannot start")
        try:
            await self._connect(message_content=not self.slash_only)
        except discord.PrivilegedIntentsRequired:
            log.warning("Discord refused the Message Content intent (enable it under Bot -> "
                        "Privileged Gateway Intents in the developer portal); retrying "
                        "without it")
            self.slash_only = True
            await self._connect(message_content=False)
        log.warning("Discord adapter running: %s", self.mode_notice())

    async def _connect(self, *, message_content: bool) -> None:
        self.ready = asyncio.Event()
        self.client = GavelClient(self, self.core.settings.discord,
                                  message_content=message_content, **self.client_options)
        self.task = asyncio.create_task(self.client.start(self.token), name="discord-client")
        self.task.add_done_callback(self._client_ended)
        waiter = asyncio.create_task(self.ready.wait())
        done, _ = await asyncio.wait({self.task, waiter}, timeout=self.ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
        if self.task in done:
            await self.client.close()
            self.task.result()  # raises what ended the client (bad token, intents...)
            raise RuntimeError("the Discord client stopped before it was ready")
        if waiter not in done:
            log.warning("Discord not ready after %.0f s; still connecting in the background",
                        self.ready_timeout)

    def _client_ended(self, task: asyncio.Task[None]) -> None:
        """A client that dies after start (token reset, intents revoked) must be heard of:
        the process would otherwise run on, deaf to Discord, with a green health check."""
        if task.cancelled() or self.stopping or not self.ready.is_set():
            return  # stopping, or failing to connect (start() reports that itself)
        error = task.exception()
        log.error("the Discord client stopped: %r; Gavel no longer hears Discord",
                  error or "closed")
        if self.on_failure is not None:
            self.on_failure()

    async def stop(self) -> None:
        self.stopping = True
        if self.client is not None:
            await self.client.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)
        await self.voice.drain()

    def mode_notice(self) -> str:
        return SLASH_ONLY_NOTICE if self.slash_only else MESSAGE_MODE_NOTICE

    def _client(self) -> GavelClient:
        if self.client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self.client

    async def on_ready(self) -> None:
        client = self._client()
        await sync_commands(client, self.core.database, client.guilds)
        await self._reconcile_voice()
        self.ready.set()

    async def _reconcile_voice(self) -> None:
        """Voice moves missed while offline: attendance follows who is in voice now."""
        client = self._client()
        for place in await asyncio.to_thread(self.core.bot.running_places, self.platform):
            guild = client.get_guild(int(place.workspace)) if place.workspace.isdigit() else None
            if guild is not None:
                await self.voice.reconcile(guild, place)

    def _lock(self, place: Place) -> asyncio.Lock:
        lock = self._locks.get(place)
        if lock is None:
            lock = self._locks[place] = asyncio.Lock()
        return lock

    # -- messages ------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        client = self._client()
        if (self.slash_only or message.guild is None or message.author.bot
                or (client.user is not None and message.author.id == client.user.id)
                or message.type not in (discord.MessageType.default,
                                        discord.MessageType.reply)):
            return
        event = ev.message_event(message)
        async with self._lock(event.place):
            # Claimed in the same transaction as the note it makes: a gateway replay of the
            # message is dropped, and a crash before the commit claims nothing.
            effects = await asyncio.to_thread(self.core.bot.handle, event,
                                              f"discord:msg:{event.message_id}")
        if effects:
            await self._after(event.place, effects, message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        client = self._client()
        channel = client.get_channel(payload.channel_id)
        event = ev.edit_event(payload, channel)
        if (event is None or self.slash_only or event.author.is_bot
                or payload.guild_id is None):
            return
        async with self._lock(event.place):
            effects = await asyncio.to_thread(self.core.bot.handle, event)
        source = channel.get_partial_message(payload.message_id) if isinstance(
            channel, discord.TextChannel | discord.Thread) else None
        await self._after(event.place, effects, source)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        channel = self._client().get_channel(payload.channel_id)
        event = ev.delete_event(payload, channel)
        async with self._lock(event.place):
            effects = await asyncio.to_thread(self.core.bot.handle, event)
        await self._after(event.place, effects, None)

    async def _after(self, place: Place, effects: list[Effect],
                     source: discord.Message | discord.PartialMessage | None) -> None:
        """Post what the core said about a chat line (replies go under the line)."""
        for effect in effects:
            if isinstance(effect, PrivateReply) and source is not None:
                # No ephemeral messages outside interactions: answer under the line.
                for piece in chunks(effect.text):
                    await source.reply(piece, mention_author=False,
                                       allowed_mentions=NO_MENTIONS)
            elif isinstance(effect, Acknowledge) and source is not None:
                await source.add_reaction(reaction_for(effect.emoji))
            else:
                await self.deliver([effect])
        await self._after_start(place, effects)

    async def _after_start(self, place: Place, effects: Sequence[Effect]) -> None:
        """People already in the meeting's voice channel count from the start."""
        if any(isinstance(e, Post) and e.purpose == Purpose.START for e in effects):
            guild = self._client().get_guild(int(place.workspace or 0))
            if guild is not None:
                await self.voice.reconcile(guild, place)

    # -- interactions ----------------------------------------------------------------------

    async def run_command(self, interaction: discord.Interaction, name: str,
                          options: dict[str, str], mentions: dict[str, str]) -> None:
        await self._answer(interaction, ev.command_event(interaction, name, options, mentions))

    async def on_button(self, interaction: discord.Interaction, action: str) -> None:
        await self._answer(interaction, ev.button_event(interaction, action))

    async def _answer(self, interaction: discord.Interaction, event: Event) -> None:
        work = asyncio.ensure_future(self._handle_in_order(event))
        deferred = False
        try:
            effects = await asyncio.wait_for(asyncio.shield(work), self.defer_after)
        except TimeoutError:
            try:
                await interaction.response.defer(ephemeral=True, thinking=True)
                deferred = True
            except discord.HTTPException as exc:
                # The interaction expired under load. The work still lands; what everyone
                # should see goes to the channel (a private answer has nowhere to go).
                log.warning("could not defer /meeting %s (%s); posting to the channel",
                            event.text.split(" ", 1)[0], exc)
                effects = await work
                await self.deliver([e for e in effects if isinstance(e, Post)])
                await self._after_start(event.place, effects)
                return
            effects = await work
        if event.text.split(" ", 1)[0] == "help":
            effects = [PrivateReply(e.place, e.user_id, f"{e.text}\n\n{self.mode_notice()}")
                       if isinstance(e, PrivateReply) else e for e in effects]
        await self._respond(interaction, event, effects, deferred)
        await self._after_start(event.place, effects)

    async def _handle_in_order(self, event: Event) -> list[Effect]:
        async with self._lock(event.place):
            return await asyncio.to_thread(self.core.bot.handle, event)

    async def _respond(self, interaction: discord.Interaction, event: Event,
                       effects: list[Effect], deferred: bool) -> None:
        """The first answer is the interaction's response; the rest are follow-ups.

        After a (private) defer, public posts go to the channel, since a follow-up would
        inherit the deferred message's privacy.
        """
        answers: list[tuple[Outgoing, bool]] = []
        for effect in effects:
            if isinstance(effect, PrivateReply):
                pieces = chunks(effect.text)
                answers.extend((Outgoing(content=p), True) for p in pieces[:-1])
                # Its buttons (a Done per action listed) go under its last piece.
                view = render_buttons(effect.buttons) if effect.buttons else None
                answers.append((Outgoing(content=pieces[-1], view=view), True))
            elif isinstance(effect, Post):
                if deferred or effect.place != event.place or effect.thread_id:
                    await self.deliver([effect])
                    continue
                out = render_post(effect, notice=self._notice_for(effect))
                answers.append((out, False))
                answers.extend((Outgoing(content=p), False) for p in out.extra)
        if not answers and (deferred or not interaction.response.is_done()):
            answers.append((Outgoing(content="Done."), True))
        for out, private in answers:
            if interaction.response.is_done():
                await interaction.followup.send(ephemeral=private, **out.kwargs())
            else:
                await interaction.response.send_message(ephemeral=private, **out.kwargs())

    def _notice_for(self, post: Post) -> str:
        return SLASH_ONLY_NOTICE if self.slash_only and post.purpose == Purpose.START else ""

    # -- autocomplete ----------------------------------------------------------------------

    async def suggestions(self, source: str, interaction: discord.Interaction
                          ) -> list[tuple[str, str]]:
        """(label, value) pairs from a table option's ``autocomplete`` source."""
        if source == "topics":
            return await self.topic_suggestions(interaction)
        if source == "agenda":
            return await self.agenda_suggestions(interaction)
        raise ValueError(f"no autocomplete source {source!r}")

    async def topic_suggestions(self, interaction: discord.Interaction) -> list[tuple[str, str]]:
        """(label, value) for ``/meeting topic``: the running meeting's agenda, sections."""
        place, _ = ev.interaction_place(interaction)

        def read() -> list[tuple[str, str]]:
            with self.core.database.reading() as store:
                meeting = store.running_meeting(place)
                items = store.agenda(meeting.id) if meeting is not None else []
            found = []
            for n, item in enumerate(items, 1):
                label = f"{n}. {item.title}" + (f" ({item.reference})" if item.reference else "")
                found.append((label, str(n)))
            return [*found, ("Announcements", "announcements"), ("Q&A, Other", "qa"),
                    ("Upcoming Meetings", "upcoming")]

        return await asyncio.to_thread(read)

    async def agenda_suggestions(self, interaction: discord.Interaction
                                 ) -> list[tuple[str, str]]:
        """(label, value) for ``/meeting add``: the group's GitHub agenda, minus what the
        running meeting already has. GitHub is asked at most every 5 minutes per group."""
        source = self.core.bot.agenda_source
        place, _ = ev.interaction_place(interaction)
        group = self.core.settings.group_for_channel(place.platform, place.workspace,
                                                     place.channel)

        def on_agenda() -> set[str]:
            with self.core.database.reading() as store:
                meeting = store.running_meeting(place)
                items = store.agenda(meeting.id) if meeting is not None else []
            return {i.reference for i in items if i.reference}

        taken = await asyncio.to_thread(on_agenda)
        if source is None:
            return []
        cached = self._agenda_cache.get(group.name)
        if cached is None or time.monotonic() - cached[0] > AGENDA_CACHE_SECONDS:
            refresh = self._agenda_refresh.get(group.name)
            if refresh is None or refresh.done():
                # One fetch per group at a time, kept whether or not this keystroke waits
                # for it: a slow GitHub must not get a new search per keystroke.
                refresh = asyncio.ensure_future(self._refresh_agenda(source, group))
                self._agenda_refresh[group.name] = refresh
            try:
                await asyncio.wait_for(asyncio.shield(refresh), AUTOCOMPLETE_BUDGET)
            except Exception as exc:  # GitHub slow or down: stale or no suggestions
                log.warning("agenda suggestions for %s not fresh: %r", group.name, exc)
            cached = self._agenda_cache.get(group.name)
            if cached is None:
                return []
        return [(f"{e.repo}#{e.number} {e.title}", f"{e.repo}#{e.number} {e.title}")
                for e in cached[1] if f"{e.repo}#{e.number}" not in taken]

    async def _refresh_agenda(self, source: AgendaSource, group: Group) -> None:
        entries = await asyncio.to_thread(source.agenda_for, group)
        self._agenda_cache[group.name] = (time.monotonic(), entries)

    # -- unprompted posts (reminders, publishing) -----------------------------------------

    async def deliver(self, effects: list[Effect]) -> None:
        """Post effects on Discord; raises on failure so the caller can retry."""
        client = self._client()
        for effect in effects:
            if isinstance(effect, Post):
                channel = await self._channel(int(effect.thread_id or effect.place.channel))
                out = render_post(effect, notice=self._notice_for(effect))
                await channel.send(**out.kwargs())
                for piece in out.extra:
                    await channel.send(piece, allowed_mentions=NO_MENTIONS)
            elif isinstance(effect, PrivateReply):
                user = client.get_user(int(effect.user_id)) or await client.fetch_user(
                    int(effect.user_id))
                for piece in chunks(effect.text):
                    await user.send(piece, allowed_mentions=NO_MENTIONS)
            elif isinstance(effect, Acknowledge):
                channel = await self._channel(int(effect.place.channel))
                await channel.get_partial_message(int(effect.message_id)).add_reaction(
                    reaction_for(effect.emoji))
            # SetTopic: the "Topic: ..." post says it; editing channel topics would need
            # Manage Channels, which Gavel does not ask for.

    async def _channel(self, channel_id: int) -> Any:
        client = self._client()
        channel = client.get_channel(channel_id)
        if channel is None:
            channel = await client.fetch_channel(channel_id)
        return channel

    # -- scheduled events -----------------------------------------------------------------

    async def sync_schedule(self, group_name: str, occurrences: Sequence[Occurrence], *,
                            description: str = "", now: datetime | None = None
                            ) -> dict[int, SyncReport]:
        """Mirror a group's coming meetings as guild scheduled events, in every guild the
        group is bound to (``[discord] scheduled_events = true``; off: nothing)."""
        if not self.core.settings.discord.scheduled_events:
            return {}
        group = self.core.settings.group_named(group_name)
        if group is None:
            raise ValueError(f"no group named {group_name!r}")
        client = self._client()
        reports = {}
        guild_ids = {b.workspace for b in group.channels
                     if b.platform == self.platform and b.workspace.isdigit()}
        for guild_id in sorted(guild_ids):
            guild = client.get_guild(int(guild_id))
            if guild is None:
                log.warning("group %s is bound to guild %s, which the bot is not in",
                            group_name, guild_id)
                continue
            reports[guild.id] = await sync_scheduled_events(
                guild, group.name, occurrences, self.core.database,
                description=description, now=now or datetime.now(UTC))
        return reports

