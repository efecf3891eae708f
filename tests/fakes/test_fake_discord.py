"""Self-test of FakeDiscord: a real discord.py client must run against it unmodified.

Every test starts a real ``discord.Client`` (``client.start()``) in the test's event
loop and, at the end, closes it and checks the client task's exception: a payload
missing a field makes discord.py raise inside that task and end ``start()`` silently,
which must fail the test rather than pass it.  Event-handler and app-command errors
are collected too, since discord.py only logs them.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands

from tests.fakes.discord_server import ChannelType, FakeDiscord, GatewayIntents, PermissionBits

GUILD_ID = 1_190_000_000_000_000_100
TEXT_ID = 1_190_000_000_000_000_101
VOICE_ID = 1_190_000_000_000_000_102
STAGE_ID = 1_190_000_000_000_000_103
PRIVATE_ID = 1_190_000_000_000_000_104
ALICE_ID = 1_190_000_000_000_000_200
BOB_ID = 1_190_000_000_000_000_201

STARTUP_TIMEOUT = 5.0


@dataclass
class Harness:
    """A running client plus everything it observed."""

    fake: FakeDiscord
    client: discord.Client
    tree: app_commands.CommandTree[discord.Client]
    task: asyncio.Task[None]
    messages: list[discord.Message] = field(default_factory=list)
    #: (member id, channel id before, channel id after), captured at event time because
    #: discord.py mutates the cached VoiceState on the next update.
    voice: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    events: list[discord.ScheduledEvent] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    resumed: int = 0


class RSVPView(discord.ui.View):
    """A persistent-style view: the component interaction test presses its button."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Attending", custom_id="rsvp:yes")
    async def yes(
        self, interaction: discord.Interaction, button: discord.ui.Button[RSVPView]
    ) -> None:
        await interaction.response.edit_message(content="RSVP: 1 attending", view=self)


class NotesModal(discord.ui.Modal, title="Add a note"):
    text: discord.ui.TextInput[NotesModal] = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.text.value}")


