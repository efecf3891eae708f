"""One command table: a new command is one entry, and it shows up everywhere people look
(``#help``, Slack's ``/meeting help``, Discord's command tree); people are known by id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands.handler import MeetingBot
from bot.commands.table import COMMANDS, Entry, note_command
from bot.config import Settings
from bot.domain import NoteKind
from bot.effects import PrivateReply
from bot.events import Author, Event, EventKind, Place
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat, posts
from tests.discord_harness import (
    BOB,
    CAROL,
    GUILD,
    discord_settings,
    minutes_so_far,
    running_service,
    slash,
)
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.slack_harness import bound_to_slack, running_slack

# The one entry a new note command needs.
WITH_DECISION = COMMANDS.adding(note_command(
    NoteKind.AGREED, "decision", "#decision <text> — a decision, in other words",
    "Record a decision, in other words"))
HELP_LINE = "#decision <text> — a decision, in other words"


def _told(effects: list[object]) -> str:
    return "\n".join(e.text for e in effects if isinstance(e, PrivateReply))


def test_a_new_note_command_is_listed_in_help_and_takes_its_notes(database_url: str) -> None:
    database = Database.open(database_url)
    try:
        chat = Chat(MeetingBot(database, Settings(groups=[SECURITY_WG]),
                               commands=WITH_DECISION), Place("console", "main"))
        assert HELP_LINE in _told(chat.say("rafael", "#help"))
        chat.say("rafael", "#startmeeting")
        chat.say("rafael", "#decision we ship on Thursday")
        minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    finally:
        database.close()
    assert "Agreed: we ship on Thursday" in minutes


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_channel("C1", name="security-wg")
        yield server


async def test_a_new_note_command_is_in_slacks_usage_text(slack: FakeSlack, database_url: str,
                                                          tmp_path: Path) -> None:
    settings = Settings(groups=[bound_to_slack(SECURITY_WG)])
    async with running_slack(slack, database_url, str(tmp_path), settings,
                             commands=WITH_DECISION) as bot:
        assert await bot.command("help") == 200
        [usage] = await slack.async_wait_for_calls("chat.postEphemeral")
    assert "#decision &lt;text&gt; — a decision, in other words" in usage.args["text"]


async def test_a_new_note_command_is_in_discords_command_tree(fake: FakeDiscord, tmp_path: Path,
                                                              database_url: str) -> None:
    async with running_service(fake, discord_settings(tmp_path), database_url,
                               commands=WITH_DECISION):
        [meeting] = fake.commands(GUILD)
        [notes] = [o for o in meeting["options"] if o["name"] == "note"]
        assert notes["type"] == 2  # a subcommand group: room for more than 25
        decision = next(o for o in notes["options"] if o["name"] == "decision")
        assert decision["description"] == "Record a decision, in other words"
        assert [o["name"] for o in decision["options"]] == ["text"]
        assert len(meeting["options"]) <= 25
        await slash(fake, "start")
        await slash(fake, "decision", {"text": "We ship"}, subcommand_group="note")
        minutes = await minutes_so_far(fake)
    assert "Agreed: We ship" in minutes


async def test_discords_tree_has_room_for_more_top_level_commands(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    """``/meeting`` once held exactly 25 subcommands, Discord's most per level, so any new
    command broke the sync; chairs and scribes now share a group, and three more commands
    of the dialects' or memory's kind still fit."""
    more = COMMANDS.adding(*(
        Entry(f"extra{n}", "bot.commands.meeting:minutes_so_far", f"#extra{n} — a test command",
              discord=f"extra{n}", description=f"Extra command {n}") for n in range(3)))
    async with running_service(fake, discord_settings(tmp_path), database_url, commands=more):
        [meeting] = fake.commands(GUILD)
        names = [o["name"] for o in meeting["options"]]
        assert len(names) == 25 and {"extra0", "extra1", "extra2", "role"} <= set(names)
        [role] = [o for o in meeting["options"] if o["name"] == "role"]
        assert [o["name"] for o in role["options"]] == ["chair", "unchair", "scribe", "unscribe"]
        await slash(fake, "start")
        extra = await slash(fake, "extra2")
    assert extra.data["content"].startswith("# ")  # the minutes so far, privately


# -- people by id, never by name --------------------------------------------------------

AT = datetime(2024, 3, 7, 15, 0, tzinfo=UTC)


def _event(kind: EventKind, user_id: str, name: str, n: int, **more: object) -> Event:
    return Event(kind, Place("discord", "10", "1"), Author(user_id, name),
                 AT + timedelta(seconds=n), **more)  # type: ignore[arg-type]


def test_a_chair_named_by_mention_is_that_person_not_a_namesake(database_url: str) -> None:
    database = Database.open(database_url)
    try:
        bot = MeetingBot(database, Settings(groups=[SECURITY_WG]))
        say = EventKind.MESSAGE
        bot.handle(_event(say, "R1", "rafael", 1, text="#startmeeting"))
        assert posts(bot.handle(_event(say, "R1", "rafael", 2, text="#chair <@S2>",
                                       mentions={"S2": "Sam"}))) == [
            "Current chairs: rafael, Sam"]
        refused = bot.handle(_event(say, "S1", "Sam", 3, text="#lurk"))  # the other Sam
        assert _told(refused).startswith("Only a chair can use lurk.")
        assert "Lurking" in _told(bot.handle(_event(say, "S2", "Sam", 4, text="#lurk")))
    finally:
        database.close()


def test_voice_presence_follows_ids_through_handle(database_url: str) -> None:
    """Two people called Sam in the call: each joins and leaves as themselves; a roll
    (after a reconnect) catches up with who is there now."""
    database = Database.open(database_url)
    try:
        bot = MeetingBot(database, Settings(groups=[SECURITY_WG]))
        presence = EventKind.PRESENCE
        bot.handle(_event(EventKind.MESSAGE, "R1", "rafael", 1, text="#startmeeting"))
        bot.handle(_event(presence, "S1", "Sam", 2, action="join"))
        bot.handle(_event(presence, "S2", "Sam", 3, action="join"))
        bot.handle(_event(presence, "S1", "Sam", 4, action="leave"))
        bot.handle(_event(presence, "", "", 5, action="roll",
                          mentions={"S1": "Sam", "A1": "Ann"}))
        with database.transaction() as store:
            meeting = store.meetings(limit=1)[0]
            rows = {a.person.user_id: (a.how, a.left_at is not None)
                    for a in store.attendance(meeting.id)}
    finally:
        database.close()
    assert rows == {"S1": ("voice", False), "S2": ("voice", True), "A1": ("voice", False)}


async def test_a_discord_user_option_names_that_member_not_a_namesake(
        fake: FakeDiscord, tmp_path: Path, database_url: str) -> None:
    """Bob and Carol both go by "Bobby" here: making Carol chair makes Carol chair."""
    member = {"roles": [], "nick": "Bobby", "joined_at": "2023-01-01T00:00:00", "flags": 0}
    async with running_service(fake, discord_settings(tmp_path), database_url):
        await slash(fake, "start")
        chair = await slash(fake, "chair", [{"name": "person", "type": 6, "value": str(CAROL)}],
                            resolved={"users": {str(CAROL): fake.users[CAROL]},
                                      "members": {str(CAROL): member}},
                            subcommand_group="role")
        assert chair.data["content"] == "Current chairs: alice, Bobby"
        bob = await slash(fake, "on", user=BOB, username="bob", subcommand_group="lurk")
        assert bob.data["content"].startswith("Only a chair can use lurk.")
        carol = await slash(fake, "on", user=CAROL, username="carol",
                            subcommand_group="lurk")
        assert carol.data["content"].startswith("Lurking")


async def test_slack_mentions_reach_the_core_as_ids(slack: FakeSlack, database_url: str,
                                                    tmp_path: Path) -> None:
    """Two people called Sam: the one mentioned, and one only typed. Each keeps their own
    record; a name never stands for the mention (nor the mention for the name)."""
    slack.add_user("U8", name="sam", display_name="Sam")
    settings = Settings(groups=[bound_to_slack(SECURITY_WG)])
    async with running_slack(slack, database_url, str(tmp_path), settings) as bot:
        await bot.command("start")
        await slack.async_wait_for_calls("chat.postMessage")
        await bot.command("present <@U8|sam> from ACME, Sam from Umbrella")
        await slack.async_wait_for_calls("chat.postEphemeral")
        await bot.command("minutes")
        told = await slack.async_wait_for_calls("chat.postEphemeral", 2)
    present = told[1].args["text"].split("## Present", 1)[1].split("## Agenda", 1)[0]
    assert "* Sam from ACME\n" in present and "* Sam from Umbrella\n" in present


def test_a_new_w3c_word_is_read_like_the_built_in_ones(database_url: str) -> None:
    # The parser's quick check for chat is built from the table: a word a plugin adds
    # must pass it, in any case, as "RESOLUTION:" does.
    table = COMMANDS.adding(note_command(
        NoteKind.AGREED, "decision", "#decision <text> — a decision, in other words",
        "Record a decision, in other words", w3c=("decision:",)))
    database = Database.open(database_url)
    try:
        chat = Chat(MeetingBot(database, Settings(groups=[SECURITY_WG]), commands=table),
                    Place("console", "main"))
        chat.say("rafael", "#startmeeting")
        chat.say("rafael", "Decision : we ship on Thursday")
        chat.say("rafael", "decisions are hard")
        minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    finally:
        database.close()
    assert "Agreed: we ship on Thursday" in minutes
    assert "decisions are hard" not in minutes
