"""Attendance from voice and stage channels.

A group's Discord binding may name a voice (or stage) channel: while a meeting runs in
the bound text channel, whoever is in that voice channel is present (``how="voice"``),
with join and leave times kept. People already in voice when the meeting starts, or
who joined while the bot was offline, are picked up by ``reconcile``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from adapters.discord.events import PLATFORM, display_name
from bot.config import Settings
from bot.events import Place
from bot.store import Database, Store

HOW = "voice"
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


# -- the store side (sync: run with asyncio.to_thread) -------------------------------------


def _person_id(store: Store, user_id: str, name: str) -> int:
    """A remembered person keeps the name they gave (``#here Rafael Gonzaga``)."""
    known = store.person(PLATFORM, user_id)
    return known.id if known is not None else store.save_person(PLATFORM, user_id, name).id


def record_join(database: Database, place: Place, user_id: str, name: str,
                at: datetime) -> bool:
    with database.transaction() as store:
        meeting = store.running_meeting(place)
        if meeting is None:
            return False
        return store.mark_attendance(meeting.id, _person_id(store, user_id, name), "present",
                                     HOW, at)


def record_leave(database: Database, place: Place, user_id: str, at: datetime) -> bool:
    """Someone present through voice left the call (presence by ``#here`` stays)."""
    with database.transaction() as store:
        meeting = store.running_meeting(place)
        if meeting is None:
            return False
        for row in store.attendance(meeting.id):
            if row.person.user_id == user_id and row.how == HOW and row.left_at is None:
                store.mark_left(meeting.id, row.person.id, at)
                return True
        return False


def reconcile(database: Database, place: Place, in_voice: Mapping[str, str],
              at: datetime) -> tuple[int, int]:
    """Make attendance agree with who is in voice now; (joined, left) counts."""
    joined = left = 0
    with database.transaction() as store:
        meeting = store.running_meeting(place)
        if meeting is None:
            return 0, 0
        for user_id, name in in_voice.items():
            if store.mark_attendance(meeting.id, _person_id(store, user_id, name), "present",
                                     HOW, at):
                joined += 1
        for row in store.attendance(meeting.id):
            if (row.how == HOW and row.left_at is None
                    and row.person.user_id not in in_voice):
                store.mark_left(meeting.id, row.person.id, at)
                left += 1
    return joined, left


class VoiceAttendance:
    """Follows VOICE_STATE_UPDATE for the configured meeting voice channels."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
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
        task = asyncio.create_task(self._apply(str(member.id), display_name(member), leaving,
                                               joining, datetime.now(UTC)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _apply(self, user_id: str, name: str, leaving: list[Place], joining: list[Place],
                     at: datetime) -> None:
        # One at a time, in arrival order: a quick join-then-leave must end as "left".
        async with self._lock:
            try:
                for place in leaving:
                    await asyncio.to_thread(record_leave, self.database, place, user_id, at)
                for place in joining:
                    await asyncio.to_thread(record_join, self.database, place, user_id, name,
                                            at)
            except Exception:  # a database blip must not lose the move without a word
                log.exception("could not record %s's voice move; the next reconcile "
                              "(meeting start or reconnect) catches up", name)

    async def drain(self) -> None:
        """Wait for the moves already seen (at shutdown)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def reconcile(self, guild: discord.Guild, place: Place) -> tuple[int, int]:
        channel = voice_channel_for(self.settings, guild, place)
        if channel is None:
            return 0, 0
        async with self._lock:
            return await asyncio.to_thread(reconcile, self.database, place,
                                           people_in(channel), datetime.now(UTC))
