"""Finding the group a CLI command names, with the same answer from every command."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for types: `gavel --help` reads no settings
    from bot.config import Group, Settings


def find_group(settings: Settings, name: str, command: str) -> Group | None:
    """The group called ``name`` (any case); None after telling stderr which exist."""
    group = settings.group_named(name)
    if group is None:
        known = ", ".join(g.name for g in settings.groups) or "none configured"
        print(f"gavel {command}: no group named {name!r} (groups: {known})", file=sys.stderr)
    return group
