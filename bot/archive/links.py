"""Where a group's archive is reached: under its secret token (``/archive/<token>/``),
always; and at ``/groups/<slug>/`` too when the group set ``archive = "public"``.

The token is the group's "archive" token in ``group_tokens``, made the first time a link
is asked for (a write), like the calendar feed's: a private archive must not be found by
guessing the group's name.
"""

from __future__ import annotations

from bot.config import Group, Settings
from bot.store import Store
from bot.store.tokens import ARCHIVE, token_for


def archive_path(store: Store, group: Group) -> str:
    """The group page's path on this server, ending in ``/``."""
    if group.archive == "public":
        # Here, not at the top: the calendar module brings the recurrence rules (dateutil),
        # which a replay, asking for a meeting's link at its end, never needs otherwise.
        from bot.calendars.ics import group_slug

        return f"/groups/{group_slug(group.name)}/"
    return f"/archive/{token_for(store, group.name, ARCHIVE)}/"


def archive_url(store: Store, settings: Settings, group: Group) -> str | None:
    """The group page's address, or None when no ``web.public_url`` is configured."""
    base = settings.web.public_url
    return f"{base}{archive_path(store, group)}" if base else None


def meeting_url(store: Store, settings: Settings, group: Group,
                meeting_id: int) -> str | None:
    group_page = archive_url(store, settings, group)
    return f"{group_page}meetings/{meeting_id}" if group_page else None
