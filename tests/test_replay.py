"""`gavel replay` compiles minutes from a log in each format it knows, and reports the
lines it cannot read without losing the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from adapters.replay import parse_log, replay
from bot.config import Settings
from bot.events import Place
from bot.store import Database
from bot.store.history import logged_lines
from tests.conftest import SECURITY_WG

SETTINGS = Settings(groups=[SECURITY_WG])


def run(log: list[str]) -> str:
    result = replay(log, SETTINGS, SECURITY_WG, date(2024, 3, 7))
    assert result.problems == []
    return result.minutes


def test_meetbot_logs_with_minutes_seconds_and_bare_times_replay() -> None:
    minutes = run([
        "[14:00] <rafael> #startmeeting",
        "[14:00:30] <@ulises> #topic Release plan",
        "14:01 <joyce> #info the plan is ready",
        "[14:02] * joyce waves",
        "[14:05] <rafael> #endmeeting",
    ])
    assert minutes.startswith("# Node.js Security team Meeting 2024-03-07\n")
    assert "* Release plan\n  * the plan is ready\n" in minutes


def test_nick_colon_logs_replay() -> None:
    minutes = run(["rafael: #startmeeting", "ulises: #topic Budget", "ulises: #agreed yes",
                   "rafael: #endmeeting"])
    assert "* Budget\n  * Agreed: yes\n" in minutes


def test_json_lines_replay_with_edits_and_deletes() -> None:
    lines = [json.dumps(m) for m in [
        {"user": "rafael", "text": "#startmeeting", "ts": "2024-03-07T14:00:00Z", "id": "1"},
        {"user": "ulises", "text": "#info frist", "ts": 1709820060, "id": "2"},
        {"user": "ulises", "text": "#info gone", "ts": 1709820070, "id": "3"},
        {"type": "edit", "user": "ulises", "text": "#info first", "id": "2"},
        {"type": "delete", "user": "ulises", "id": "3"},
        {"user": "rafael", "text": "#endmeeting", "id": "4"},
    ]]
    minutes = run(lines)
    assert "- first\n" in minutes
    assert "frist" not in minutes and "gone" not in minutes


def test_a_log_without_start_or_end_is_one_meeting() -> None:
    minutes = run(["[09:00] <a> #info only a note"])
    assert "- only a note" in minutes


def test_unknown_lines_are_reported_by_number_and_the_rest_is_replayed() -> None:
    log = ["[14:00] <rafael> #startmeeting", "this is not a log line", "{not json",
           "[14:01] <rafael> #info kept", "[14:02] <rafael> #endmeeting"]
    result = replay(log, SETTINGS, SECURITY_WG, date(2024, 3, 7))
    assert [p.split(":")[0] for p in result.problems] == ["line 2", "line 3"]
    assert "not a chat line in a known format" in result.problems[0]
    assert "- kept" in result.minutes


def test_times_that_run_past_midnight_move_to_the_next_day() -> None:
    log = parse_log(["[23:59] <a> one", "[00:01] <a> two"], date(2024, 3, 7))
    assert [line.at.day for line in log.lines] == [7, 8]


def test_a_time_up_to_an_hour_back_stays_on_its_day_and_one_further_back_moves_on() -> None:
    """The day moves on only for a time more than an hour before the last (a clock set
    back a little is no new day), whichever line set the last time: an IRC line's, or a
    JSON line's, given in UTC for a meeting in another zone."""
    log = parse_log(["[23:30] <a> one", "[22:45] <a> set back", "[21:40] <a> next day"],
                    date(2024, 3, 7))
    assert [line.at.day for line in log.lines] == [7, 7, 8]
    json_first = parse_log(['{"user": "a", "text": "one", "ts": "2024-03-08T03:30:00Z"}',
                            "[22:45] <a> set back", "[21:15] <a> next day"],
                           date(2024, 3, 7), "America/New_York")  # 03:30Z is 22:30 there
    assert [line.at for line in json_first.lines] == [
        datetime(2024, 3, 8, 3, 30, tzinfo=UTC), datetime(2024, 3, 8, 3, 45, tzinfo=UTC),
        datetime(2024, 3, 9, 2, 15, tzinfo=UTC)]


