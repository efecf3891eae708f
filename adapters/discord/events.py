"""Discord payloads -> ``bot.events.Event``.

A Discord place is the guild (``workspace``) and the text channel; a message in a thread
belongs to the thread's parent channel, with the thread as ``thread_id``, so a meeting
running in a channel also hears its threads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from bot.events import Author, Event, EventKind, Place

PLATFORM = "discord"


def place_of(channel: Any, guild_id: int | None) -> tuple[Place, str]:
    """(place, thread id) of a channel; threads map onto their parent channel."""
    thread_id = ""
    channel_id = getattr(channel, "id", channel)
    if isinstance(channel, discord.Thread) and channel.parent_id:
        thread_id = str(channel.id)
        channel_id = channel.parent_id
    return Place(PLATFORM, str(channel_id), str(guild_id or "")), thread_id


def display_name(user: discord.abc.User | discord.Member) -> str:
    """What people call them in this guild: nickname, global name, then username."""
    return user.display_name or user.name


def author_of(user: discord.abc.User | discord.Member) -> Author:
    return Author(str(user.id), display_name(user), bool(getattr(user, "bot", False)))


def mentions_of(users: Any) -> dict[str, str]:
    return {str(u.id): display_name(u) for u in users}


def message_event(message: discord.Message) -> Event:
    """A chat line; its ``<@id>`` mentions are listed with the names people see."""
    place, thread_id = place_of(message.channel, message.guild.id if message.guild else None)
    return Event(
        EventKind.MESSAGE,
        place,
        author_of(message.author),
        message.created_at.astimezone(UTC),
        text=message.content,
        message_id=str(message.id),
        thread_id=thread_id,
        mentions=mentions_of(message.mentions),
    )


def edit_event(payload: discord.RawMessageUpdateEvent, channel: Any) -> Event | None:
    """An edited line (raw: works for messages no longer in the cache)."""
    data = payload.data
    author = data.get("author")
    if author is None or "content" not in data:
        return None  # an embed-only update (link previews), not an edit by a person
    place, thread_id = place_of(channel if channel is not None else payload.channel_id,
                                payload.guild_id)
    edited = data.get("edited_timestamp")
    at = datetime.fromisoformat(edited) if edited else datetime.now(UTC)
    mentions = {str(u["id"]): u.get("global_name") or u["username"]
                for u in data.get("mentions", [])}
    return Event(
        EventKind.EDIT,
        place,
        Author(str(author["id"]), author.get("global_name") or author["username"],
               bool(author.get("bot"))),
        at.astimezone(UTC),
        text=str(data.get("content", "")),
        message_id=str(payload.message_id),
        thread_id=thread_id,
        mentions=mentions,
    )


def delete_event(payload: discord.RawMessageDeleteEvent, channel: Any) -> Event:
    place, thread_id = place_of(channel if channel is not None else payload.channel_id,
                                payload.guild_id)
    return Event(EventKind.DELETE, place, Author("", ""), datetime.now(UTC),
                 message_id=str(payload.message_id), thread_id=thread_id)


def interaction_place(interaction: discord.Interaction) -> tuple[Place, str]:
    channel = interaction.channel if interaction.channel is not None else interaction.channel_id
    return place_of(channel, interaction.guild_id)


def command_event(interaction: discord.Interaction, name: str, options: dict[str, str],
                  mentions: dict[str, str]) -> Event:
    """``/meeting <sub> <options>``: the command's name and its typed options, as given."""
    place, thread_id = interaction_place(interaction)
    return Event(EventKind.COMMAND, place, author_of(interaction.user),
                 interaction.created_at.astimezone(UTC), text=name, thread_id=thread_id,
                 options=options, mentions=mentions)


def button_event(interaction: discord.Interaction, action: str) -> Event:
    place, thread_id = interaction_place(interaction)
    return Event(EventKind.BUTTON, place, author_of(interaction.user),
                 interaction.created_at.astimezone(UTC), action=action, thread_id=thread_id)
