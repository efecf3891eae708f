"""Minutes that look like the group's own: standing items found by the title people say,
the per-group style knobs ([groups.minutes]), the nodejs-tsc layout, and escaping only
what would render wrongly."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.handler import MeetingBot
from bot.config import Group, MinutesStyle, Settings
from bot.config_file import parse_settings
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat

VULN = "Vulnerability Review - https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"


def _meeting(database: Database, group: Group, lines: list[tuple[str, str]]) -> str:
    chat = Chat(MeetingBot(database, Settings(groups=[group])))
    chat.say("rafael", "#startmeeting")
    for who, text in lines:
        chat.say(who, text)
    return chat.minutes(chat.say("rafael", "#endmeeting"))


def test_a_topic_named_without_the_url_tail_ticks_the_standing_item(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        ("rafael", "#topic vulnerability review"),
        ("ulises", "#info VEX file has been published"),
        ("rafael", "#topic qa"),
        ("ulises", "#info any questions?")])
    assert f"- [X] {VULN}\n  - VEX file has been published\n" in minutes
    qa = minutes.split("## Q&A, Other")[1]
    assert "VEX file" not in qa and "any questions?" in qa
    assert minutes.count("Vulnerability Review") == 1  # no second, ad hoc item


def test_the_defaults_follow_the_most_recent_corpus_files(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        ("joyce", "#here Joyce Brum @joycebrum from GOSST"),
        ("rafael", "#agenda add nodejs/node#1 One"),
        ("rafael", "#agenda add nodejs/node#2 Two"),
        ("rafael", "#agreed we ship")])
    assert "* Joyce Brum from GOSST @joycebrum\n" in minutes
    assert "**security-wg-agenda** labeled issues" in minutes
    assert "[#1](https://github.com/nodejs/node/issues/1)\n* Two" in minutes  # no blank line
    assert ("* **Node.js Project Calendar**: <https://nodejs.org/calendar>\n\nClick `Add to "
            "Google Calendar` at the bottom left") in minutes
    assert "- Agreed: we ship\n" in minutes


def test_each_knob_changes_what_it_names(database: Database) -> None:
    style = MinutesStyle(present_line="Name: @handle", label_spelling="labelled",
                         calendar_name="Node.js Foundation Calendar",
                         calendar_text="Click `+GoogleCalendar` at the bottom right.",
                         blank_between_items=True, note_prefixes=False, label_first=False,
                         closing_heading="Questions")
    group = replace(SECURITY_WG, minutes=style)
    minutes = _meeting(database, group, [
        ("joyce", "#here Joyce Brum @joycebrum from GOSST"),
        ("robert", "#here Robert Waite"),
        ("rafael", "#agenda add nodejs/node#1 One"),
        ("rafael", "#agenda add nodejs/node#2 Two"),
        ("rafael", "#topic announcements"),
        ("rafael", "#info release on Tuesday"),
        ("rafael", "#agreed we ship"),
        ("rafael", "#topic questions"),
        ("rafael", "#info none")])
    assert "* Joyce Brum from GOSST: @joycebrum\n* Robert Waite\n" in minutes
    assert ("## Announcements\n\n- release on Tuesday\n- we ship\n\n*Extracted from "
            "**security-wg-agenda** labelled issues") in minutes
    assert "[#1](https://github.com/nodejs/node/issues/1)\n\n* Two" in minutes
    assert "## Questions\n\n* none\n" in minutes and "Q&A" not in minutes
    assert ("* **Node.js Foundation Calendar**: <https://nodejs.org/calendar>\n\n"
            "Click `+GoogleCalendar` at the bottom right.\n") in minutes


def test_the_older_present_line_and_a_remark_after_the_handle(database: Database) -> None:
    group = replace(SECURITY_WG, minutes=MinutesStyle(present_line="Name (@handle)"))
    minutes = _meeting(database, group, [
        ("antoine", "#here Antoine du Hamel @aduh95 (voting member)"),
        ("guy", "#here Guy Bedford (Guest)")])
    assert "* Antoine du Hamel (@aduh95) (voting member)\n* Guy Bedford (Guest)\n" in minutes


def test_a_handle_or_from_inside_parentheses_stays_in_the_name(database: Database) -> None:
    """A handle with a space (Security WG 2025-03-13) is no handle: the line keeps it whole
    instead of taking "@marco" and leaving "Marco Ippolito ippolito)". A "from" inside a
    remark is the remark's, not the affiliation; one after it still is."""
    group = replace(SECURITY_WG, minutes=MinutesStyle(present_line="Name (@handle)"))
    minutes = _meeting(database, group, [
        ("marco", "#here Marco Ippolito (@marco ippolito)"),
        ("adam", "#here Adam Korczynski (from team doing fuzzing)"),
        ("lee", "#here Lee Holmes (guest, from MS) @lee from Microsoft"),
        ("jo", "#here Jo (@jo) from Acme")])
    present = minutes.split("## Present")[1].split("## Agenda")[0]
    assert present == ("\n\n* Security wg team: @nodejs/security-wg\n"
                       "* Marco Ippolito (@marco ippolito)\n"
                       "* Adam Korczynski (from team doing fuzzing)\n"
                       "* Lee Holmes from Microsoft (@lee) (guest, from MS)\n"
                       "* Jo from Acme (@jo)\n\n")