def test_the_cli_writes_minutes_to_a_file_and_problems_to_stderr(tmp_path: Path) -> None:
    log = tmp_path / "2024-03-07.log"
    log.write_text("[14:00] <rafael> #startmeeting\ngarbage\n[14:01] <rafael> #info hello\n")
    output = tmp_path / "minutes.md"
    result = subprocess.run([sys.executable, "-m", "gavel", "replay", str(log),
                             "--template", "meetbot", "-o", str(output)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{log}: line 2: not a chat line in a known format (skipped): garbage" in result.stderr
    text = output.read_text()
    assert text.startswith("# Meeting 2024-03-07\n\nMeeting started by rafael at 14:00 UTC")
    assert "hello (rafael, 14:01)" in text


def test_chat_before_the_start_does_not_take_over_the_meeting() -> None:
    minutes = run(["[13:58] <bob> hello, anyone here?", "[14:00] <alice> #startmeeting Real Title",
                   "[14:01] <alice> #info kept", "[14:05] <alice> #endmeeting"])
    assert minutes.startswith("# Real Title 2024-03-07\n")
    assert "- kept" in minutes


def test_the_minutes_carry_the_logs_date_in_the_groups_own_zone() -> None:
    new_york = replace(SECURITY_WG, timezone="America/New_York")
    result = replay(["[00:30] <alice> #startmeeting", "[00:31] <alice> #info late night"],
                    Settings(groups=[new_york]), new_york, date(2026, 3, 19))
    assert result.minutes.startswith("# Node.js Security team Meeting 2026-03-19\n")


def test_a_log_of_two_meetings_says_which_minutes_it_gives() -> None:
    result = replay(["a: #startmeeting One", "a: #endmeeting", "a: #startmeeting Two",
                     "a: #info second", "a: #endmeeting"], SETTINGS, SECURITY_WG,
                    date(2024, 3, 7))
    assert result.minutes.startswith("# Two ")
    assert result.problems == ["the log holds 2 meetings: these are the minutes of the last one "
                               "(split the log to get each)"]


def test_a_byte_order_mark_and_irc_join_lines_are_not_problems() -> None:
    minutes = run(["\ufeff[14:00] <alice> #startmeeting Marked", "[14:00] -!- dave has joined",
                   "[14:01] *** carol quit", "[14:02] <alice> #info fine"])
    assert minutes.startswith("# Marked ")


def test_a_json_line_with_a_user_that_is_not_a_string_is_reported() -> None:
    result = replay(['{"user": "a", "text": "#startmeeting"}', '{"user": 5, "text": "x"}',
                     '{"user": "a", "text": ["x"]}'], SETTINGS, SECURITY_WG, date(2024, 3, 7))
    assert result.problems == ['line 2: a JSON message needs a "user" string',
                               'line 3: a JSON message\'s "text" must be a string']


def test_a_replay_counts_lines_said_as_a_kept_transcript_does(tmp_path: Path) -> None:
    """A replay's scratch database keeps no transcript (nothing reads it back there): the
    lines said per speaker, which MeetBot's layout lists, come out as they do from a
    database that keeps every line, as the live bot's does."""
    log = (Path(__file__).parent / "transcripts" / "meetbot-fedora-fesco.log").read_text()
    kept = Database.open(f"sqlite:///{tmp_path / 'kept.db'}")
    scratch = Database.scratch(tmp_path / "scratch.db")
    try:
        results = [replay(log.splitlines(), SETTINGS, SECURITY_WG, date(2024, 3, 7),
                          database=database, template="meetbot")
                   for database in (kept, scratch)]
        assert results[0].minutes == results[1].minutes
        assert "## People present (lines said)\n\n* zbyszek (10)\n* mhroncok (3)\n" in (
            results[1].minutes)
        with kept.transaction() as store:
            assert len(logged_lines(store, results[0].meeting_id)) >= 15  # (the archive's)
    finally:
        kept.close()
        scratch.close()


def test_a_read_of_the_scratch_database_never_puts_back_an_older_count(tmp_path: Path) -> None:
    """Without a transcript the count of lines said is all there is: a transaction that
    only read it, and ends after a writer's, must not replace the writer's count."""
    scratch = Database.scratch(tmp_path / "scratch.db")
    place, at = Place("replay", "wg"), datetime(2024, 3, 7, 14, 0, tzinfo=UTC)
    try:
        with scratch.transaction() as store:
            meeting = store.start_meeting(place, "Security WG", "WG", "2024-03-07", at, "a")
            store.log_line(meeting.id, at, "a", "a", "hello")
        with scratch.reading() as reader:
            assert reader.lines_said(meeting.id) == [("a", "a", 1)]
            with scratch.transaction() as writer:
                writer.log_line(meeting.id, at, "b", "b", "one")
                writer.log_line(meeting.id, at, "b", "b", "two")
        with scratch.reading() as store:
            assert store.lines_said(meeting.id) == [("b", "b", 2), ("a", "a", 1)]
    finally:
        scratch.close()
