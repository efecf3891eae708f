"""Where a group's archive is reached: under its secret token (``/archive/<token>/``),
always; and at ``/groups/<slug>/`` too when the group set ``archive = "public"``.

The token is the group's "archive" token in ``group_tokens``, made the first time a link
is asked for (a write), like the calendar feed's: a private archive must not be found by
guessing the group's name.
"""

from __future__ import annotations

from sqlalchemy import Connection

from bot.calendars.ics import group_slug
from bot.config import Group, Settings
from bot.store.tokens import ARCHIVE, token_for


def archive_path(connection: Connection, group: Group) -> str:
    """The group page's path on this server, ending in ``/``."""
    if group.archive == "public":
        return f"/groups/{group_slug(group.name)}/"
    return f"/archive/{token_for(connection, group.name, ARCHIVE)}/"


def archive_url(connection: Connection, settings: Settings, group: Group) -> str | None:
    """The group page's address, or None when no ``web.public_url`` is configured."""
    base = settings.web.public_url
    return f"{base}{archive_path(connection, group)}" if base else None


def meeting_url(connection: Connection, settings: Settings, group: Group,
                meeting_id: int) -> str | None:
    group_page = archive_url(connection, settings, group)
    return f"{group_page}meetings/{meeting_id}" if group_page else None
