"""Voice and stage channels -> PRESENCE events for the meeting channels they serve.

A group's Discord binding may name a voice (or stage) channel: joins and leaves there
become ``join``/``leave`` events, and ``reconcile`` (at a meeting's start, after a
reconnect) a ``roll`` of everyone in the call. What that means for attendance is the
core's rule (``bot.commands.attendance.presence``); this module only translates.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from adapters.discord.events import PLATFORM, display_name
from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.events import Author, Event, EventKind, Place

log = logging.getLogger("gavel.discord.voice")


@dataclass(frozen=True, slots=True)
class VoiceBinding:
    """A meeting channel (``place``) and the voice channel whose people attend it."""

    place: Place
    voice_channel: str  # an id, or a channel name


def bindings(settings: Settings, guild_id: int) -> list[VoiceBinding]:
    found = []
    for group in settings.groups:
        for binding in group.channels:
            if (binding.platform == PLATFORM and binding.voice_channel
                    and binding.workspace in ("", str(guild_id))):
                found.append(VoiceBinding(Place(PLATFORM, binding.channel, str(guild_id)),
                                          binding.voice_channel))
    return found


def _matches(binding: VoiceBinding, channel: discord.abc.GuildChannel) -> bool:
    wanted = binding.voice_channel.lstrip("#")
    return wanted == str(channel.id) or wanted.casefold() == channel.name.casefold()


def places_for_voice(settings: Settings, channel: discord.abc.GuildChannel) -> list[Place]:
    """The meeting channels whose attendance this voice channel counts for."""
    return [b.place for b in bindings(settings, channel.guild.id) if _matches(b, channel)]


def voice_channel_for(settings: Settings, guild: discord.Guild,
                      place: Place) -> discord.VoiceChannel | discord.StageChannel | None:
    for binding in bindings(settings, guild.id):
        if binding.place.channel != place.channel:
            continue
        channels: list[discord.VoiceChannel | discord.StageChannel] = [
            *guild.voice_channels, *guild.stage_channels]
        for channel in channels:
            if _matches(binding, channel):
                return channel
    return None


def people_in(channel: discord.VoiceChannel | discord.StageChannel) -> dict[str, str]:
    """user id -> name of everyone connected (bots excluded)."""
    people: dict[str, str] = {}
    for user_id in channel.voice_states:
        member = channel.guild.get_member(user_id)
        if member is not None and member.bot:
            continue
        people[str(user_id)] = display_name(member) if member is not None else str(user_id)
    return people


class VoiceAttendance:
    """Follows VOICE_STATE_UPDATE for the configured meeting voice channels."""

    def __init__(self, bot: MeetingBot, settings: Settings) -> None:
        self.bot = bot
        self.settings = settings
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()

    def observe(self, member: discord.Member, before: discord.VoiceState,
                after: discord.VoiceState) -> None:
        """Called synchronously as discord.py parses VOICE_STATE_UPDATE.

        discord.py mutates the cached VoiceState on the next update, possibly before an
        ``on_voice_state_update`` task runs (a quick join-then-leave would read "nowhere
        to nowhere"); so the move is read here, at parse time, and applied in order.
        """
        left_channel, joined_channel = before.channel, after.channel
        if member.bot or left_channel == joined_channel:
            return  # mute, deafen, video: not a move
        leaving = places_for_voice(self.settings, left_channel) if left_channel else []
        joining = places_for_voice(self.settings, joined_channel) if joined_channel else []
        if not leaving and not joining:
            return
        who = Author(str(member.id), display_name(member))
        task = asyncio.create_task(self._apply(who, leaving, joining, datetime.now(UTC)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _apply(self, who: Author, leaving: list[Place], joining: list[Place],
                     at: datetime) -> None:
        # One at a time, in arrival order: a quick join-then-leave must end as "left".
        moves = [*(("leave", p) for p in leaving), *(("join", p) for p in joining)]
        async with self._lock:
            try:
                for action, place in moves:
                    await asyncio.to_thread(self.bot.handle, Event(
                        EventKind.PRESENCE, place, who, at, action=action))
            except Exception:  # a database blip must not lose the move without a word
                log.exception("could not record %s's voice move; the next reconcile "
                              "(meeting start or reconnect) catches up", who.name)

    async def drain(self) -> None:
        """Wait for the moves already seen (at shutdown)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def reconcile(self, guild: discord.Guild, place: Place) -> None:
        """Attendance agrees with who is in the call now (a roll of everyone there)."""
        channel = voice_channel_for(self.settings, guild, place)
        if channel is None:
            return
        roll = Event(EventKind.PRESENCE, place, Author("", ""), datetime.now(UTC),
                     action="roll", mentions=people_in(channel))
        async with self._lock:
            await asyncio.to_thread(self.bot.handle, roll)
