"""Acceptance: the Security WG meeting of 2023-01-19 run through Discord payloads (real
discord.py, FakeDiscord over HTTP and WebSocket) gives the same minutes as the same lines
through the core directly, plus the people who were only in the voice channel."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import discord

from bot.app import build_core
from bot.config import Secrets
from bot.events import Author, Event, EventKind, Place
from tests.discord_harness import (
    GUILD,
    TEXT,
    VOICE,
    add_guild,
    discord_settings,
    reactions_on,
    running_service,
)
from tests.fakes.discord_server import FakeDiscord

TRANSCRIPT = Path(__file__).parent / "transcripts" / "security-wg-2023-01-19.txt"
FIRST_USER = 1_190_000_000_000_001_000
VOICE_ONLY = 1_190_000_000_000_000_999


def _lines() -> list[tuple[str, str]]:
    lines = []
    for raw in TRANSCRIPT.read_text().splitlines():
        if raw.strip():
            nick, _, text = raw.partition(": ")
            lines.append((nick, text))
    return lines


async def test_security_wg_meeting_through_discord_gives_the_core_minutes(
        tmp_path: Path, database_url: str) -> None:
    lines = _lines()
    nicks = list(dict.fromkeys(nick for nick, _ in lines))
    ids = {nick: FIRST_USER + n for n, nick in enumerate(nicks)}
    settings = discord_settings(tmp_path / "discord")
    sent: list[tuple[int, str, str]] = []  # (message id, nick, text)

    async with FakeDiscord() as fake:
        # Vee is only in the call: never types a line, yet attends.
        add_guild(fake, voice_states=[{"user_id": VOICE_ONLY, "channel_id": VOICE,
                                       "username": "vee"}])
        fake.add_member(GUILD, {"id": VOICE_ONLY, "username": "vee", "global_name": "Vee Voice"})
        for nick, user_id in ids.items():
            fake.add_member(GUILD, {"id": user_id, "username": nick})
        async with running_service(fake, settings, database_url):
            for nick, text in lines:
                payload = fake.message_payload(TEXT, GUILD, ids[nick], nick, text)
                sent.append((int(payload["id"]), nick, text))
                await fake.dispatch("MESSAGE_CREATE", payload)
                if nick == "michael" and text.startswith("#here"):
                    # Michael also joins the call: still one line in Present.
                    await fake.wait_for(lambda: reactions_on(fake, sent[-1][0]))
                    await fake.dispatch("VOICE_STATE_UPDATE", fake.voice_state_payload(
                        GUILD, VOICE, ids["michael"], "michael"))
            posted = await fake.wait_for(lambda: [
                m for m in fake.messages_in(TEXT) if m["attachments"]], timeout=15)
    [minutes_message] = posted
    attachment = minutes_message["attachments"][0]
    assert attachment["filename"].endswith(".md")
    through_discord = fake.attachment_bytes(attachment).decode()
    assert minutes_message["embeds"][0]["title"].startswith("Meeting ended:")

    core = build_core(replace(settings, data_dir=str(tmp_path / "direct")),
                      Secrets(), database_url=f"sqlite:///{tmp_path / 'direct.db'}")
    try:
        place = Place("discord", str(TEXT), str(GUILD))
        for message_id, nick, text in sent:
            await asyncio.to_thread(core.bot.handle, Event(
                EventKind.MESSAGE, place, Author(str(ids[nick]), nick),
                discord.utils.snowflake_time(message_id), text, message_id=str(message_id)))
        with core.database.transaction() as store:
            meeting = store.meetings(limit=1)[0]
            direct = store.minutes_of(meeting.id)
    finally:
        core.close()
    assert direct is not None

    assert "* Vee Voice\n" in through_discord
    assert through_discord.replace("* Vee Voice\n", "") == direct
    # What the meeting itself said, as in the published minutes.
    assert "* Joyce Brum from GOSST @joycebrum" in through_discord
    assert "  * Windows issue to fix" in through_discord
    assert "Native modules maybe" not in through_discord
    assert "### nodejs/security-wg" in through_discord