TSC = Group(name="TSC", title="Node.js Technical Steering Committee (TSC) Meeting",
            github_org="nodejs", agenda_label="tsc-agenda", template="nodejs-tsc",
            standing_items=["Reminders", "CPC and Board Meeting Updates"])


def test_the_tsc_layout(database: Database) -> None:
    minutes = _meeting(database, TSC, [
        ("antoine", "#here Antoine du Hamel @aduh95 (voting member)"),
        ("rafael", "#meetinglink recording https://www.youtube.com/watch?v=N20irVFli0s"),
        ("rafael", "#agenda add https://github.com/nodejs/node/pull/63055 doc: downgrade "
                   "macOS x64 to Tier 2"),
        ("rafael", "#topic announcements"),
        ("rafael", "#info Node.js 26 is OUT"),
        ("rafael", "#info - <https://nodejs.org/en/blog/release/v26.0.0>"),
        ("rafael", "#topic reminders"),
        ("rafael", "#info Remember to nominate people"),
        ("rafael", "#topic nodejs/node#63055"),
        ("rafael", "#info Antoine: Apple will make Mac x64 EOL -> ship it in v26.1.0"),
        ("rafael", "#topic Strategic Initiatives"),
        ("rafael", "#info Skipped as we ran out of time")])
    assert minutes.startswith(
        "# Node.js Technical Steering Committee (TSC) Meeting 2023-01-19\n\n## Links\n\n"
        "* **Recording**: <https://www.youtube.com/watch?v=N20irVFli0s>\n\n## Present\n\n"
        "* Antoine du Hamel @aduh95 (voting member)\n\n## Agenda\n\n### Announcements\n\n"
        "* Node.js 26 is OUT\n  * <https://nodejs.org/en/blog/release/v26.0.0>\n\n"
        "### Reminders\n\n* Remember to nominate people\n\n"
        "### CPC and Board Meeting Updates\n\n*Extracted from **tsc-agenda** labeled issues "
        "and pull requests from the **nodejs org** prior to the meeting.\n\n"
        "### nodejs/node\n\n* doc: downgrade macOS x64 to Tier 2 "
        "[#63055](https://github.com/nodejs/node/pull/63055)\n"
        "  * Antoine: Apple will make Mac x64 EOL -> ship it in v26.1.0\n\n"
        "## Strategic Initiatives\n\n* Skipped as we ran out of time\n\n"
        "## Upcoming Meetings\n\n")
    assert "Q&A" not in minutes and "- [" not in minutes


