"""Control characters in what people type: the note is saved without them, the minutes
compile, and a meeting can always be ended (SQLite and PostgreSQL, core and console)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.domain import NoteKind, Section
from bot.events import Place
from bot.store import Database
from bot.text import drop_control_characters, escape_markdown_html, has_control_characters
from tests.conftest import SECURITY_WG, Chat, acked, posts
from tests.test_console_process import ConsoleProcess


def test_notes_with_nul_and_forged_placeholders_are_saved_and_the_meeting_ends(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting Control characters")
    assert acked(chat.say("ulises", "#info before\x00after"))
    assert acked(chat.say("ulises", "#info \x000\x00"))
    assert acked(chat.say("ulises", "#info see <https://nodejs.org> \x001\x00 and <b>"))
    assert acked(chat.say("ulises", "#info bell\x07 escape\x1b[31m c1\x85 surrogate\udcff end"))
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- beforeafter\n" in minutes
    assert "- 0\n" in minutes
    assert "- see <https://nodejs.org> 1 and &lt;b&gt;\n" in minutes
    assert "- bell escape[31m c1 surrogate end\n" in minutes
    assert "\x00" not in minutes


def test_a_nick_with_control_characters_is_a_person_like_any_other(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting Control characters")
    assert acked(chat.say("ul\x00ises\x1b", "#here Ulises\x00 Gascon"))
    assert "Meeting ended" in posts(chat.say("rafael", "#endmeeting"))[0]
    with chat.bot.database.transaction() as store:
        [meeting] = store.meetings(limit=1)
        [attendance] = store.attendance(meeting.id)
        assert (attendance.person.user_id, attendance.person.name) == ("ulises", "Ulises Gascon")
        assert store.minutes_of(meeting.id) is not None


def test_the_escaper_keeps_autolinks_and_cannot_be_forged() -> None:
    # Notes saved by an earlier version may still hold NUL: they must compile literally.
    text = "\x000\x00 <https://a.org> \x001\x00 \x009\x00 <!channel>"
    assert escape_markdown_html(text) == \
        "\x000\x00 <https://a.org> \x001\x00 \x009\x00 &lt;!channel&gt;"


def test_a_note_saved_with_nul_by_an_earlier_version_still_ends_its_meeting(
        tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'gavel.db'}")
    try:
        chat = Chat(MeetingBot(database, Settings(groups=[SECURITY_WG])))
        chat.say("rafael", "#startmeeting Old data")
        with database.transaction() as store:  # what SQLite accepted before the fix
            meeting = store.running_meeting(Place("console", "wg"))
            assert meeting is not None
            store.add_note(meeting.id, "ulises", "ulises", datetime(2023, 1, 19, 15, 1,
                                                                    tzinfo=UTC),
                           NoteKind.INFO, "\x000\x00 <https://a.org>", None, Section.NONE)
        minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
        assert "- \x000\x00 <https://a.org>\n" in minutes
    finally:
        database.close()


def test_the_console_saves_a_nul_note_and_ends_the_meeting(tmp_path: Path,
                                                            database_url: str) -> None:
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send("#startmeeting NUL test")
    console.expect("Meeting started: NUL test")
    console.send("ulises: #info a\x00b")
    console.expect("✓ saved")
    console.send("ulises: #info \x000\x00")
    console.expect("✓ saved")
    assert console.process.stdin is not None
    console.process.stdin.buffer.write(b"ulises: #info caf\xe9 ok\n")  # not UTF-8
    console.process.stdin.flush()
    console.expect("✓ saved")
    console.send("#endmeeting")
    seen = console.expect("--- end ---")
    assert "gavel> - ab" in seen
    assert "gavel> - 0" in seen
    assert "gavel> - caf ok" in seen
    console.send("/quit")
    assert console.process.wait(timeout=30) == 0


def test_every_ascii_character_is_a_control_character_exactly_when_it_is_dropped() -> None:
    """ASCII text is checked by a path of its own (as bytes): each ASCII character, alone
    and inside a line, counts exactly when ``drop_control_characters`` removes it; other
    text takes the pattern's path, as a mixed line with the character shows."""
    for code in range(128):
        character = chr(code)
        for text in (character, f"a line {character} of chat", f"é {character}"):
            assert has_control_characters(text) == (
                drop_control_characters(text) != text), repr(text)
