"""Effects -> what discord.py sends: content, embeds, views and files.

Every send goes out with ``AllowedMentions.none()``: text in effects is people's own
words (``@everyone``, ``<@&role>``), and re-posting it must never ping anyone.
Instants (``Post.when``) become ``<t:UNIX:F>`` / ``<t:UNIX:R>``, which each reader's
client shows in their own zone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord

from adapters.discord.views import ActionButton
from bot.effects import Button, Post, Purpose

NO_MENTIONS = discord.AllowedMentions.none()

MESSAGE_LIMIT = 2000  # characters of content
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
# Discord refuses the whole message (50035 Invalid Form Body) past these: the API's
# button schema (discord/discord-api-spec, ButtonComponentForMessageRequest).
LINK_URL_LIMIT = 512
BUTTON_LABEL_LIMIT = 80

# Posts shown as embeds, with their colour; anything else is plain content.
EMBED_COLOURS = {
    Purpose.START: discord.Colour.green(),
    Purpose.REMINDER: discord.Colour.gold(),
    Purpose.MINUTES: discord.Colour.dark_teal(),
}

REACTIONS = {
    "white_check_mark": "\N{WHITE HEAVY CHECK MARK}",
    "heavy_check_mark": "\N{HEAVY CHECK MARK}",
    "eyes": "\N{EYES}",
    "x": "\N{CROSS MARK}",
}



@dataclass
class Outgoing:
    """One Discord message, ready for ``send``/``send_message``/``followup.send``."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    file: tuple[str, bytes] | None = None
    extra: list[str] = field(default_factory=list)  # overflow chunks, sent after

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments common to channel sends, responses and follow-ups."""
        args: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            args["content"] = self.content
        if self.embed is not None:
            args["embed"] = self.embed
        if self.view is not None:
            args["view"] = self.view
        if self.file is not None:
            name, data = self.file
            args["file"] = discord.File(io.BytesIO(data), filename=name)
        return args


def timestamp(when: datetime) -> str:
    """``<t:UNIX:F> (<t:UNIX:R>)``: the full date and "in 2 hours", in the reader's zone."""
    return f"{discord.utils.format_dt(when, 'F')} ({discord.utils.format_dt(when, 'R')})"


def chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line ends so each piece fits one message; a huge line is cut hard."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") or "\u200b" for p in pieces]


def render_post(post: Post, *, notice: str = "") -> Outgoing:
    """A Post as a Discord message: embed for agenda/start/reminder/minutes, else text."""
    buttons, too_long = fitting_buttons(post.buttons, post.text)
    text = "\n".join([post.text, *too_long])
    if notice:
        text = f"{text}\n\n{notice}"
    view = render_buttons(buttons) if buttons else None
    file = None
    if post.attachment is not None:
        file = (post.attachment.filename, post.attachment.content.encode("utf-8"))
    colour = EMBED_COLOURS.get(post.purpose)
    if colour is None:
        if post.when is not None:
            text = f"{text}\n{timestamp(post.when)}"
        parts = chunks(text)
        return Outgoing(content=parts[0], view=view, file=file, extra=parts[1:])
    return Outgoing(embed=render_embed(text, colour, post.when, post.attachment is not None),
                    view=view, file=file)


def render_embed(text: str, colour: discord.Colour, when: datetime | None,
                 has_file: bool) -> discord.Embed:
    title, _, body = text.partition("\n")
    if not body and ". " in title:  # "Meeting ended: X. 5 present, ..." -> title + summary
        title, _, body = title.partition(". ")
    if len(title) > EMBED_TITLE_LIMIT:
        title, body = title[: EMBED_TITLE_LIMIT - 1] + "…", text
    if len(body) > EMBED_DESCRIPTION_LIMIT:
        body = body[: EMBED_DESCRIPTION_LIMIT - 1] + "…"
    embed = discord.Embed(title=title, description=body.strip() or None, colour=colour)
    if when is not None:
        embed.add_field(name="When", value=timestamp(when), inline=False)
        embed.timestamp = when
    if has_file:
        embed.set_footer(text="Minutes attached as Markdown.")
    return embed


def fitting_buttons(buttons: tuple[Button, ...], text: str) -> tuple[tuple[Button, ...],
                                                                     list[str]]:
    """The buttons Discord accepts, and a line of text for each link too long to be a
    button (none when the text already carries that link): one long join link must not
    cost the whole message."""
    kept: list[Button] = []
    lines: list[str] = []
    for button in buttons:
        if button.url and len(button.url) > LINK_URL_LIMIT:
            if button.url not in text:
                lines.append(f"{button.label}: {button.url}")
            continue
        kept.append(button)
    return tuple(kept), lines


def render_buttons(buttons: tuple[Button, ...]) -> discord.ui.View:
    """A persistent view: action buttons carry ``gavel:<action>`` custom ids, which the
    client routes (``ActionButton``) even after a restart; link buttons just open URLs."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if button.url:
            view.add_item(discord.ui.Button(label=_label(button.label), url=button.url,
                                            style=discord.ButtonStyle.link))
        else:
            view.add_item(ActionButton(button.action, _label(button.label)))
    return view


def _label(label: str) -> str:
    return label if len(label) <= BUTTON_LABEL_LIMIT else label[:BUTTON_LABEL_LIMIT - 1] + "…"


def reaction_for(emoji: str) -> str:
    return REACTIONS.get(emoji, REACTIONS["white_check_mark"])
