"""`gavel replay --format json` and `gavel minutes N --format json`: the meeting as data,
in the shape docs/meeting.schema.json documents (validated here, so the two agree)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.test_cli import TRANSCRIPT, gavel

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "meeting.schema.json").read_text())

LOG = """\
[15:00] <rafael> #startmeeting Security WG
[15:00] <rafael> #here Rafael Gonzaga @RafaelGSS
[15:01] <joyce> #here Joyce Brum @joycebrum from GOSST
[15:01] <rafael> #regrets Marco Ippolito
[15:02] <rafael> #agenda add nodejs/security-wg#859 Assessment against best practices
this line is in no chat format at all
[15:03] <rafael> #topic nodejs/security-wg#859
[15:04] <joyce> #info signal < 1 -> nothing to do
[15:04] <joyce> #info - a <b>detail</b>
[15:05] <rafael> #action joyce to open the PR
[15:06] <rafael> #topic qa
[15:06] <joyce> #idea a FAQ page
[15:07] <rafael> #topic upcoming
[15:07] <rafael> #info no meeting on Dec 24
[15:07] <rafael> #endmeeting
"""


def test_a_replay_prints_the_meeting_as_data(tmp_path: Path) -> None:
    log = tmp_path / "2023-01-19.log"
    log.write_text(LOG)
    result = gavel(tmp_path, "replay", str(log), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert (data["title"], data["date"]) == ("Security WG", "2023-01-19")
    assert data["people"] == [
        {"name": "Rafael Gonzaga", "github": "RafaelGSS", "affiliation": "",
         "status": "present"},
        {"name": "Joyce Brum", "github": "joycebrum", "affiliation": "GOSST",
         "status": "present"},
        {"name": "Marco Ippolito", "github": "", "affiliation": "", "status": "regrets"}]
    assert {"name": "joyce", "lines": 4} in data["speakers"]
    assert data["chairs"] == ["rafael"] and data["scribes"] == []
    assert data["topics"] == [{
        "title": "Assessment against best practices", "agendum": 1,
        "reference": "nodejs/security-wg#859",
        "url": "https://github.com/nodejs/security-wg/issues/859", "source": "github",
        "discussed": True, "subtopics": []}]
    notes = [(n["kind"], n["text"], n["topic"], n["depth"], n["author"], n["owners"])
             for n in data["notes"]]
    assert notes == [
        ("info", "signal < 1 -> nothing to do", "Assessment against best practices", 0,
         "joyce", []),
        ("info", "a <b>detail</b>", "Assessment against best practices", 1, "joyce", []),
        ("action", "joyce to open the PR", "Assessment against best practices", 0, "rafael",
         ["Joyce Brum"]),
        ("idea", "a FAQ page", "Q&A, Other", 0, "joyce", []),
        ("info", "no meeting on Dec 24", "Upcoming Meetings", 0, "rafael", [])]
    assert data["votes"] == []
    assert data["problems"] == [{"line": 6, "problem": "not a chat line in a known format "
                                 "(skipped): this line is in no chat format at all"}]


def test_a_stored_meeting_prints_as_data(tmp_path: Path) -> None:
    assert gavel(tmp_path, "run", "--user", "bob", stdin=TRANSCRIPT).returncode == 0
    markdown = gavel(tmp_path, "minutes", "1")
    assert markdown.stdout.startswith("# Budget review ")
    result = gavel(tmp_path, "minutes", "1", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["title"] == "Budget review" and data["chairs"] == ["bob"]
    assert data["topics"][0]["title"] == "Costs" and data["topics"][0]["source"] == "adhoc"
    assert [(n["kind"], n["owners"]) for n in data["notes"]] == [("action", ["ann"])]
    assert data["problems"] == []


def test_votes_and_subtopics_are_in_the_data(tmp_path: Path) -> None:
    log = tmp_path / "2023-01-19.log"
    log.write_text("[15:00] <rafael> #startmeeting\n"
                   "[15:01] <rafael> #topic Releases\n"
                   "[15:01] <rafael> #subtopic Dates\n"
                   "[15:02] <rafael> #votesrequired 3\n"
                   "[15:02] <rafael> #startvote Which day? Monday, Friday\n"
                   "[15:03] <rafael> #vote Friday\n"
                   "[15:03] <joyce> #vote Friday\n"
                   "[15:04] <rafael> #endvote\n"
                   "[15:05] <rafael> #motion Ship it\n"
                   "[15:06] <rafael> #endmeeting\n")
    result = gavel(tmp_path, "replay", str(log), "--format", "json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    [topic] = data["topics"][-1:]
    assert (topic["title"], topic["subtopics"]) == ("Releases", ["Dates"])
    assert data["votes"] == [
        {"question": "Which day?", "options": ["Monday", "Friday"],
         "tally": {"Monday": 0, "Friday": 2}, "result": "no result (quorum not met)",
         "quorum": False},
        {"question": "Ship it", "options": ["+1", "-1", "0"],
         "tally": {"+1": 0, "-1": 0, "0": 0}, "result": "", "quorum": None}]

