"""Attendance from the group's meeting voice (or stage) channel."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from adapters.discord.service import DiscordService
from bot.store import Database
from tests.discord_harness import (
    ALICE,
    BOB,
    CAROL,
    GUILD,
    STAGE,
    TEXT,
    VOICE,
    add_guild,
    discord_group,
    discord_settings,
    minutes_so_far,
    running_service,
    slash,
)
from tests.fakes.discord_server import FakeDiscord


def _voice_rows(database: Database) -> dict[str, tuple[str, bool]]:
    """name -> (how, has left) for the latest meeting."""
    with database.transaction() as store:
        meeting = store.meetings(limit=1)[0]
        return {a.person.name: (a.how, a.left_at is not None)
                for a in store.attendance(meeting.id)}


def _rows_after(database_url: str) -> dict[str, tuple[str, bool]]:
    database = Database.open(database_url)
    try:
        return _voice_rows(database)
    finally:
        database.close()


async def test_people_in_the_voice_channel_are_present(tmp_path: Path,
                                                       database_url: str) -> None:
    async with FakeDiscord() as fake:
        # Carol is already in the call when the meeting starts.
        add_guild(fake, voice_states=[{"user_id": CAROL, "channel_id": VOICE,
                                       "username": "carol"}])
        async with running_service(fake, discord_settings(tmp_path), database_url) as service:
            await slash(fake, "start")
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, VOICE, BOB, "bob"))
            await fake.wait_for(lambda: "Bobby" in _voice_rows(service.core.database))
            # Alice joins and leaves again; muting does not count as a move.
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, VOICE, ALICE, "alice"))
            await fake.dispatch("VOICE_STATE_UPDATE", fake.voice_state_payload(
                GUILD, VOICE, ALICE, "alice", self_mute=True))
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, None, ALICE, "alice"))
            await fake.wait_for(lambda: _voice_rows(service.core.database).get("alice")
                                == ("voice", True))
            minutes = await minutes_so_far(fake)
    rows = _rows_after(database_url)
    assert rows == {"Carol C": ("voice", False), "Bobby": ("voice", False),
                    "alice": ("voice", True)}
    present = minutes.split("## Present", 1)[1].split("## Agenda", 1)[0]
    for name in ("* Carol C", "* Bobby", "* alice"):
        assert name in present


async def test_a_stage_channel_and_a_name_work_too(tmp_path: Path, database_url: str) -> None:
    settings = replace(discord_settings(tmp_path), groups=[discord_group(voice="Town hall")])
    async with FakeDiscord() as fake:
        add_guild(fake)
        async with running_service(fake, settings, database_url) as service:
            await slash(fake, "start")
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, STAGE, BOB, "bob"))
            await fake.wait_for(lambda: "Bobby" in _voice_rows(service.core.database))
    assert _rows_after(database_url)["Bobby"] == ("voice", False)


async def test_voice_outside_a_meeting_or_in_another_channel_counts_for_nothing(
        tmp_path: Path, database_url: str) -> None:
    async with FakeDiscord() as fake:
        add_guild(fake)
        async with running_service(fake, discord_settings(tmp_path), database_url) as service:
            # Bob comes and goes before the meeting; the bot sees each move before the next.
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, VOICE, BOB, "bob"))
            await fake.wait_for(lambda: _bob_in_voice(service))
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, None, BOB, "bob"))
            await fake.wait_for(lambda: not _bob_in_voice(service))
            await service.voice.drain()
            await slash(fake, "start")
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, STAGE, ALICE, "alice"))
            await slash(fake, "here", user=CAROL, username="carol")
    assert _rows_after(database_url) == {"Carol C": ("command", False)}


def _bob_in_voice(service: DiscordService) -> bool:
    """Whether the client's cache has Bob in a voice channel (its view, once parsed)."""
    guild = service.client.get_guild(GUILD) if service.client else None
    return guild is not None and BOB in guild._voice_states


async def test_a_restart_catches_up_with_who_is_in_voice(tmp_path: Path,
                                                         database_url: str) -> None:
    settings = discord_settings(tmp_path)
    async with FakeDiscord() as fake:
        add_guild(fake)
        async with running_service(fake, settings, database_url) as service:
            await slash(fake, "start", channel=TEXT)
            await fake.dispatch("VOICE_STATE_UPDATE",
                                fake.voice_state_payload(GUILD, VOICE, BOB, "bob"))
            await fake.wait_for(lambda: "Bobby" in _voice_rows(service.core.database))
        # While the bot is down, Bob leaves and Carol joins.
        fake.guilds[GUILD].voice_states.pop(BOB)
        fake.guilds[GUILD].voice_states[CAROL] = fake.voice_state_payload(
            GUILD, VOICE, CAROL, "carol")
        async with running_service(fake, settings, database_url):
            pass
    assert _rows_after(database_url) == {"Bobby": ("voice", True), "Carol C": ("voice", False)}