def meeting_group() -> app_commands.Group:
    """A ``/meeting`` group like Gavel's, with one subcommand per response style."""
    group = app_commands.Group(name="meeting", description="Manage meetings")

    @group.command(name="start", description="Start a meeting")
    @app_commands.describe(topic="What the meeting is about")
    async def start(interaction: discord.Interaction, topic: str, minutes: int = 60) -> None:
        await interaction.response.send_message(f"Started {topic} for {minutes} min")

    @group.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        await interaction.response.send_message("too late")

    @group.command(name="think", description="Defers, then follows up")
    async def think(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(
            "agenda ready", file=discord.File(io.BytesIO(b"1. intro\n"), "agenda.md")
        )

    @group.command(name="private", description="Ephemeral answer, edited afterwards")
    async def private(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)
        await interaction.edit_original_response(content="only you (edited)")
        await interaction.followup.send("and a follow-up", ephemeral=True)

    @group.command(name="notes", description="Opens a modal")
    async def notes(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NotesModal())

    @group.command(name="rsvp", description="Posts an RSVP button")
    async def rsvp(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("RSVP: 0 attending", view=RSVPView())

    return group


def add_default_guild(fake: FakeDiscord) -> None:
    fake.add_guild(
        GUILD_ID,
        "Node.js",
        channels=[
            {"id": TEXT_ID, "name": "tsc-meetings", "type": ChannelType.TEXT},
            {"id": VOICE_ID, "name": "TSC voice", "type": ChannelType.VOICE},
            {"id": STAGE_ID, "name": "Town hall", "type": ChannelType.STAGE},
            {
                "id": PRIVATE_ID,
                "name": "private",
                "type": ChannelType.TEXT,
                # @everyone (id == guild id) may not send here; the bot has no override.
                "permission_overwrites": [
                    {"id": GUILD_ID, "type": 0, "deny": PermissionBits.SEND_MESSAGES}
                ],
            },
        ],
        members=[
            {"id": ALICE_ID, "username": "alice"},
            {"id": BOB_ID, "username": "bob", "nick": "Bobby"},
        ],
    )


@asynccontextmanager
async def running_client(
    fake: FakeDiscord, intents: discord.Intents | None = None
) -> AsyncIterator[Harness]:
    """Start a real client against ``fake``; on exit close it and fail on any silent crash."""
    if intents is None:
        intents = discord.Intents.default()
        intents.message_content = True
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)
    tree.add_command(meeting_group())
    ready = asyncio.Event()
    task: asyncio.Task[None] = asyncio.create_task(client.start(fake.token))
    h = Harness(fake=fake, client=client, tree=tree, task=task)

    @client.event
    async def on_ready() -> None:
        ready.set()

    @client.event
    async def on_message(message: discord.Message) -> None:
        h.messages.append(message)

    @client.event
    async def on_voice_state_update(
        member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        h.voice.append(
            (
                member.id,
                before.channel.id if before.channel else None,
                after.channel.id if after.channel else None,
            )
        )

    @client.event
    async def on_scheduled_event_create(event: discord.ScheduledEvent) -> None:
        h.events.append(event)

    @client.event
    async def on_resumed() -> None:
        h.resumed += 1

    @client.event
    async def on_error(event: str, *args: Any, **kwargs: Any) -> None:
        h.errors.append(sys.exc_info()[1] or RuntimeError(event))

    @tree.error
    async def on_app_command_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        h.errors.append(error)

    ready_wait = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        {task, ready_wait}, timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if ready_wait not in done:
        ready_wait.cancel()
        await client.close()
        if task.done():
            task.result()  # re-raise the client's crash
        raise AssertionError("on_ready did not fire")
    try:
        yield h
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
        assert task.exception() is None


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        add_default_guild(server)
        yield server


@pytest_asyncio.fixture
async def h(fake: FakeDiscord) -> AsyncIterator[Harness]:
    async with running_client(fake) as harness:
        yield harness
        assert not harness.errors, harness.errors


# ----------------------------------------------------------------------------- tests


@pytest.mark.asyncio
async def test_ready_guild_and_endpoints(h: Harness) -> None:
    fake, client = h.fake, h.client
    assert client.user is not None and client.user.id == fake.bot_user_id
    assert client.application_id == fake.application_id
    guild = client.get_guild(GUILD_ID)
    assert guild is not None and guild.name == "Node.js"
    assert isinstance(guild.get_channel(TEXT_ID), discord.TextChannel)
    assert isinstance(guild.get_channel(VOICE_ID), discord.VoiceChannel)
    assert isinstance(guild.get_channel(STAGE_ID), discord.StageChannel)
    assert guild.me is not None and guild.me.id == fake.bot_user_id
    assert fake.intents == client.intents.value
    assert fake.identify_count == 1
    # REST answers carry exactly "application/json" (discord.py compares it for equality).
    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/gateway") as resp:
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["url"] == fake.gateway_url
    member = await guild.fetch_member(BOB_ID)
    assert member.nick == "Bobby"
    fetched = await client.fetch_channel(TEXT_ID)
    assert isinstance(fetched, discord.TextChannel) and fetched.name == "tsc-meetings"


@pytest.mark.asyncio
async def test_message_create_reaches_on_message(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "MESSAGE_CREATE",
        fake.message_payload(TEXT_ID, GUILD_ID, ALICE_ID, "alice", "#startmeeting tsc"),
    )
    msg = (await fake.wait_for(lambda: h.messages))[0]
    assert msg.content == "#startmeeting tsc"
    assert msg.author.id == ALICE_ID and isinstance(msg.author, discord.Member)
    assert msg.channel.id == TEXT_ID and msg.guild is not None and msg.guild.id == GUILD_ID

    # Edits and deletes of a cached message reach the client too.
    edits: list[tuple[str, str]] = []
    deletes: list[int] = []
    h.client.event(
        _named(
            "on_message_edit", lambda before, after: edits.append((before.content, after.content))
        )
    )
    h.client.event(_named("on_message_delete", lambda m: deletes.append(m.id)))
    await fake.dispatch(
        "MESSAGE_UPDATE", fake.message_update_payload(TEXT_ID, msg.id, "#startmeeting tsc-2")
    )
    await fake.dispatch("MESSAGE_DELETE", fake.message_delete_payload(TEXT_ID, msg.id))
    await fake.wait_for(lambda: edits and deletes)
    assert edits == [("#startmeeting tsc", "#startmeeting tsc-2")] and deletes == [msg.id]


def _named(name: str, fn: Any) -> Any:
    """Wrap a sync lambda as a coroutine event handler called ``name``."""

    async def handler(*args: Any) -> None:
        fn(*args)

    handler.__name__ = name
    return handler


@pytest.mark.asyncio
async def test_send_with_file_is_recorded(h: Harness) -> None:
    fake = h.fake
    channel = h.client.get_channel(TEXT_ID)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(
        "Minutes attached", file=discord.File(io.BytesIO(b"# Minutes\n- item\n"), "minutes.md")
    )

    req = fake.requests_to("POST", rf"/channels/{TEXT_ID}/messages")[-1]
    assert req.json["content"] == "Minutes attached"
    assert [(f.filename, f.data) for f in req.files] == [("minutes.md", b"# Minutes\n- item\n")]
    stored = fake.messages_in(TEXT_ID)[-1]
    assert stored["id"] == str(sent.id) and stored["attachments"][0]["filename"] == "minutes.md"
    assert fake.attachment_bytes(stored["attachments"][0]) == b"# Minutes\n- item\n"
    # The attachment URL is served by the fake, so Attachment.read() works.
    assert await sent.attachments[0].read() == b"# Minutes\n- item\n"
    # Discord echoes the bot's own message over the gateway.
    echoed = await fake.wait_for(lambda: [m for m in h.messages if m.id == sent.id])
    assert echoed[0].author.id == fake.bot_user_id

    # Snowflakes increase; a reaction and an edit are recorded.
    second = await channel.send("second")
    assert second.id > sent.id
    await second.add_reaction("\N{THUMBS UP SIGN}")
    await second.edit(content="second (edited)")
    stored_second = fake.message(second.id)
    assert stored_second is not None and stored_second["content"] == "second (edited)"
    assert stored_second["reactions"][0]["emoji"]["name"] == "\N{THUMBS UP SIGN}"


@pytest.mark.asyncio
async def test_slash_command_callback_recorded(h: Harness) -> None:
    fake = h.fake
    synced = await h.tree.sync()
    assert [c.name for c in synced] == ["meeting"]
    assert {o["name"] for o in fake.commands()[0]["options"]} == {
        "start",
        "slow",
        "think",
        "private",
        "notes",
        "rsvp",
    }

    payload = fake.interaction_payload(
        "meeting",
        "start",
        {"topic": "TSC", "minutes": 45},
        user_id=ALICE_ID,
        username="alice",
        guild_id=GUILD_ID,
        channel_id=TEXT_ID,
    )
    await fake.dispatch("INTERACTION_CREATE", payload)
    callback = (await fake.wait_for(lambda: fake.interaction_callbacks))[0]
    assert callback.type == 4 and callback.data["content"] == "Started TSC for 45 min"
    assert callback.status == 200 and callback.elapsed is not None and callback.elapsed < 3.0
    assert callback.request.query == {"with_response": "1"}
    response = fake.messages_in(TEXT_ID)[-1]
    assert response["content"] == "Started TSC for 45 min"
    assert response["interaction_metadata"]["user"]["id"] == str(ALICE_ID)


@pytest.mark.asyncio
async def test_deferred_followup_replaces_thinking_message(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.interaction_payload(
            "meeting", "think", user_id=ALICE_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
        ),
    )
    await fake.wait_for(lambda: fake.requests_to("POST", r"/webhooks/\d+/.+"))
    record = next(iter(fake.interactions.values()))
    assert record.callback_type == 5
    msgs = fake.messages_in(TEXT_ID)
    assert len(msgs) == 1 and msgs[0]["id"] == str(record.original_message_id)
    assert msgs[0]["content"] == "agenda ready" and msgs[0]["flags"] == 0
    assert fake.attachment_bytes(msgs[0]["attachments"][0]) == b"1. intro\n"


@pytest.mark.asyncio
async def test_component_interaction_routes_to_view(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.interaction_payload(
            "meeting", "rsvp", user_id=ALICE_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
        ),
    )
    first = (await fake.wait_for(lambda: fake.interaction_callbacks))[0]
    assert first.data["components"][0]["components"][0]["custom_id"] == "rsvp:yes"
    message_id = fake.interactions[first.interaction_id].original_message_id
    assert message_id is not None

    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.component_interaction_payload(
            "rsvp:yes", message_id=message_id, user_id=BOB_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
        ),
    )
    second = (await fake.wait_for(lambda: fake.interaction_callbacks[1:]))[0]
    assert second.type == 7 and second.status == 200
    updated = fake.message(message_id)
    assert updated is not None and updated["content"] == "RSVP: 1 attending"


@pytest.mark.asyncio
async def test_late_callback_is_rejected_like_discord(fake: FakeDiscord) -> None:
    fake.interaction_timeout = 0.2
    async with running_client(fake) as h:
        await fake.dispatch(
            "INTERACTION_CREATE",
            fake.interaction_payload(
                "meeting", "slow", user_id=ALICE_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
            ),
        )
        await fake.wait_for(lambda: h.errors)
    callback = fake.interaction_callbacks[0]
    assert callback.status == 404 and callback.elapsed is not None and callback.elapsed > 0.2
    error = h.errors[0]
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, discord.NotFound) and error.original.code == 10062


