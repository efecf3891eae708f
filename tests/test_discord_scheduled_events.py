"""Guild scheduled events mirror a group's coming meetings, and follow the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.discord.scheduled import Occurrence
from tests.discord_harness import GUILD, discord_settings, running_service
from tests.fakes.discord_server import FakeDiscord

ZOOM = "https://zoom.us/j/123"


def _weekly(first: datetime, count: int) -> list[Occurrence]:
    return [Occurrence("Security WG Meeting", first + timedelta(weeks=2 * n),
                       first + timedelta(weeks=2 * n, hours=1), ZOOM) for n in range(count)]


def _events(fake: FakeDiscord) -> list[tuple[str, str]]:
    return sorted((e["scheduled_start_time"], e["name"]) for e in fake.scheduled_events(GUILD))


async def test_coming_meetings_become_guild_events_and_follow_moves(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    first = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    settings = discord_settings(tmp_path, scheduled_events=True)
    async with running_service(fake, settings, database_url) as service:
        report = (await service.sync_schedule("Security WG", _weekly(first, 3)))[GUILD]
        assert len(report.created) == 3
        created = fake.requests_to("POST", rf"/guilds/{GUILD}/scheduled-events")
        assert all(r.json["entity_type"] == 3 and r.json["privacy_level"] == 2
                   and r.json["entity_metadata"] == {"location": ZOOM} for r in created)

        # Nothing changed: no request at all beyond the listing.
        again = (await service.sync_schedule("Security WG", _weekly(first, 3)))[GUILD]
        assert len(again.unchanged) == 3 and not (again.created or again.updated)

        # The second meeting moves a day later, the third is cancelled, a title changes.
        moved = _weekly(first, 3)
        moved[1] = Occurrence("Security WG Meeting", moved[1].start + timedelta(days=1),
                              moved[1].end + timedelta(days=1), ZOOM)
        moved[0] = Occurrence("Security WG Meeting (security release)", moved[0].start,
                              moved[0].end, ZOOM)
        change = (await service.sync_schedule("Security WG", moved[:2]))[GUILD]
    assert len(change.updated) == 2 and len(change.deleted) == 1 and not change.created
    assert len(fake.requests_to("POST", rf"/guilds/{GUILD}/scheduled-events")) == 3
    patches = fake.requests_to("PATCH", rf"/guilds/{GUILD}/scheduled-events/\d+")
    assert all(p.json["entity_type"] == 3 and p.json["privacy_level"] == 2 for p in patches)
    assert _events(fake) == [
        (first.isoformat(), "Security WG Meeting (security release)"),
        ((first + timedelta(weeks=2, days=1)).isoformat(), "Security WG Meeting"),
    ]


async def test_past_occurrences_and_events_people_made_are_left_alone(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    soon = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    settings = discord_settings(tmp_path, scheduled_events=True)
    async with running_service(fake, settings, database_url) as service:
        assert service.client is not None
        guild = service.client.get_guild(GUILD)
        assert guild is not None
        import discord

        await guild.create_scheduled_event(
            name="Community call", start_time=soon, end_time=soon + timedelta(hours=1),
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only, location="somewhere")
        past = Occurrence("Security WG Meeting", soon - timedelta(days=14),
                          soon - timedelta(days=14, hours=-1), ZOOM)
        report = (await service.sync_schedule("Security WG", [past]))[GUILD]
    assert not (report.created or report.updated or report.deleted)
    assert _events(fake) == [(soon.isoformat(), "Community call")]


async def test_nothing_is_scheduled_unless_configured(fake: FakeDiscord, tmp_path: Path,
                                                      database_url: str) -> None:
    first = datetime.now(UTC) + timedelta(days=3)
    async with running_service(fake, discord_settings(tmp_path), database_url) as service:
        assert await service.sync_schedule("Security WG", _weekly(first, 2)) == {}
    assert not fake.requests_to("POST", rf"/guilds/{GUILD}/scheduled-events")
