"""The background job that publishes minutes left unpublished (GitHub was down, rate
limited, or the bot stopped right after #endmeeting)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.effects import Post, Purpose

if TYPE_CHECKING:
    from bot.app import Core
    from gavel.service.platforms import PlatformService

log = logging.getLogger("gavel.publish")

INTERVAL_SECONDS = 300.0


async def publish_pending_minutes(core: Core, services: dict[str, PlatformService],
                                  interval: float = INTERVAL_SECONDS) -> None:
    """Every ``interval`` seconds, publish what is pending and post the links.

    Only successes are posted: the channel heard about the failure at #endmeeting, and
    a retry every few minutes must not fill it with the same complaint.
    """
    if core.publisher is None:
        return
    publisher = core.publisher
    while True:
        try:
            results = await asyncio.to_thread(publisher.publish_pending)
        except Exception:  # keep the loop alive whatever one round does
            log.exception("publishing pending minutes")
            core.observer.publish_failed()
            results = []
        for meeting, effects in results:
            if any(isinstance(e, Post) and e.purpose == Purpose.PUBLISH_FAILED for e in effects):
                core.observer.publish_failed()
            done = [e for e in effects if isinstance(e, Post) and e.purpose == Purpose.PUBLISH]
            service = services.get(meeting.platform)
            if done and service is not None:
                try:
                    await service.deliver(list(done))
                except Exception:
                    log.exception("posting the minutes link of meeting %d", meeting.id)
        await asyncio.sleep(interval)
