"""``GET /calendar/<group>.ics``: a group's upcoming meetings, for calendar subscriptions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web

from adapters.web import CORE_KEY
from bot.calendars.feed import group_by_slug, group_feed
from bot.calendars.ics import group_slug
from bot.schedules.recurrence import ScheduleError, has_schedule


def add_calendar_routes(app: web.Application) -> None:
    app.router.add_get("/calendar/{name}", calendar_feed)


async def calendar_feed(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    name = request.match_info["name"]
    if not name.endswith(".ics"):
        raise web.HTTPNotFound(text="calendar feeds end in .ics: /calendar/<group>.ics\n")
    group = group_by_slug(core.settings, name.removesuffix(".ics"))
    if group is None or not has_schedule(group):
        # A plain answer: listing the other feeds would tell strangers which groups exist.
        raise web.HTTPNotFound(text="no such calendar feed\n")
    try:
        text = await asyncio.to_thread(group_feed, core.database, group, datetime.now(UTC))
    except ScheduleError as exc:
        raise web.HTTPServiceUnavailable(text=f"{exc}\n") from None
    return web.Response(text=text, content_type="text/calendar", charset="utf-8", headers={
        "Content-Disposition": f'inline; filename="{group_slug(group.name)}.ics"',
        "Cache-Control": "max-age=300"})
