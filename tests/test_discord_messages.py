"""Meeting lines read from channel messages (Message Content intent), their edits and
deletions, gateway replays, the bot's own messages, and slash-only mode."""

from __future__ import annotations

from pathlib import Path

from tests.discord_harness import (
    BOB,
    GUILD,
    OTHER_TEXT,
    TEXT,
    add_guild,
    discord_settings,
    minutes_so_far,
    reactions_on,
    running_service,
    say,
    slash,
)
from tests.fakes.discord_server import FakeDiscord, GatewayIntents


async def test_hash_lines_become_notes_and_are_ticked(fake: FakeDiscord, tmp_path: Path,
                                                      database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await say(fake, "#startmeeting Security WG")
        started = await fake.wait_for(lambda: [m for m in fake.messages_in(TEXT)
                                               if m["author"]["id"] == str(fake.bot_user_id)])
        note = await say(fake, "#info Got 3 approvals so far", user=BOB, username="bob")
        await fake.wait_for(lambda: reactions_on(fake, note))
        minutes = await minutes_so_far(fake)
    assert started[0]["embeds"][0]["title"].startswith("Meeting started: Security WG")
    assert started[0]["components"][0]["components"][0]["custom_id"] == "gavel:here"
    assert reactions_on(fake, note) == ["\N{WHITE HEAVY CHECK MARK}"]
    assert "- Got 3 approvals so far" in minutes


async def test_edited_and_deleted_messages_update_their_notes(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        typo = await say(fake, "#info Windows isue to fix")
        gone = await say(fake, "#info Native modules maybe")
        await fake.wait_for(lambda: reactions_on(fake, gone))
        await fake.dispatch("MESSAGE_UPDATE",
                            fake.message_update_payload(TEXT, typo, "#info Windows issue to fix"))
        await fake.dispatch("MESSAGE_DELETE", fake.message_delete_payload(TEXT, gone))
        minutes = await _minutes_when(
            fake, lambda m: "Windows issue to fix" in m and "Native modules" not in m)
    assert "- Windows issue to fix" in minutes
    assert "Windows isue" not in minutes
    assert "Native modules maybe" not in minutes


async def _minutes_when(fake: FakeDiscord, ready: object, tries: int = 20) -> str:
    """``/meeting minutes`` until ``ready(minutes)``: edits run as their own events."""
    minutes = ""
    for _ in range(tries):
        minutes = await minutes_so_far(fake)
        if ready(minutes):  # type: ignore[operator]
            return minutes
    return minutes


async def test_a_replayed_or_repeated_message_is_noted_once(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url) as service:
        await slash(fake, "start")
        payload = fake.message_payload(TEXT, GUILD, BOB, "bob", "#info only once")
        await fake.dispatch("MESSAGE_CREATE", payload)
        await fake.dispatch("MESSAGE_CREATE", payload)  # Discord re-sends after a resume
        # A dropped connection: what was sent meanwhile is replayed after RESUME.
        await fake.drop_connection()
        missed = await say(fake, "#info said while the bot was reconnecting", user=BOB,
                           username="bob")
        await fake.wait_for(lambda: fake.resume_count == 1 and reactions_on(fake, missed),
                            timeout=10)
        assert service.client is not None
        minutes = await minutes_so_far(fake)
    assert minutes.count("only once") == 1
    assert minutes.count("said while the bot was reconnecting") == 1
    assert len(reactions_on(fake, int(payload["id"]))) == 1


async def test_the_bot_ignores_its_own_messages(fake: FakeDiscord, tmp_path: Path,
                                                database_url: str) -> None:
    from bot.effects import Post
    from bot.events import Place

    async with running_service(fake, discord_settings(tmp_path), database_url) as service:
        place = Place("discord", str(OTHER_TEXT), str(GUILD))
        await service.deliver([Post(place, "#startmeeting from the bot itself")])
        await say(fake, "#startmeeting people's meeting", channel=OTHER_TEXT)
        posted = await fake.wait_for(lambda: [m for m in fake.messages_in(OTHER_TEXT)
                                              if m["embeds"]])
        with service.core.database.transaction() as store:
            meetings = store.meetings()
    # The bot's own "#startmeeting" came back over the gateway and was not obeyed.
    assert [m.title for m in meetings] == ["people's meeting"]
    assert posted[0]["embeds"][0]["title"].startswith("Meeting started: people's meeting")


async def test_user_text_never_pings(fake: FakeDiscord, tmp_path: Path,
                                     database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await say(fake, "#startmeeting @everyone <@&123> party")
        await fake.wait_for(lambda: [m for m in fake.messages_in(TEXT) if m["embeds"]])
    sent = [r for r in fake.requests_to("POST", rf"/channels/{TEXT}/messages")]
    assert sent and all(r.json["allowed_mentions"] == {"parse": []} for r in sent)


async def test_slash_only_mode_when_message_content_is_not_granted(
        tmp_path: Path, database_url: str) -> None:
    async with FakeDiscord(disallowed_intents=GatewayIntents.MESSAGE_CONTENT) as fake:
        add_guild(fake)
        async with running_service(fake, discord_settings(tmp_path), database_url) as service:
            assert service.slash_only
            assert not fake.intents & GatewayIntents.MESSAGE_CONTENT  # type: ignore[operator]
            start = await slash(fake, "start")
            ignored = await say(fake, "#info a line the bot cannot read")
            help_ = await slash(fake, "help")
            await slash(fake, "info", {"text": "noted with a slash command"},
                        subcommand_group="note")
            minutes = await minutes_so_far(fake)
    assert "Slash-only mode" in start.data["embeds"][0]["description"]
    help_text = help_.data["content"] + "".join(
        (fake.message(m) or {}).get("content", "")
        for m in fake.interactions[help_.interaction_id].followup_message_ids)
    assert "Slash-only mode" in help_text
    assert not reactions_on(fake, ignored)
    assert "noted with a slash command" in minutes
    assert "cannot read" not in minutes
