"""/meeting app commands through the real discord.py client and FakeDiscord: answers inside
Discord's 3 s window, embeds and buttons, autocomplete, per-guild command sync."""

from __future__ import annotations

from pathlib import Path

import discord

from adapters.discord.client import sync_commands
from bot.events import Place
from tests.discord_harness import (
    ALICE,
    BOB,
    GUILD,
    TEXT,
    discord_settings,
    running_service,
    say,
    slash,
)
from tests.fakes.discord_server import FakeDiscord


async def test_start_answers_in_time_with_an_embed_and_a_here_button(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        callback = await slash(fake, "start", {"title": "Security WG"})
    assert callback.status == 200 and callback.elapsed is not None and callback.elapsed < 3.0
    assert callback.type == 4  # answered at once, not deferred
    embed = callback.data["embeds"][0]
    assert embed["title"].startswith("Meeting started: Security WG ")
    assert "Vulnerability Review" in embed["description"]
    button = callback.data["components"][0]["components"][0]
    assert (button["custom_id"], button["label"]) == ("gavel:here", "I'm here")
    assert callback.data["allowed_mentions"] == {"parse": []}
    assert not callback.data.get("flags")  # public: everyone sees the meeting start


async def test_commands_are_registered_per_guild_once_and_again_when_they_change(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    settings = discord_settings(tmp_path)
    puts = rf"/applications/{fake.application_id}/guilds/{GUILD}/commands"
    async with running_service(fake, settings, database_url):
        pass
    [meeting] = fake.commands(GUILD)
    assert meeting["name"] == "meeting"
    names = {o["name"] for o in meeting["options"]}
    assert {"start", "end", "topic", "note", "here", "add", "help"} <= names
    assert len(fake.requests_to("PUT", puts)) == 1
    assert not fake.commands()  # nothing global: guild commands show up at once

    async with running_service(fake, settings, database_url) as service:
        assert len(fake.requests_to("PUT", puts)) == 1  # a restart re-registers nothing
        client = service.client
        assert client is not None

        @client.tree.command(name="gavel-version", description="A command a new release adds")
        async def version(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("1.0")

        assert await sync_commands(client, service.core.database, client.guilds) == [GUILD]
        assert await sync_commands(client, service.core.database, client.guilds) == []
    assert len(fake.requests_to("PUT", puts)) == 2
    assert {c["name"] for c in fake.commands(GUILD)} == {"meeting", "gavel-version"}


async def test_typed_options_reach_the_core(fake: FakeDiscord, tmp_path: Path,
                                            database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        here = await slash(fake, "here", {"name": "Bob Builder", "github": "bobb",
                                          "affiliation": "ACME"}, user=BOB, username="bob")
        assert here.data["flags"] & 64  # only Bob sees the confirmation
        assert here.data["content"] == \
            "Welcome, Bob Builder from ACME (@bobb): you are marked present."
        note = await slash(fake, "idea", {"text": "Ship it"}, subcommand_group="note")
        assert note.data["flags"] & 64
        link = await slash(fake, "link", {"kind": "recording", "url": "https://youtu.be/x"})
        assert "recording" in link.data["content"]
        # A user option arrives resolved; the core gets their name and id.
        chair = await slash(fake, "chair", [{"name": "person", "type": 6, "value": str(BOB)}],
                            resolved={"users": {str(BOB): fake.users[BOB]},
                                      "members": {str(BOB): {"roles": [], "nick": "Bobby",
                                                             "joined_at": "2023-01-01T00:00:00",
                                                             "flags": 0}}},
                            subcommand_group="role")
        assert chair.data["content"] == "Current chairs: alice, Bobby"
        minutes = await slash(fake, "minutes")
    text = minutes.data["content"]
    assert "* Bob Builder from ACME @bobb" in text
    assert "Idea: Ship it" in text
    assert "https://youtu.be/x" in text


async def test_bad_input_gets_a_clear_private_answer(fake: FakeDiscord, tmp_path: Path,
                                                     database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        no_meeting = await slash(fake, "info", {"text": "too early"}, subcommand_group="note")
        await slash(fake, "start")
        not_chair = await slash(fake, "end", user=BOB, username="bob")
        no_item = await slash(fake, "topic", {"item": "9"})
    assert no_meeting.data["flags"] & 64
    assert "No meeting is running in this channel" in no_meeting.data["content"]
    assert not_chair.data["content"].startswith("Only a chair can use endmeeting")
    assert "There is no item 9" in no_item.data["content"]


async def test_topic_autocomplete_lists_the_running_agenda(fake: FakeDiscord, tmp_path: Path,
                                                           database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        await slash(fake, "add", {"item": "nodejs/security-wg#860 Automate security release"})
        choices = []
        for typed in ("secur", "upcom"):
            payload = fake.interaction_payload(
                "meeting", "topic",
                [{"name": "item", "type": 3, "value": typed, "focused": True}],
                user_id=ALICE, guild_id=GUILD, channel_id=TEXT)
            payload["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
            await fake.dispatch("INTERACTION_CREATE", payload)
            callback = await fake.wait_for(
                lambda: [c for c in fake.interaction_callbacks if c.type == 8][len(choices):])
            assert callback[0].status == 200
            choices.append(callback[0].data["choices"])
    assert choices == [
        [{"name": "2. Automate security release (nodejs/security-wg#860)", "value": "2"}],
        [{"name": "Upcoming Meetings", "value": "upcoming"}]]


async def test_help_states_the_mode(fake: FakeDiscord, tmp_path: Path,
                                    database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        callback = await slash(fake, "help")
    text = callback.data["content"]
    for piece in (await _all_text(fake, callback)):
        text += piece
    assert "#info" in text and "/meeting" in text
    assert "On Discord: use /meeting commands, or # lines" in text


async def _all_text(fake: FakeDiscord, callback: object) -> list[str]:
    record = fake.interactions[callback.interaction_id]  # type: ignore[attr-defined]
    return [(fake.message(m) or {}).get("content", "") for m in record.followup_message_ids]


async def test_here_button_works_after_a_restart(fake: FakeDiscord, tmp_path: Path,
                                                 database_url: str) -> None:
    settings = discord_settings(tmp_path)
    async with running_service(fake, settings, database_url):
        start = await slash(fake, "start")
    start_message = fake.interactions[start.interaction_id].original_message_id
    assert start_message is not None

    async with running_service(fake, settings, database_url):  # a new process
        await fake.dispatch("INTERACTION_CREATE", fake.component_interaction_payload(
            "gavel:here", message_id=start_message, user_id=BOB, username="bob",
            guild_id=GUILD, channel_id=TEXT))
        pressed = (await fake.wait_for(lambda: fake.interaction_callbacks[1:]))[0]
        assert pressed.status == 200 and pressed.data["flags"] & 64
        assert pressed.data["content"] == "You are marked present, Bobby."
        minutes = await slash(fake, "minutes")
    assert "* Bobby" in minutes.data["content"]


async def test_a_slow_core_is_deferred_then_followed_up(fake: FakeDiscord, tmp_path: Path,
                                                        database_url: str) -> None:
    # defer_after=0: the adapter defers before the core answers, as it would when the
    # database is slow; the answer then arrives as a follow-up.
    async with running_service(fake, discord_settings(tmp_path), database_url,
                               defer_after=0.0):
        callback = await slash(fake, "start")
        record = fake.interactions[callback.interaction_id]
        await fake.wait_for(lambda: fake.requests_to("POST", r"/webhooks/.+")
                            and any(m["embeds"] for m in fake.messages_in(TEXT)))
    assert callback.type == 5 and callback.elapsed is not None and callback.elapsed < 3.0
    posted = [m for m in fake.messages_in(TEXT) if m["embeds"]]
    assert posted[0]["embeds"][0]["title"].startswith("Meeting started")
    assert posted[0]["components"][0]["components"][0]["custom_id"] == "gavel:here"
    # The private "thinking..." message became the private answer.
    assert record.original_message_id is not None
    answer = fake.message(record.original_message_id)
    assert answer is not None and answer["content"] == "Done." and answer["flags"] & 64


async def test_hash_commands_in_chat_and_slash_commands_share_one_meeting(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        await say(fake, "#info said in chat", user=BOB, username="bob")
        await fake.wait_for(lambda: fake.requests_to("PUT", r".*/reactions/.+/@me"))
        await slash(fake, "action", {"text": "bob to write it up"}, subcommand_group="note")
        minutes = await slash(fake, "minutes")
    assert "said in chat" in minutes.data["content"]
    assert "bob to write it up" in minutes.data["content"]


async def test_a_command_whose_interaction_expired_still_posts_to_the_channel(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    """Under load the 3 s window can pass before the bot defers; the meeting still starts
    and the channel sees it."""
    async with running_service(fake, discord_settings(tmp_path), database_url,
                               defer_after=0.0) as service:
        place = Place("discord", str(TEXT), str(GUILD))
        async with service._lock(place):  # the bot is busy with this channel
            payload = fake.interaction_payload(
                "meeting", "start", None, user_id=ALICE, username="alice", guild_id=GUILD,
                channel_id=TEXT)
            fake.expire_interaction(int(payload["id"]))  # the window passes meanwhile
            await fake.dispatch("INTERACTION_CREATE", payload)
            [refused] = await fake.wait_for(lambda: fake.interaction_callbacks)
            assert refused.type == 5 and refused.status == 404  # the defer came too late
        posted = await fake.wait_for(lambda: [m for m in fake.messages_in(TEXT)
                                              if "Meeting started" in str(m)])
    assert posted


async def test_a_vote_has_a_button_per_option_and_a_press_is_a_ballot(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        vote = await slash(fake, "vote", {"question": "Ship it? yes, no"})
        buttons = vote.data["components"][0]["components"]
        assert [(b["custom_id"], b["label"]) for b in buttons] == [
            ("gavel:vote:1:0", "yes"), ("gavel:vote:1:1", "no")]
        message = fake.interactions[vote.interaction_id].original_message_id
        await fake.dispatch("INTERACTION_CREATE", fake.component_interaction_payload(
            "gavel:vote:1:1", message_id=message, user_id=BOB, username="bob",
            guild_id=GUILD, channel_id=TEXT))
        pressed = (await fake.wait_for(lambda: fake.interaction_callbacks[2:]))[0]
        assert pressed.data["content"] == "Your vote is no: Ship it?"
        assert pressed.data["flags"] & 64  # only Bob sees it
