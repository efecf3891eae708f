"""Running the real DiscordService against FakeDiscord: ids, settings, and a harness that
fails a test on any error discord.py or the adapter only logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest_asyncio

from adapters.discord.invite import invite_permissions
from adapters.discord.service import DiscordService
from bot.app import Core, build_core
from bot.commands.table import COMMANDS, CommandTable
from bot.config import ChannelBinding, DiscordSettings, Group, Secrets, Settings
from bot.ports import AgendaSource
from tests.conftest import SECURITY_WG
from tests.fakes.discord_server import ChannelType, FakeDiscord

GUILD = 1_190_000_000_000_000_100
TEXT = 1_190_000_000_000_000_101
VOICE = 1_190_000_000_000_000_102
STAGE = 1_190_000_000_000_000_103
OTHER_TEXT = 1_190_000_000_000_000_104
ALICE = 1_190_000_000_000_000_200
BOB = 1_190_000_000_000_000_201
CAROL = 1_190_000_000_000_000_202


def discord_group(voice: str = str(VOICE)) -> Group:
    binding = ChannelBinding(platform="discord", channel=str(TEXT), workspace=str(GUILD),
                             voice_channel=voice)
    return replace(SECURITY_WG, channels=[binding])


def discord_settings(tmp_path: Path, **discord: Any) -> Settings:
    return Settings(data_dir=str(tmp_path), groups=[discord_group()],
                    discord=DiscordSettings(**discord))


def add_guild(fake: FakeDiscord, *, voice_states: list[dict[str, Any]] | None = None,
              scheduled_events: bool = True) -> None:
    """The Node.js guild; the bot holds exactly what the invite link asks for."""
    fake.add_guild(
        GUILD, "Node.js",
        channels=[
            {"id": TEXT, "name": "security-wg", "type": ChannelType.TEXT},
            {"id": VOICE, "name": "Security WG call", "type": ChannelType.VOICE},
            {"id": STAGE, "name": "Town hall", "type": ChannelType.STAGE},
            {"id": OTHER_TEXT, "name": "general", "type": ChannelType.TEXT},
        ],
        members=[{"id": ALICE, "username": "alice"},
                 {"id": BOB, "username": "bob", "nick": "Bobby"},
                 {"id": CAROL, "username": "carol", "global_name": "Carol C"}],
        bot_permissions=invite_permissions(scheduled_events).value,
        voice_states=voice_states or [],
    )


class ErrorLog(logging.Handler):
    """Collects ERROR records: discord.py only logs exceptions raised in handlers."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@asynccontextmanager
async def running_service(fake: FakeDiscord, settings: Settings, database_url: str,
                          agenda_source: AgendaSource | None = None,
                          commands: CommandTable = COMMANDS,
                          **options: Any) -> AsyncIterator[DiscordService]:
    core: Core = build_core(settings, Secrets(discord_token=fake.token),
                            database_url=database_url, agenda_source=agenda_source,
                            commands=commands)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    service = DiscordService(core, None, ready_timeout=5.0,
                             client_options={"guild_ready_timeout": 0.05}, **options)
    try:
        await service.start()
        yield service
    finally:
        await service.stop()
        logging.getLogger().removeHandler(errors)
        core.close()
    assert service.task is not None and service.task.done()
    assert service.task.exception() is None
    assert not errors.records, [r.getMessage() for r in errors.records]


async def slash(fake: FakeDiscord, sub: str, options: dict[str, Any] | list[Any] | None = None,
                *, user: int = ALICE, username: str = "alice", channel: int = TEXT,
                **extra: Any) -> Any:
    """Dispatch ``/meeting <sub>`` and wait for its callback (and any follow-ups)."""
    before = len(fake.interaction_callbacks)
    await fake.dispatch("INTERACTION_CREATE", fake.interaction_payload(
        "meeting", sub, options, user_id=user, username=username, guild_id=GUILD,
        channel_id=channel, **extra))
    callbacks = await fake.wait_for(lambda: fake.interaction_callbacks[before:])
    await asyncio.sleep(0)
    return callbacks[0]


async def say(fake: FakeDiscord, text: str, *, user: int = ALICE, username: str = "alice",
              channel: int = TEXT, message_id: int | None = None) -> int:
    payload = fake.message_payload(channel, GUILD, user, username, text, message_id)
    await fake.dispatch("MESSAGE_CREATE", payload)
    return int(payload["id"])


def reactions_on(fake: FakeDiscord, message_id: int) -> list[str]:
    """Emoji the bot added to a message (its "saved" ticks)."""
    return [r.path.rsplit("/", 2)[-2] for r in fake.requests_to(
        "PUT", rf"/channels/\d+/messages/{message_id}/reactions/.+/@me")]


async def minutes_so_far(fake: FakeDiscord) -> str:
    """What ``/meeting minutes`` shows (ephemeral answer plus follow-ups)."""
    callback = await slash(fake, "minutes")
    record = fake.interactions[callback.interaction_id]
    parts = [callback.data["content"]]
    for message_id in record.followup_message_ids:
        message = fake.message(message_id)
        assert message is not None
        parts.append(message["content"])
    return "\n".join(parts)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord with the test guild. Registered for every test module by
    tests/conftest.py; the GitHub and Slack modules bring their own ``fake``, which wins."""
    async with FakeDiscord() as server:
        add_guild(server)
        yield server
