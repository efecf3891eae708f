"""``/meeting actions`` on Slack and Discord, through their SDKs against the fakes: an
ephemeral list with a Done button for each action the asker may close; a press by its
owner closes it, anyone else's is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import SECURITY_WG
from tests.discord_harness import ALICE, BOB, GUILD, TEXT, discord_settings, running_service, say
from tests.discord_harness import slash as discord_slash
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.slack_harness import bound_to_slack, running_slack

WG = bound_to_slack(SECURITY_WG)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        server.add_user("U2", name="ulises", real_name="Ulises Gascon")
        server.add_user("U3", name="joe", real_name="Joe Sepi")
        server.add_channel("C1", name="security-wg")
        yield server


async def test_slack_lists_actions_with_done_buttons_for_the_owner(
        slack: FakeSlack, database_url: str, tmp_path: Path) -> None:
    async with running_slack(slack, database_url, str(tmp_path),
                             Settings(groups=[WG])) as bot:
        await bot.command("start", user="U1")
        await bot.command("action <@U2> to write the advisory", user="U1")
        await bot.command("end", user="U1")
        await slack.async_wait_for_calls("files.completeUploadExternal")
        ephemeral = len(slack.calls_to("chat.postEphemeral"))
        posted = len(slack.calls_to("chat.postMessage"))

        await bot.command("actions mine", user="U2")
        listed = (await slack.async_wait_for_calls("chat.postEphemeral", ephemeral + 1))[-1]
        assert "A-1 <@U2> to write the advisory" not in json.dumps(listed.args)  # no ping
        assert "A-1 Ulises Gascon to write the advisory" in listed.args["text"]
        [buttons] = [b for b in listed.args["blocks"] if b["type"] == "actions"]
        [done] = buttons["elements"]
        assert (done["action_id"], done["text"]["text"]) == ("action-done:1", "Done A-1")

        assert await bot.press("action-done:1", user="U3") == 200
        refused = (await slack.async_wait_for_calls("chat.postEphemeral", ephemeral + 2))[-1]
        assert refused.args["text"] == "Only its owner (Ulises Gascon) or a chair can close A-1."
        assert await bot.press("action-done:1", user="U2") == 200
        closed = (await slack.async_wait_for_calls("chat.postMessage", posted + 1))[-1]
        assert closed.args["text"] == "A-1 done: Ulises Gascon to write the advisory"


async def test_discord_lists_actions_with_done_buttons_for_the_owner(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await discord_slash(fake, "start")
        # A mention says who owns it: Discord vouches for the id (a name anyone may share
        # would name the owner, not make her one).
        await say(fake, f"#action <@{ALICE}> to review the report")
        listed = await discord_slash(fake, "list", {"whose": "mine"},
                                     subcommand_group="actions")
        assert listed.data["flags"] & 64  # only she sees it
        assert "A-1 alice to review the report" in listed.data["content"]
        [done] = listed.data["components"][0]["components"]
        assert (done["custom_id"], done["label"]) == ("gavel:action-done:1", "Done A-1")

        message = fake.interactions[listed.interaction_id].original_message_id
        before = len(fake.interaction_callbacks)
        await fake.dispatch("INTERACTION_CREATE", fake.component_interaction_payload(
            "gavel:action-done:1", message_id=message, user_id=BOB, username="bob",
            guild_id=GUILD, channel_id=TEXT))
        [refused] = await fake.wait_for(lambda: fake.interaction_callbacks[before:])
        assert refused.data["content"] == "Only its owner (alice) or a chair can close A-1."
        await fake.dispatch("INTERACTION_CREATE", fake.component_interaction_payload(
            "gavel:action-done:1", message_id=message, user_id=ALICE, username="alice",
            guild_id=GUILD, channel_id=TEXT))
        [pressed] = await fake.wait_for(lambda: fake.interaction_callbacks[before + 1:])
        assert pressed.data["content"] == "A-1 done: alice to review the report"