@pytest.mark.asyncio
async def test_voice_state_update(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "VOICE_STATE_UPDATE", fake.voice_state_payload(GUILD_ID, VOICE_ID, ALICE_ID, "alice")
    )
    # Handlers run as tasks; wait before the next update mutates the cached VoiceState.
    await fake.wait_for(lambda: h.voice)
    await fake.dispatch(
        "VOICE_STATE_UPDATE", fake.voice_state_payload(GUILD_ID, None, ALICE_ID, "alice")
    )
    await fake.wait_for(lambda: len(h.voice) == 2)
    assert h.voice == [(ALICE_ID, None, VOICE_ID), (ALICE_ID, VOICE_ID, None)]


@pytest.mark.asyncio
async def test_dropped_connection_is_resumed_with_replay(h: Harness) -> None:
    fake = h.fake
    await fake.drop_connection()
    # Dispatched while the socket is down: must be replayed after RESUME.
    await fake.dispatch(
        "MESSAGE_CREATE", fake.message_payload(TEXT_ID, GUILD_ID, BOB_ID, "bob", "missed me?")
    )
    await fake.wait_for(lambda: h.resumed and h.messages, timeout=10)
    assert [m.content for m in h.messages] == ["missed me?"]
    assert fake.resume_count == 1 and fake.identify_count == 1
    assert fake.gateway_paths == ["/gateway", "/resume-gateway"]
    assert fake.resume_payloads[0]["seq"] < fake.session_sequence()  # something was replayed
    assert h.client.ws is not None and h.client.ws.sequence == fake.session_sequence()

    # The session keeps working after the resume.
    await fake.dispatch(
        "MESSAGE_CREATE", fake.message_payload(TEXT_ID, GUILD_ID, BOB_ID, "bob", "after")
    )
    await fake.wait_for(lambda: len(h.messages) == 2)


