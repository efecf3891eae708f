"""The ``/meeting`` app-command tree, generated from the core's command table.

Each table entry with a Discord name becomes a subcommand (inside its subcommand group,
when it names one: ``/meeting note idea``), with the entry's typed options; the values
reach the core as they are (``Event.options``; a user option as the user's id), never
flattened to text. Discord allows 25 subcommands (or groups) per level: groups leave
room to grow, and discord.py refuses a 26th at build time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from adapters.discord.events import display_name
from adapters.discord.listener import DiscordListener
from bot.commands.table import CommandTable, Entry, Option

CHOICE_LIMIT = 25  # Discord shows at most 25 autocomplete choices
CHOICE_TEXT_LIMIT = 100

_TYPES: dict[str, Any] = {"text": str, "user": discord.Member, "number": int}


def _cut(text: str) -> str:
    return text if len(text) <= CHOICE_TEXT_LIMIT else text[: CHOICE_TEXT_LIMIT - 1] + "…"


def build_meeting_group(service: DiscordListener, table: CommandTable) -> app_commands.Group:
    """The ``/meeting`` group, bound to ``service`` (which runs the core and answers)."""
    meeting = app_commands.Group(name="meeting", description="Run this channel's meeting",
                                 guild_only=True)
    groups: dict[str, app_commands.Group] = {}
    for entry in table.entries:
        if not entry.discord:
            continue
        parent = meeting
        if entry.discord_group:
            parent = groups.get(entry.discord_group) or groups.setdefault(
                entry.discord_group, app_commands.Group(
                    name=entry.discord_group, parent=meeting,
                    description=table.group_descriptions.get(entry.discord_group, "…")))
        parent.add_command(_subcommand(service, entry, parent))
    return meeting


def _annotation(option: Option) -> Any:
    kind = Literal[option.choices] if option.type == "choice" else _TYPES[option.type]
    return kind if option.required else Optional[kind]  # noqa: UP045  (a runtime value)


def _subcommand(service: DiscordListener, entry: Entry,
                parent: app_commands.Group) -> app_commands.Command[Any, ..., None]:
    """One entry as a typed subcommand; what Discord resolved is handed on as it is."""

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        options: dict[str, str] = {}
        mentions: dict[str, str] = {}
        for name, value in values.items():
            if isinstance(value, discord.abc.User):
                mentions[str(value.id)] = display_name(value)
                options[name] = str(value.id)
            elif value is not None:
                options[name] = str(value)
        await service.run_command(interaction, entry.name, options, mentions)

    callback.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=discord.Interaction),
        *(inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(o),
                            default=inspect.Parameter.empty if o.required else None)
          for o in entry.options)])
    app_commands.describe(**{o.name: o.description for o in entry.options})(callback)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=entry.discord, description=entry.description, callback=callback, parent=parent)
    for option in entry.options:
        if option.autocomplete:
            command.autocomplete(option.name)(_suggester(service, option.autocomplete))
    return command


def _suggester(service: DiscordListener, source: str) -> Callable[
        [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    """Autocomplete from one of the service's sources (``topics``, ``agenda``)."""

    async def suggest(interaction: discord.Interaction,
                      current: str) -> list[app_commands.Choice[str]]:
        entries = await service.suggestions(source, interaction)
        wanted = current.casefold()
        return [app_commands.Choice(name=_cut(label), value=_cut(value))
                for label, value in entries if wanted in label.casefold()][:CHOICE_LIMIT]

    return suggest
