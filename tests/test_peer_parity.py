"""What the peers' own minutes show, Gavel's replay shows: each expected value below was
recorded by running the peer itself on the log (scripts/compare_with_peers.py, which
says how each is set up and how their outputs are normalised), on 2026-12-03:

- MeetBot: GKernelCI/Gmeetbot (meetingology) at 7b3ea66b33c39eba393ad4b03082ac11447ed29f
- hcoop-meetbot: pronovic/hcoop-meetbot at a5c5c8d6e6f08f47b9704db14eac3d51d33c5de0
- scribe.perl: w3c/scribe2 at 52f0bf8a801cbbe344f326ea57256fbd6c2aac70 (version 246)

Only what Gavel deliberately does otherwise is left out (the script's DELIBERATE lists it
and why: one ballot per person where hcoop-meetbot counts every #vote line, #agreed from
anyone, #nick'd people not listed as present, a late present+ leaving the regrets).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from adapters.replay import replay
from bot.config import Group, Settings
from bot.minutes.data import meeting_data
from bot.store import Database

LOGS = Path(__file__).parent / "transcripts"
GROUP = Group(name="WG", title="Meeting", template="meetbot")


def replayed(tmp_path: Path, name: str) -> dict[str, Any]:
    database = Database.scratch(tmp_path / "replay.db")
    text = (LOGS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    result = replay(text, Settings(groups=[GROUP]), GROUP, date(2024, 1, 1), database=database)
    with database.transaction() as store:
        meeting = store.meeting(result.meeting_id)
        assert meeting is not None
        return meeting_data(store, meeting, GROUP, result.problems)


def speakers(data: dict[str, Any]) -> dict[str, int]:
    return {s["name"]: s["lines"] for s in data["speakers"]}


def notes(data: dict[str, Any], kind: str) -> list[tuple[str, list[str]]]:
    return [(n["text"], n["owners"]) for n in data["notes"] if n["kind"] == kind]


def test_fedora_meetbot_people_present_leave_out_zodbot(tmp_path: Path) -> None:
    # MeetBot's "People present (lines said)", zodbot's own lines not fed to it
    data = replayed(tmp_path, "meetbot-fedora-fesco.log")
    assert speakers(data) == {"zbyszek": 10, "mhroncok": 3, "dcantrell": 2}
    assert [t["title"] for t in data["topics"]] == ["#2912 Change: Drop i686 builds",
                                                    "Open floor"]


def test_fedora_meetingname_names_files_and_keeps_the_title(tmp_path: Path) -> None:
    # "#meetingname fesco" after "#startmeeting FESCO (2024-03-04)": MeetBot's minutes
    # head "FESCO (2024-03-04)"; an action naming nobody it knows is UNASSIGNED
    data = replayed(tmp_path, "meetbot-fedora-fesco-2024.log")
    assert data["title"] == "FESCO (2024-03-04)"
    assert notes(data, "action") == [
        ("NIRIK to update the change page with the opt-out", ["nirik"]),
        ("decathorpe and zbyszek to review the tooling patch", ["decathorpe", "Zbyszek"]),
        ("mattdm to announce on the devel list", [])]
    assert notes(data, "agreed") == [("APPROVED (+6, 0, -1)", [])]
    assert speakers(data) == {"sgallagh": 15, "nirik": 2, "decathorpe": 2, "Zbyszek": 1}


def test_meetingology_council_log_as_meetingology_minutes_it(tmp_path: Path) -> None:
    data = replayed(tmp_path, "meetingology-council-2024.log")
    assert data["title"] == "Ubuntu Community Council"
    assert [t["title"] for t in data["topics"]] == [
        "Review of previous action items", "Membership board appointments", "AOB"]
    assert notes(data, "action") == [
        ("amurray to chase the LoCo renewal replies", ["amurray"]),
        ("teward, madnuttah to announce the appointments on the discourse",
         ["madnuttah", "teward"])]  # madnuttah known by #nick only
    assert "oops wrong meeting" not in str(data["notes"])  # #undo
    # a changed vote counts once, a non-voter's +1 not at all: For 3, Against 0, Abstained 1
    [vote] = data["votes"]
    assert vote["tally"] == {"+1": 3, "-1": 0, "0": 1}
    assert vote["result"] == "motion accepted"
    assert speakers(data) == {"teward": 18, "amurray": 3, "mapreri": 5, "tsimonq2": 2,
                              "bashing-om": 1}


def test_hcoop_board_log_as_hcoop_meetbot_minutes_it(tmp_path: Path) -> None:
    data = replayed(tmp_path, "hcoop-meetbot-board-2024.log")
    assert data["title"] == "HCoop Board of Directors"
    assert [t["title"] for t in data["topics"]] == [
        "Treasurer's report", "Server upgrade", "Membership dues"]
    # hcoop lists the first under docelic "(aka DavorOcelic)": the #here alias names him
    assert notes(data, "action") == [
        ("DavorOcelic to write the upgrade plan", ["DavorOcelic"]),
        ("ntk test the backup restore on the new image", ["ntk"])]
    assert speakers(data) == {"pronovic": 15, "docelic": 3, "ntk": 6}
    assert [(v["question"], v["result"]) for v in data["votes"]] == [
        ("Upgrade all servers to Debian 12 before June", "motion accepted"),
        ("Keep the dues at the current level for 2024", "motion accepted")]


def test_wot_rrsagent_log_lists_each_chair_once(tmp_path: Path) -> None:
    wot = replayed(tmp_path, "w3c-rrsagent-wot.log")
    assert wot["chairs"] == ["McCool", "Sebastian"]  # "Chair: McCool" from McCool: once


def test_wot_topics_in_the_order_taken_up_with_their_agendum_numbers(tmp_path: Path) -> None:
    # scribe.perl's table of contents: "topic: Plugfest logistics", said during agendum 2,
    # comes before agendum 3, which "zakim, take up item 3" took up after it. The agenda
    # keeps its numbers: the new topic is agendum 4, and item 3 is still "Charter status".
    wot = replayed(tmp_path, "w3c-rrsagent-wot.log")
    assert [(t["title"], t["agendum"]) for t in wot["topics"]] == [
        ("Minutes review", 1), ("Testfest planning", 2), ("Plugfest logistics", 4),
        ("Charter status", 3)]
    charter = [n["text"] for n in wot["notes"] if n["topic"] == "Charter status"]
    assert charter[0] == "McCool: the charter goes to AC review next week"


def test_css_rrsagent_log_as_scribe_perl_minutes_it(tmp_path: Path) -> None:
    css = replayed(tmp_path, "w3c-rrsagent-css-2024.log")
    assert css["title"] == "CSSWG Telecon"
    assert [t["title"] for t in css["topics"]] == [
        "[css-grid] Masonry syntax", "[css-values] round() with no step",
        "[css-color] contrast-color() naming"]
    assert sorted(p["name"] for p in css["people"] if p["status"] == "present") == [
        "TabAtkins", "astearns", "emilio", "fantasai", "florian"]
    assert css["chairs"] == ["astearns"] and css["scribes"] == ["TabAtkins"]
    assert [text for text, _ in notes(css, "agreed")] == [
        "round() with no step defaults to a step of 1",
        "rename color-contrast() to contrast-color()"]
    assert [text for text, _ in notes(css, "action")] == [
        "TabAtkins to edit the values spec for the round() default",
        "fantasai to update the color-5 draft"]


def test_meetingology_done_accepted_and_rejected_items(tmp_path: Path) -> None:
    # meetingology's minutes: DONE, ACCEPTED (its #agreed) and REJECTED items
    data = replayed(tmp_path, "meetingology-foundations-2024.log")
    assert notes(data, "info")[0] == ("Done: bdrung uploaded the new initramfs-tools", [])
    assert notes(data, "agreed") == [
        ("dracut becomes the default initramfs generator in noble+1", [])]
    assert notes(data, "rejected") == [("backporting dracut as the default to noble", [])]
    assert notes(data, "action")[1] == (
        "schopin and bdrung to write the dracut transition plan", ["schopin", "bdrung"])


def test_aria_rrsagent_log_as_scribe_perl_minutes_it(tmp_path: Path) -> None:
    data = replayed(tmp_path, "w3c-rrsagent-aria-2024.log")
    assert [t["title"] for t in data["topics"]] == [
        "New Issue Triage", "Deep dive planning", "aria-actions"]
    assert [text for text, _ in notes(data, "agreed")] == [
        "hold the deep dive on May 16", "aria-actions goes to CR"]  # s/May 9/May 16/g
    assert notes(data, "action") == [
        ("Matt_King: write a test case for 2150", ["Matt_King"]),
        ("jamesn to ping the editors", ["jamesn"])]
    assert sorted(p["name"] for p in data["people"] if p["status"] == "present") == [
        "Matt_King", "jamesn"]  # present- spectranaut_
    assert sorted(data["scribes"]) == ["Matt_King", "spectranaut_"]
