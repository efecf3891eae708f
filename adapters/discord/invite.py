"""``gavel discord invite-url``: the link that adds Gavel to a server with exactly the
permissions it uses, and nothing more.

Why each permission: see the list below; it is also what the fake Discord in the tests
grants the bot, so a missing one fails the tests where it would fail in production.
discord.py is imported only when the command runs, so ``gavel --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import discord

SCOPES = ("bot", "applications.commands")

# permission flag -> why Gavel needs it
NEEDED: dict[str, str] = {
    "view_channel": "see the meeting channels and the voice channel people join",
    "send_messages": "post the start message, topics, reminders and minutes",
    "send_messages_in_threads": "answer notes taken in a thread of the meeting channel",
    "embed_links": "show the agenda, reminders and minutes summary as embeds",
    "attach_files": "attach the minutes as a Markdown file",
    "read_message_history": "react to and reply under the message a command came from",
    "add_reactions": "tick the message whose note was saved",
}
EVENTS: dict[str, str] = {
    "create_events": "create and move the guild events of coming meetings "
                     "([discord] scheduled_events)",
}


def invite_permissions(scheduled_events: bool = True) -> discord.Permissions:
    import discord

    flags = dict.fromkeys(NEEDED, True)
    if scheduled_events:
        flags.update(dict.fromkeys(EVENTS, True))
    return discord.Permissions(**flags)


def invite_url(app_id: int, scheduled_events: bool = True) -> str:
    import discord

    return discord.utils.oauth_url(app_id, permissions=invite_permissions(scheduled_events),
                                   scopes=SCOPES)


def cmd_invite_url(args: argparse.Namespace) -> int:
    raw = args.app_id or os.environ.get("DISCORD_APPLICATION_ID", "")
    if not raw:
        print("gavel discord invite-url: no application id: pass --app-id or set "
              "DISCORD_APPLICATION_ID (Developer Portal -> your app -> General Information "
              "-> Application ID)", file=sys.stderr)
        return 2
    if not raw.strip().isdigit():
        print(f"gavel discord invite-url: application id {raw!r} is not a number "
              "(it looks like 1180000000000000001)", file=sys.stderr)
        return 2
    events = args.scheduled_events
    if events is None:
        from bot.config_file import load_settings

        config = Path(args.config) if args.config else None
        events = load_settings(config).discord.scheduled_events
    print(invite_url(int(raw), scheduled_events=events))
    if args.explain:
        for name, why in {**NEEDED, **(EVENTS if events else {})}.items():
            print(f"  {name}: {why}")
    return 0


def add_cli(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    discord_cmd = commands.add_parser("discord", help="Discord set-up helpers")
    actions = discord_cmd.add_subparsers(dest="discord_command", metavar="ACTION",
                                         required=True)
    invite = actions.add_parser("invite-url",
                                help="print the link that adds the bot to a server")
    invite.add_argument("--app-id", help="application id (default: $DISCORD_APPLICATION_ID)")
    invite.add_argument("--scheduled-events", dest="scheduled_events", action="store_true",
                        default=None, help="include Create Events (default: from the config)")
    invite.add_argument("--no-scheduled-events", dest="scheduled_events",
                        action="store_false", help="leave Create Events out")
    invite.add_argument("--explain", action="store_true", help="list why each permission")
    invite.set_defaults(func=cmd_invite_url)
