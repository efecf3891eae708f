"""Self-test of FakeDiscord through discord.py's own HTTP client.

Why: Gavel's Discord tests (which run a whole ``discord.Client`` against the fake) are only as
good as the fake's fidelity. The fake serves only what Gavel calls, refuses a request Discord's
API description refuses with Discord's own answer, and fails the test when a request was
refused or one of its own replies breaks that description.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord.http import HTTPClient, Route

from tests.fakes.discord_server import FakeDiscord

GUILD_ID = 1_190_000_000_000_000_100
TEXT_ID = 1_190_000_000_000_000_101


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.add_guild(GUILD_ID, "Node.js", channels=[{"id": TEXT_ID, "name": "tsc", "type": 0}])
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def http(fake: FakeDiscord) -> AsyncIterator[HTTPClient]:
    client = HTTPClient(discord.utils.MISSING)
    await client.static_login(fake.token)
    yield client
    await client.close()


def _send(http: HTTPClient, **body: Any) -> Any:
    return http.request(Route("POST", "/channels/{channel_id}/messages", channel_id=TEXT_ID),
                        json=body)


def _button(**fields: Any) -> dict[str, Any]:
    return {"type": 1, "components": [{"type": 2, **fields}]}


@pytest.mark.parametrize(("button", "where"), [
    ({"style": 5, "label": "Zoom", "url": "https://zoom.us/j/" + "9" * 705}, "url"),
    ({"style": 1, "label": "L" * 81, "custom_id": "join"}, "label"),
    ({"style": 1, "label": "Join", "custom_id": "c" * 101}, "custom_id"),
], ids=["722-character url", "81-character label", "101-character custom_id"])
async def test_components_past_discords_limits_are_refused_like_discord(
        fake: FakeDiscord, http: HTTPClient, button: dict[str, Any], where: str) -> None:
    with pytest.raises(discord.HTTPException) as err:
        await _send(http, content="Reminder", components=[_button(**button)])
    assert (err.value.status, err.value.code) == (400, 50035)
    assert f"components.0.components.0.{where}" in str(err.value)
    assert len(fake.spec_problems) == 1
    fake.spec_problems.clear()


async def test_a_message_within_the_limits_is_stored_and_answered_as_described(
        fake: FakeDiscord, http: HTTPClient) -> None:
    reply = await _send(http, content="Reminder", components=[
        _button(style=5, label="Zoom", url="https://zoom.us/j/1")])
    assert reply["components"][0]["components"][0]["id"] == 2  # Discord numbers components
    assert fake.messages_in(TEXT_ID)[0]["content"] == "Reminder"
    assert fake.spec_problems == []


async def test_a_reply_that_breaks_discords_description_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="reply breaks Discord's description"):
        async with FakeDiscord() as server:
            del server.bot_user["flags"]  # the fake drifts from Discord's user object
            client = HTTPClient(discord.utils.MISSING)
            await client.static_login(server.token)
            await client.close()


async def test_a_route_gavel_never_calls_is_not_served() -> None:
    with pytest.raises(AssertionError, match="unhandled route: GET /guilds/1/roles"):
        async with FakeDiscord() as server:
            client = HTTPClient(discord.utils.MISSING)
            await client.static_login(server.token)
            with pytest.raises(discord.NotFound):
                await client.request(Route("GET", "/guilds/{guild_id}/roles", guild_id=1))
            await client.close()
