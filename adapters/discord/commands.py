"""The ``/meeting`` app-command group: typed options that map onto the command language.

Each subcommand builds the text the core's slash parser reads (``/meeting note kind:idea
text:...`` -> ``idea ...``); the type annotations are the parser and the documentation
Discord shows. Topics and agenda items autocomplete from the running meeting's agenda
(read from the store) and the group's GitHub agenda.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from adapters.discord.events import display_name

if TYPE_CHECKING:
    from adapters.discord.service import DiscordService

NoteKind = Literal["info", "idea", "action", "agreed", "rejected", "link", "question", "halp"]
LinkKind = Literal["recording", "issue", "doc"]

CHOICE_LIMIT = 25  # Discord shows at most 25 autocomplete choices
CHOICE_TEXT_LIMIT = 100


def _cut(text: str) -> str:
    return text if len(text) <= CHOICE_TEXT_LIMIT else text[: CHOICE_TEXT_LIMIT - 1] + "…"


def _joined(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def build_meeting_group(service: DiscordService) -> app_commands.Group:
    """The ``/meeting`` group, bound to ``service`` (which runs the core and answers)."""
    group = app_commands.Group(name="meeting", description="Run this channel's meeting",
                               guild_only=True)

    async def run(interaction: discord.Interaction, text: str,
                  people: list[discord.Member | discord.User] | None = None) -> None:
        mentions = {str(p.id): display_name(p) for p in people or []}
        await service.run_command(interaction, text, mentions)

    # -- the meeting -----------------------------------------------------------------

    @group.command(name="start", description="Start a meeting in this channel")
    @app_commands.describe(title="The meeting's title (default: the group's)")
    async def start(interaction: discord.Interaction, title: str | None = None) -> None:
        await run(interaction, _joined("start", title))

    @group.command(name="end", description="End the meeting and post the minutes (chairs)")
    async def end(interaction: discord.Interaction) -> None:
        await run(interaction, "end")

    @group.command(name="rename", description="Rename the meeting (chairs)")
    async def rename(interaction: discord.Interaction, title: str) -> None:
        await run(interaction, _joined("rename", title))

    @group.command(name="link", description="Link the recording, issue or notes doc (chairs)")
    async def link(interaction: discord.Interaction, kind: LinkKind, url: str) -> None:
        await run(interaction, _joined("meetinglink", kind, url))

    @group.command(name="chair", description="Make someone a chair (chairs)")
    async def chair(interaction: discord.Interaction, person: discord.Member) -> None:
        await run(interaction, _joined("chair", display_name(person)), [person])

    @group.command(name="unchair", description="Remove a chair (chairs)")
    async def unchair(interaction: discord.Interaction, person: discord.Member) -> None:
        await run(interaction, _joined("unchair", display_name(person)), [person])

    @group.command(name="scribe", description="Their plain messages become notes")
    @app_commands.describe(person="Who scribes (default: you)")
    async def scribe(interaction: discord.Interaction,
                     person: discord.Member | None = None) -> None:
        await run(interaction, _joined("scribe", display_name(person) if person else None),
                  [person] if person else None)

    @group.command(name="unscribe", description="Stop taking someone's messages as notes")
    async def unscribe(interaction: discord.Interaction,
                       person: discord.Member | None = None) -> None:
        await run(interaction, _joined("unscribe", display_name(person) if person else None),
                  [person] if person else None)

    @group.command(name="lurk", description="Record quietly until /meeting unlurk (chairs)")
    async def lurk(interaction: discord.Interaction) -> None:
        await run(interaction, "lurk")

    @group.command(name="unlurk", description="Confirm commands in the channel again (chairs)")
    async def unlurk(interaction: discord.Interaction) -> None:
        await run(interaction, "unlurk")

    # -- the agenda ------------------------------------------------------------------

    @group.command(name="agenda", description="Show the agenda (only you see it)")
    async def agenda(interaction: discord.Interaction) -> None:
        await run(interaction, "agenda")

    @group.command(name="add", description="Add an item to the agenda")
    @app_commands.describe(item="Text, owner/repo#N, or a GitHub issue or pull request URL")
    async def add(interaction: discord.Interaction, item: str) -> None:
        await run(interaction, _joined("agenda", "add", item))

    @add.autocomplete("item")
    async def add_choices(interaction: discord.Interaction,
                          current: str) -> list[app_commands.Choice[str]]:
        entries = await service.agenda_suggestions(interaction)
        wanted = current.casefold()
        return [app_commands.Choice(name=_cut(label), value=_cut(value))
                for label, value in entries if wanted in label.casefold()][:CHOICE_LIMIT]

    @group.command(name="topic", description="Move to an agenda item or section")
    @app_commands.describe(item="Item number, owner/repo#N, text, announcements or qa")
    async def topic(interaction: discord.Interaction, item: str) -> None:
        await run(interaction, _joined("topic", item))

    @topic.autocomplete("item")
    async def topic_choices(interaction: discord.Interaction,
                            current: str) -> list[app_commands.Choice[str]]:
        entries = await service.topic_suggestions(interaction)
        wanted = current.casefold()
        return [app_commands.Choice(name=_cut(label), value=_cut(value))
                for label, value in entries if wanted in label.casefold()][:CHOICE_LIMIT]

    @group.command(name="next", description="Move to the next agenda item")
    async def next_item(interaction: discord.Interaction) -> None:
        await run(interaction, "next")

    # -- notes -----------------------------------------------------------------------

    @group.command(name="note", description="Take a note (start with '- ' to nest it)")
    @app_commands.describe(text="The note", kind="info (default), idea, action, agreed, ...")
    async def note(interaction: discord.Interaction, text: str, kind: NoteKind = "info") -> None:
        await run(interaction, _joined(kind, text))

    @group.command(name="action", description="An action item; name owners with @handles")
    async def action(interaction: discord.Interaction, text: str) -> None:
        await run(interaction, _joined("action", text))

    @group.command(name="agreed", description="Record a decision")
    async def agreed(interaction: discord.Interaction, text: str) -> None:
        await run(interaction, _joined("agreed", text))

    @group.command(name="undo", description="Remove your last note")
    async def undo(interaction: discord.Interaction) -> None:
        await run(interaction, "undo")

    # -- attendance ------------------------------------------------------------------

    @group.command(name="here", description="Mark yourself present")
    @app_commands.describe(name="Your name in the minutes", github="Your GitHub handle",
                           affiliation="Your company or organisation")
    async def here(interaction: discord.Interaction, name: str | None = None,
                   github: str | None = None, affiliation: str | None = None) -> None:
        handle = "@" + github.strip().lstrip("@") if github and github.strip() else None
        await run(interaction, _joined("here", name, handle,
                                       affiliation and f"from {affiliation}"))

    @group.command(name="present", description="Mark others present (chairs)")
    @app_commands.describe(names="Names, comma-separated: 'Jane Doe @jane from ACME, Bob'")
    async def present(interaction: discord.Interaction, names: str) -> None:
        await run(interaction, _joined("present", names))

    @group.command(name="regrets", description="Could not attend (you, or names)")
    async def regrets(interaction: discord.Interaction, names: str | None = None) -> None:
        await run(interaction, _joined("regrets", names))

    # -- reading ---------------------------------------------------------------------

    @group.command(name="minutes", description="The minutes so far (only you see them)")
    async def minutes(interaction: discord.Interaction) -> None:
        await run(interaction, "minutes")

    @group.command(name="publish", description="Publish the minutes to GitHub again (chairs)")
    async def publish(interaction: discord.Interaction) -> None:
        await run(interaction, "publish")

    @group.command(name="upcoming", description="The coming meetings, with calendar links")
    async def upcoming(interaction: discord.Interaction) -> None:
        await run(interaction, "upcoming")

    @group.command(name="help", description="How to use Gavel here")
    async def help_(interaction: discord.Interaction) -> None:
        await run(interaction, "help")

    return group
