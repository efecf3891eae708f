"""The HackMD background job: notes created ahead of meetings, and the running meetings'
notes kept in step with the chat (``bot.hackmd``).

It runs beside the adapters (a ``serve`` background job, or the console's background
thread) and never on a chat handler's path: HackMD's answers, slow or failing, reach no
one waiting in the channel.

``python -m gavel.service.jobs.hackmd_notes --once`` runs one round of note creation and exits (for
cron, or to create the coming notes by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from collections.abc import Mapping
from typing import Any

from bot.app import Core
from bot.hackmd.live import LiveWriter
from bot.hackmd.notes_ahead import NoteOutcome, create_due_notes
from bot.schedules.clock import Clock, clock_from_environment

log = logging.getLogger("gavel.hackmd")

CREATE_EVERY_SECONDS = 300.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def create_notes_once(core: Core, clock: Clock | None = None) -> list[NoteOutcome]:
    if core.hackmd is None:
        return []
    now = (clock or clock_from_environment()).now()
    return create_due_notes(core.database, core.settings, core.hackmd, core.bot.agenda_source,
                            now, worker_name())


async def hackmd_job(core: Core, services: Mapping[str, Any], clock: Clock | None = None
                     ) -> None:
    """Until cancelled; returns at once when no group uses HackMD or no token is set."""
    if core.hackmd is None:
        return
    clock = clock or clock_from_environment()
    writer = LiveWriter(core.database, core.settings, core.hackmd, clock, worker_name())
    poll = core.settings.hackmd.poll_seconds
    since_creation = CREATE_EVERY_SECONDS
    while True:
        try:
            if since_creation >= CREATE_EVERY_SECONDS:
                since_creation = 0.0
                await asyncio.to_thread(create_notes_once, core, clock)
            await asyncio.to_thread(writer.sync_once)
        except Exception:  # a failing round is logged; the next one tries again
            log.exception("HackMD round failed")
        await asyncio.sleep(poll)
        since_creation += poll


def main(argv: list[str] | None = None) -> int:
    from bot.app import build_core
    from bot.config import ConfigError
    from bot.config_file import load_settings

    parser = argparse.ArgumentParser(prog="python -m gavel.service.jobs.hackmd_notes")
    parser.add_argument("--once", action="store_true", required=True,
                        help="create the notes that fall due now, then exit")
    parser.parse_args(argv)
    try:
        core = build_core(load_settings())
    except ConfigError as problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        if core.hackmd is None:
            print("No HackMD here: set HACKMD_API_TOKEN and `hackmd = true` (or hackmd_team) "
                  "on a group.", file=sys.stderr)
            return 1
        for outcome in create_notes_once(core):
            print(f"{outcome.group_name} {outcome.meeting_date}: {outcome.action}"
                  + (f" {outcome.url}" if outcome.url else ""))
    finally:
        core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
