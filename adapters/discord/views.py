"""Buttons that keep working after a restart.

A button's ``custom_id`` is ``gavel:<action>``; ``ActionButton`` is registered with
``client.add_dynamic_items`` at start-up, so discord.py routes any press of any such
button ever posted, with no View kept in memory. The press becomes
``Event(kind=BUTTON, action=...)``.
"""

from __future__ import annotations

import re
from typing import Any

import discord

# Actions are short lower-case words, optionally naming what they act on after a colon
# (``action-done:17``), or a vote's option (``vote:<id>:<n>``).
TEMPLATE = r"gavel:(?P<action>[a-z][a-z0-9_:-]{0,60})"


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, action: str, label: str = "") -> None:
        custom_id = f"gavel:{action}"
        if not re.fullmatch(TEMPLATE, custom_id):
            raise ValueError(f"button action {action!r} is not a short lower-case word")
        style = discord.ButtonStyle.success if action == "here" else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label or action, custom_id=custom_id,
                                           style=style))
        self.action = action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str]) -> ActionButton:
        label = getattr(item, "label", None) or ""
        return cls(match["action"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.client.gavel.on_button(interaction, self.action)
