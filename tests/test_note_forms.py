"""The note forms scribes of the Node.js minutes use, typed in chat: a paragraph of prose
(``#paragraph``), a point beside the agenda items rather than under one (``#info < ...``),
nesting six levels deep (``#info ------ ...``), and the group's name for its notes link
(``[groups.minutes] doc_link_name``). Each test reads the minutes a member would see."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from bot.commands.handler import MeetingBot
from bot.commands.table import COMMANDS, usage_text
from bot.config import Group, MinutesStyle, Settings
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat
from tests.test_cli import gavel
from tests.test_meeting_json import SCHEMA
from tests.test_minutes_layouts import TSC

VULN = "Vulnerability Review - https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"


def _meeting(database: Database, group: Group, lines: list[str]) -> str:
    chat = Chat(MeetingBot(database, Settings(groups=[group])))
    chat.say("rafael", "#startmeeting")
    for text in lines:
        chat.say("rafael", text)
    return chat.minutes(chat.say("rafael", "#endmeeting"))


def test_a_paragraph_under_an_item_is_prose_after_its_notes(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        "#agenda add nodejs/security-wg#114 Report Template proposition",
        "#agenda add nodejs/security-wg#111 Evangelism and Communication",
        "#topic nodejs/security-wg#114",
        "#info great contribution",
        "#paragraph Notes: We updated the Hacker1 form. Issue closed.",
        "#topic nodejs/security-wg#111",
        "#para -- end of the meeting --"])
    assert ("* Report Template proposition [#114](https://github.com/nodejs/security-wg/issues/"
            "114)\n  * great contribution\n\nNotes: We updated the Hacker1 form. Issue closed.\n"
            "\n* Evangelism and Communication [#111](https://github.com/nodejs/security-wg/"
            "issues/111)\n\n-- end of the meeting --\n\n## Q&A, Other") in minutes


def test_a_paragraph_after_a_standing_item_and_in_a_section(database: Database) -> None:
    after = replace(SECURITY_WG, minutes=MinutesStyle(label_first=False))
    minutes = _meeting(database, after, [
        "#topic announcements",
        "#paragraph Rafael gave a presentation on Node.js Collab Summit.",
        "#topic vulnerability review",
        "#paragraph There is only one issue about a CVE disclosed by zlib.",
        "#topic qa",
        "#para No questions this time."])
    assert ("## Announcements\n\nRafael gave a presentation on Node.js Collab Summit.\n\n"
            "*Extracted from") in minutes
    assert (f"- [X] {VULN}\n\nThere is only one issue about a CVE disclosed by zlib.\n"
            ) in minutes
    assert "## Q&A, Other\n\nNo questions this time.\n\n## Upcoming Meetings" in minutes


def test_a_point_beside_the_items_and_the_notes_under_it(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        "#agenda add nodejs/security-wg#88 Third party triage team",
        "#topic nodejs/security-wg#88",
        "#info report is out",
        "#info < We need more publicity on that topic:",
        "#info blog post",
        "#info - on the foundation's blog",
        "#info < Kicking off the triage team of the ecosystem"])
    assert ("* Third party triage team [#88](https://github.com/nodejs/security-wg/issues/88)\n"
            "  * report is out\n"
            "* We need more publicity on that topic:\n"
            "  * blog post\n"
            "    * on the foundation's blog\n"
            "* Kicking off the triage team of the ecosystem\n") in minutes


def test_a_point_beside_a_standing_item(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        "#topic vulnerability review",
        "#info nothing new",
        "#info < Node.js 16.x went EOL this week, reminder UPGRADE!"])
    assert (f"- [X] {VULN}\n  - nothing new\n"
            "- Node.js 16.x went EOL this week, reminder UPGRADE!\n") in minutes


def test_outside_an_item_a_point_beside_is_a_plain_note(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        "#topic announcements", "#info < Node.js 26 is out", "#info - today",
        "#info <3 the release team"])
    assert "- Node.js 26 is out\n  - today\n- <3 the release team\n" in minutes


def test_notes_nest_six_levels_and_no_deeper(database: Database) -> None:
    minutes = _meeting(database, TSC, [
        "#topic CPC and Board Meeting Updates",
        "#info Discussion about the esp program",
        "#info - Joyee",
        "#info -- asked about the results",
        "#info --- Robin, yes",
        "#info ---- Claudio, there was some discussion",
        "#info ----- Page",
        "#info ------ Referral links in the top third of the page",
        "#info ------- cut here"])
    assert ("* Discussion about the esp program\n"
            "  * Joyee\n"
            "    * asked about the results\n"
            "      * Robin, yes\n"
            "        * Claudio, there was some discussion\n"
            "          * Page\n"
            "            * Referral links in the top third of the page\n"
            "* ------- cut here\n") in minutes


def test_the_minutes_doc_link_is_named_as_the_group_names_it(database: Database) -> None:
    issue = "https://github.com/nodejs/TSC/issues/1652"
    plain = _meeting(database, TSC, [f"#meetinglink doc {issue}"])
    assert f"* **Minutes**: <{issue}>\n" in plain
    named = replace(TSC, name="TSC named", minutes=MinutesStyle(
        doc_link_name="Minutes Google Doc"))
    minutes = _meeting(database, named, [f"#meetinglink doc {issue}"])
    assert f"* **Minutes Google Doc**: <{issue}>\n" in minutes


def test_an_edited_paragraph_keeps_its_dashes(database: Database) -> None:
    chat = Chat(MeetingBot(database, Settings(groups=[SECURITY_WG])))
    chat.say("rafael", "#startmeeting")
    chat.say("rafael", "#topic qa")
    chat.say("rafael", "#paragraph end of the meeting", message_id="p1")
    chat.edit("rafael", "p1", "#paragraph -- end of the meeting --")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "## Q&A, Other\n\n-- end of the meeting --\n\n## Upcoming" in minutes


def test_the_meetbot_layout_lists_a_paragraph_as_an_entry(database: Database) -> None:
    group = replace(SECURITY_WG, template="meetbot")
    minutes = _meeting(database, group, [
        "#agenda add nodejs/node#1 One", "#topic nodejs/node#1", "#info < beside",
        "#paragraph Some prose."])
    assert ("1. **One** (https://github.com/nodejs/node/issues/1)\n   * beside (rafael, "
            "15:01)\n   * Some prose. (rafael, 15:01)\n") in minutes


def test_the_meeting_data_names_a_paragraph_and_a_point_beside(tmp_path: Path) -> None:
    log = tmp_path / "2023-01-19.log"
    log.write_text("[15:00] <rafael> #startmeeting Security WG\n"
                   "[15:01] <rafael> #agenda add nodejs/node#1 One\n"
                   "[15:02] <rafael> #topic nodejs/node#1\n"
                   "[15:03] <rafael> #paragraph Some prose.\n"
                   "[15:04] <rafael> #info < beside\n"
                   "[15:05] <rafael> #endmeeting\n")
    result = gavel(tmp_path, "replay", str(log), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert [(n["kind"], n["text"], n["depth"]) for n in data["notes"]] == [
        ("paragraph", "Some prose.", 0), ("info", "beside", -1)]


def test_help_lists_the_new_forms() -> None:
    text = usage_text()
    assert "#paragraph <text> (or #para)" in text
    assert "'< text' sets it beside the agenda items" in text
    assert COMMANDS.words["para"] == "paragraph"