def test_someone_known_only_by_their_handle_is_listed_by_it(database: Database) -> None:
    """The Security WG lists such a person as ``* @sam-github`` (2020-05-18); a name typed
    beside the handle, even one spelt like it, is kept (``UlisesGascon``, 2022-09-01)."""
    minutes = _meeting(database, SECURITY_WG, [
        ("sam-github", "#here @sam-github"),
        ("ulises", "#here UlisesGascon @ulisesgascon"),
        ("lirantal", "#here @lirantal from Snyk")])
    present = minutes.split("## Present\n\n")[1].split("\n\n")[0]
    assert present.splitlines()[-3:] == [
        "* @sam-github", "* UlisesGascon @ulisesgascon", "* @lirantal from Snyk"]


def test_a_word_on_the_next_meetings_goes_under_upcoming_meetings(database: Database) -> None:
    """The Security WG moved a meeting for the holidays and said so under Upcoming
    Meetings (2017-11-30), or listed the next date beside the calendar (2018-03-22)."""
    minutes = _meeting(database, SECURITY_WG, [
        ("rafael", "#topic qa"),
        ("rafael", "#info any questions?"),
        ("rafael", "#topic upcoming"),
        ("rafael", "#paragraph Due to holiday season we moved the next meeting to Jan 4."),
        ("rafael", "#info Next Security Working Group meeting on April 19")])
    assert minutes.split("## Upcoming Meetings\n\n")[1].startswith(
        "Due to holiday season we moved the next meeting to Jan 4.\n\n"
        "* **Node.js Project Calendar**: <https://nodejs.org/calendar>\n"
        "* Next Security Working Group meeting on April 19\n\n"
        "Click `Add to Google Calendar` at the bottom left")
    qa = minutes.split("## Q&A, Other")[1].split("## Upcoming Meetings")[0]
    assert "any questions?" in qa and "Jan 4" not in qa and "April 19" not in qa


def test_upcoming_notes_in_the_tsc_layout_too(database: Database) -> None:
    minutes = _meeting(database, TSC, [("rafael", "#topic Upcoming Meetings"),
                                       ("rafael", "#info No meeting on Dec 24")])
    assert minutes.split("## Upcoming Meetings\n\n")[1].startswith(
        "* **Node.js Project Calendar**: <https://nodejs.org/calendar>\n"
        "* No meeting on Dec 24\n\nClick `Add to Google Calendar`")
    assert "Dec 24" not in minutes.split("## Upcoming Meetings")[0]


def test_a_layout_and_its_knobs_are_read_from_the_config() -> None:
    settings = parse_settings({"groups": [{
        "name": "TSC", "template": "nodejs-tsc",
        "minutes": {"present_line": "Name: @handle", "label_spelling": "labelled",
                    "blank_between_items": True}}]}, "gavel.toml")
    style = settings.groups[0].minutes
    assert (style.present_line, style.label_spelling, style.blank_between_items) == (
        "Name: @handle", "labelled", True)


def test_markdown_escapes_only_what_would_render_wrongly(database: Database) -> None:
    minutes = _meeting(database, SECURITY_WG, [
        ("rafael", "#info signal < 1 -> retry, a > b"),
        ("rafael", "#info use `Map<string, T>` here, not <b>bold</b> or <!channel>")])
    assert "- signal < 1 -> retry, a > b\n" in minutes
    assert ("- use `Map<string, T>` here, not &lt;b&gt;bold&lt;/b&gt; or &lt;!channel&gt;\n"
            in minutes)


def test_a_long_meeting_has_no_run_of_blank_lines(database: Database) -> None:
    """A paragraph stands between blank lines, and the blank line closing each item meets
    them: a run, cut to one blank line. A long meeting's minutes are put together in parts
    (issue 16: holding all at once cost memory), and a run where two parts meet is cut too."""
    lines = []
    for n in range(1, 401):
        lines += [("rafael", f"#topic Item {n}"), ("rafael", f"#paragraph Said on {n}.")]
    minutes = _meeting(database, SECURITY_WG, lines)
    assert "\n\n\n" not in minutes and minutes.endswith("your own Google calendar.\n")
    closing = minutes.split("## Q&A, Other\n\n")[1].split("## Upcoming Meetings")[0]
    assert closing == "".join(f"* Item {n}\n\nSaid on {n}.\n\n" for n in range(1, 401))
