"""Starting the Discord adapter: `gavel run`'s serve loop, shards, tokens, the invite link."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from adapters.discord.invite import invite_permissions
from adapters.discord.service import DiscordService
from bot.app import build_core
from bot.config import ConfigError, Secrets
from bot.config_file import parse_settings
from gavel.cli.main import main
from gavel.service.serve import run
from tests.discord_harness import GUILD, add_guild, discord_settings, running_service, slash
from tests.fakes.discord_server import FakeDiscord


class _LogWaiter(logging.Handler):
    """Sets an event when a log line holding ``fragment`` is written: how a test knows the
    adapter's start() has returned, on a machine too busy to guess."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment
        self.seen = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def emit(self, record: logging.LogRecord) -> None:
        if self.fragment in record.getMessage():
            self.loop.call_soon_threadsafe(self.seen.set)


@asynccontextmanager
async def serving(fake: FakeDiscord, tmp_path: Path, database_url: str
                  ) -> AsyncIterator[asyncio.Task[None]]:
    """``gavel run``'s serve loop on Discord, up and answering; stopped on the way out."""
    core = build_core(discord_settings(tmp_path), Secrets(discord_token=fake.token),
                      database_url=database_url)
    stop = asyncio.Event()
    started = _LogWaiter("Discord adapter running")
    logging.getLogger("gavel.discord").addHandler(started)
    task = asyncio.create_task(run(core, ["discord"], stop, port=0))
    try:
        await fake.wait_for(lambda: fake.identify_count == 1 and fake.commands(GUILD),
                            timeout=10)
        await asyncio.wait_for(started.seen.wait(), 30)  # start() has returned
        callback = await slash(fake, "start")
        assert callback.status == 200 and callback.data["embeds"]
        yield task
    finally:
        logging.getLogger("gavel.discord").removeHandler(started)
        stop.set()
        await asyncio.wait_for(task, 30)
        core.close()


async def test_serve_runs_the_discord_adapter_until_stopped(tmp_path: Path,
                                                            database_url: str) -> None:
    async with FakeDiscord() as fake:
        add_guild(fake)
        async with serving(fake, tmp_path, database_url):
            pass  # started a meeting through the served adapter
    assert not fake.connected


@pytest.mark.parametrize(("shards", "expected"), [({"shard_ids": [0], "shard_count": 1}, [0, 1]),
                                                  ({}, [0, 1])])
async def test_the_client_identifies_with_its_shards(tmp_path: Path, shards: dict[str, object],
                                                     expected: list[int]) -> None:
    async with FakeDiscord() as fake:
        add_guild(fake)
        settings = discord_settings(tmp_path, **shards)
        async with running_service(fake, settings, f"sqlite:///{tmp_path / 'g.db'}") as service:
            assert isinstance(service.client, discord.AutoShardedClient)
    assert fake.identify_payloads[0]["shard"] == expected


def test_shard_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"gavel.toml: discord: .*shard_ids needs shard_count"):
        parse_settings({"discord": {"shard_ids": [0]}}, "gavel.toml")
    with pytest.raises(ConfigError, match=r"shard_ids \[4\] outside 0..3"):
        parse_settings({"discord": {"shard_ids": [0, 4], "shard_count": 4}}, "gavel.toml")


async def test_a_wrong_token_stops_the_start_with_the_reason(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        add_guild(fake)
        core = build_core(discord_settings(tmp_path), Secrets(discord_token="not-the-token"),
                          database_url=f"sqlite:///{tmp_path / 'g.db'}")
        service = DiscordService(core, None, ready_timeout=5.0)
        try:
            with pytest.raises(discord.LoginFailure):
                await service.start()
        finally:
            await service.stop()
            core.close()


def test_invite_url_asks_for_exactly_the_needed_permissions(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "1180000000000000001")
    assert main(["discord", "invite-url", "--scheduled-events"]) == 0
    url = urlparse(capsys.readouterr().out.strip())
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and query["client_id"] == ["1180000000000000001"]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == invite_permissions(scheduled_events=True)
    assert {name for name, on in granted if on} == {  # read_messages is View Channel
        "read_messages", "send_messages", "send_messages_in_threads", "embed_links",
        "attach_files", "read_message_history", "add_reactions", "create_events"}

    assert main(["discord", "invite-url", "--app-id", "42", "--no-scheduled-events"]) == 0
    without = parse_qs(urlparse(capsys.readouterr().out.strip()).query)
    assert not discord.Permissions(int(without["permissions"][0])).create_events


def test_invite_url_without_an_app_id_says_where_to_find_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_APPLICATION_ID", raising=False)
    assert main(["discord", "invite-url"]) == 2
    assert "pass --app-id or set DISCORD_APPLICATION_ID" in capsys.readouterr().err


async def test_a_client_that_dies_after_start_stops_the_service_loudly(
        tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeDiscord() as fake:
        add_guild(fake)
        async with serving(fake, tmp_path, database_url) as task:
            fake.token = "reset-by-its-owner"  # the old token is refused from now on
            await fake.drop_connection(resumable=False)
            await asyncio.wait_for(asyncio.shield(task), 30)  # serve() returns by itself
    assert "the Discord client stopped" in caplog.text