@pytest.mark.asyncio
async def test_invalidated_session_identifies_again(h: Harness) -> None:
    fake = h.fake

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before a non-initial IDENTIFY; not what this test is about."""

    h.client.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    await fake.drop_connection(resumable=False)
    await fake.wait_for(lambda: fake.identify_count == 2 and fake.connected, timeout=10)
    await fake.dispatch(
        "MESSAGE_CREATE", fake.message_payload(TEXT_ID, GUILD_ID, BOB_ID, "bob", "hello again")
    )
    await fake.wait_for(lambda: h.messages)
    assert h.client.get_guild(GUILD_ID) is not None


@pytest.mark.asyncio
async def test_content_blank_without_message_content_intent(fake: FakeDiscord) -> None:
    async with running_client(fake, discord.Intents.default()) as h:
        await fake.dispatch(
            "MESSAGE_CREATE", fake.message_payload(TEXT_ID, GUILD_ID, ALICE_ID, "alice", "secret")
        )
        mention = f"<@{fake.bot_user_id}> hi"
        await fake.dispatch(
            "MESSAGE_CREATE", fake.message_payload(TEXT_ID, GUILD_ID, ALICE_ID, "alice", mention)
        )
        await fake.wait_for(lambda: len(h.messages) == 2)
        assert [m.content for m in h.messages] == ["", mention]
        assert not h.errors


@pytest.mark.asyncio
async def test_permissions_and_validation(h: Harness) -> None:
    private = h.client.get_channel(PRIVATE_ID)
    assert isinstance(private, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as forbidden:
        await private.send("hello")
    assert forbidden.value.code == 50013
    text = h.client.get_channel(TEXT_ID)
    assert isinstance(text, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await text.send("x" * 2001)
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as big_embed:
        await text.send(embed=discord.Embed(description="x" * 4097))
    assert big_embed.value.code == 50035


@pytest.mark.asyncio
async def test_components_past_discords_limits_are_refused_like_discord(h: Harness) -> None:
    """Link URL 512, label 80, custom_id 100 (the API's button schema): Discord refuses
    the whole message with 50035 and the path of the field."""
    text = h.client.get_channel(TEXT_ID)
    assert isinstance(text, discord.TextChannel)

    def view_with(**button: Any) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(**button))
        return view

    cases = [({"label": "Calendar", "url": "https://example.org/?" + "x" * 492}, "url", 512),
             ({"label": "x" * 81, "url": "https://example.org/"}, "label", 80),
             ({"label": "Go", "custom_id": "x" * 101}, "custom_id", 100)]
    for button, field_name, limit in cases:
        with pytest.raises(discord.HTTPException) as refused:
            await text.send("hi", view=view_with(**button))
        assert refused.value.code == 50035
        assert f"In components.0.components.0.{field_name}: Must be {limit} or fewer in " \
            "length." in str(refused.value)
    await text.send("hi", view=view_with(label="x" * 80, url="https://example.org/?" +
                                         "x" * 491))  # exactly at the limits: accepted
    assert h.fake.messages_in(TEXT_ID)[-1]["components"][0]["components"][0]["label"] == "x" * 80


@pytest.mark.asyncio
async def test_scheduled_events(h: Harness) -> None:
    fake = h.fake
    guild = h.client.get_guild(GUILD_ID)
    assert guild is not None
    start = discord.utils.utcnow() + timedelta(days=7)
    event = await guild.create_scheduled_event(
        name="TSC meeting",
        start_time=start,
        end_time=start + timedelta(hours=1),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="https://zoom.example/j/1",
        description="Agenda in the issue",
    )
    assert event.location == "https://zoom.example/j/1"
    assert [e["name"] for e in fake.scheduled_events(GUILD_ID)] == ["TSC meeting"]
    await fake.wait_for(lambda: h.events)  # GUILD_SCHEDULED_EVENT_CREATE echoed

    voice_channel = guild.get_channel(VOICE_ID)
    assert isinstance(voice_channel, discord.VoiceChannel)
    voice_event = await guild.create_scheduled_event(
        name="Voice sync", start_time=start, channel=voice_channel
    )
    assert voice_event.channel_id == VOICE_ID
    await voice_event.edit(name="Voice sync (moved)")
    fetched = await guild.fetch_scheduled_events()
    assert sorted(e.name for e in fetched) == ["TSC meeting", "Voice sync (moved)"]
    await voice_event.delete()
    assert len(fake.scheduled_events(GUILD_ID)) == 1

    # Discord rejects a start in the past; discord.py leaves entity_type out when it
    # is inferred from ``location`` alone, which Discord also rejects.
    with pytest.raises(discord.HTTPException) as past:
        await guild.create_scheduled_event(
            name="late",
            start_time=start - timedelta(days=30),
            end_time=start,
            entity_type=discord.EntityType.external,
            location="x",
        )
    assert past.value.code == 50035
    with pytest.raises(discord.HTTPException) as inferred:
        await guild.create_scheduled_event(
            name="inferred", start_time=start, end_time=start + timedelta(hours=1), location="x"
        )
    assert "entity_type" in str(inferred.value)


@pytest.mark.asyncio
async def test_strict_mode_reports_unhandled_routes() -> None:
    with pytest.raises(AssertionError, match="unhandled route: GET /guilds/1/bans"):
        async with FakeDiscord() as fake, aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bot {fake.token}"}
            async with session.get(f"{fake.api_base}/guilds/1/bans", headers=headers) as resp:
                assert resp.status == 404
    # Leaving the context restored discord.py's real endpoints.
    assert discord.http.Route.BASE == "https://discord.com/api/v10"


@pytest.mark.asyncio
async def test_ephemeral_edit_original_and_followup(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.interaction_payload(
            "meeting", "private", user_id=ALICE_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
        ),
    )
    await fake.wait_for(lambda: len(fake.messages_in(TEXT_ID)) == 2)
    original, followup = fake.messages_in(TEXT_ID)
    assert original["content"] == "only you (edited)" and original["flags"] & 64
    assert followup["content"] == "and a follow-up" and followup["flags"] & 64
    # Ephemeral messages are not broadcast over the gateway.
    assert not h.messages


@pytest.mark.asyncio
async def test_modal_submit(h: Harness) -> None:
    fake = h.fake
    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.interaction_payload(
            "meeting", "notes", user_id=ALICE_ID, guild_id=GUILD_ID, channel_id=TEXT_ID
        ),
    )
    modal = (await fake.wait_for(lambda: fake.interaction_callbacks))[0]
    assert modal.type == 9 and modal.data["custom_id"]
    await fake.dispatch(
        "INTERACTION_CREATE",
        fake.modal_submit_payload(
            modal.data["custom_id"],
            {"note": "ship it"},
            user_id=ALICE_ID,
            guild_id=GUILD_ID,
            channel_id=TEXT_ID,
        ),
    )
    await fake.wait_for(lambda: fake.messages_in(TEXT_ID))
    assert fake.messages_in(TEXT_ID)[-1]["content"] == "noted: ship it"


@pytest.mark.asyncio
async def test_guild_commands_and_dm_interaction(h: Harness) -> None:
    fake = h.fake
    guild = discord.Object(GUILD_ID)
    h.tree.copy_global_to(guild=guild)
    await h.tree.sync(guild=guild)
    assert [c["name"] for c in fake.commands(GUILD_ID)] == ["meeting"]
    # Registered for the guild: the builder fills data.guild_id so the tree finds it.
    payload = fake.interaction_payload(
        "meeting",
        "start",
        {"topic": "guild"},
        user_id=BOB_ID,
        guild_id=GUILD_ID,
        channel_id=TEXT_ID,
    )
    assert payload["data"]["guild_id"] == str(GUILD_ID)
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: fake.interaction_callbacks)
    assert fake.interaction_callbacks[0].data["content"] == "Started guild for 60 min"

    # A DM interaction (no guild) with the global command.
    await h.tree.sync()
    dm = fake.interaction_payload(
        "meeting",
        "start",
        {"topic": "dm"},
        user_id=BOB_ID,
        username="bob",
        guild_id=None,
        channel_id=fake.dm_channel_id(BOB_ID),
    )
    await fake.dispatch("INTERACTION_CREATE", dm)
    await fake.wait_for(lambda: len(fake.interaction_callbacks) == 2)
    assert fake.interaction_callbacks[1].status == 200


@pytest.mark.asyncio
async def test_dm_reactions_and_history(h: Harness) -> None:
    fake, client = h.fake, h.client
    bob = await client.fetch_user(BOB_ID)
    dm = await bob.send("Your meeting starts soon")
    assert fake.messages_in(dm.channel.id)[0]["content"] == "Your meeting starts soon"
    fake.dm_closed_users.add(ALICE_ID)
    with pytest.raises(discord.Forbidden) as closed:
        await (await client.fetch_user(ALICE_ID)).send("hi")
    assert closed.value.code == 50007

    channel = client.get_channel(TEXT_ID)
    assert isinstance(channel, discord.TextChannel)
    poll = await channel.send("RSVP with a reaction")
    await poll.add_reaction("\N{THUMBS UP SIGN}")
    reactions: list[tuple[str, int]] = []
    client.event(
        _named("on_raw_reaction_add", lambda p: reactions.append((str(p.emoji), p.user_id)))
    )
    await fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fake.reaction_payload(TEXT_ID, poll.id, ALICE_ID, "alice", "\N{THUMBS UP SIGN}"),
    )
    await fake.wait_for(lambda: reactions)
    assert reactions == [("\N{THUMBS UP SIGN}", ALICE_ID)]
    fetched = await channel.fetch_message(poll.id)
    assert fetched.reactions[0].count == 2
    voters = [u.id async for u in fetched.reactions[0].users()]
    assert sorted(voters) == sorted([fake.bot_user_id, ALICE_ID])
    history = [m.content async for m in channel.history(limit=10)]
    assert history[0] == "RSVP with a reaction"


@pytest.mark.asyncio
async def test_members_intent_chunks_and_error_injection(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.members = True
    async with running_client(fake, intents) as h:
        guild = h.client.get_guild(GUILD_ID)
        assert guild is not None and guild.chunked
        assert {m.name for m in guild.members} >= {"alice", "bob"}

        channel = guild.get_channel(TEXT_ID)
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next(
            "POST",
            rf"/channels/{TEXT_ID}/messages",
            status=403,
            body={"message": "Missing Access", "code": 50001},
        )
        with pytest.raises(discord.Forbidden):
            await channel.send("first try")
        fake.rate_limit_next("POST", rf"/channels/{TEXT_ID}/messages", retry_after=0.05)
        await channel.send("after a 429")
        assert [r.status for r in fake.requests_to("POST", rf"/channels/{TEXT_ID}/messages")] == [
            403,
            429,
            200,
        ]
        assert not h.errors


@pytest.mark.asyncio
async def test_guild_added_later_is_announced(h: Harness) -> None:
    fake = h.fake
    joined: list[int] = []
    h.client.event(_named("on_guild_join", lambda g: joined.append(g.id)))
    fake.add_guild(GUILD_ID + 1000, "Second", channels=[{"id": TEXT_ID + 1000, "name": "general"}])
    await fake.announce_guild(GUILD_ID + 1000)
    await fake.wait_for(lambda: joined)
    assert h.client.get_channel(TEXT_ID + 1000) is not None


@pytest.mark.asyncio
async def test_bad_token_and_disallowed_intents_fail_like_discord() -> None:
    async with FakeDiscord(disallowed_intents=GatewayIntents.MESSAGE_CONTENT) as fake:
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(client.start("wrong-token"), 5)
        await client.close()

        intents = discord.Intents.default()
        intents.message_content = True
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(client.start(fake.token), 5)
        assert not client.is_ready()
        await client.close()
