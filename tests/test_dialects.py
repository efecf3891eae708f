"""The peers' dialects: real-style logs of meetingology, Fedora's MeetBot, Mootbot,
hcoop-meetbot and W3C RRSAgent/Zakim replay into the topics, actions with owners,
resolutions, attendees, titles and vote results their own minutes show; the same
commands work live (the speaker queue, votes, the chair-only topic option)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from adapters.replay import replay
from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.effects import Post
from bot.store import Database
from tests.conftest import Chat, posts, private

LOGS = Path(__file__).parent / "transcripts"
GROUP = Group(name="WG", title="Meeting", template="meetbot")


def replayed(name: str, group: Group = GROUP, day: date = date(2023, 1, 1)) -> str:
    text = (LOGS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    result = replay(text, Settings(groups=[group]), group, day)
    assert result.problems == []
    return result.minutes


def section(minutes: str, title: str) -> str:
    """One topic's block of a MeetBot-layout summary."""
    start = minutes.index(f"1. **{title}**")
    end = minutes.find("\n1. **", start + 1)
    return minutes[start:end if end != -1 else minutes.index("Meeting ended")]


def test_meetingology_topics_subtopics_progress_votes_and_help() -> None:
    minutes = replayed("meetingology-ubuntu-tb.log")
    assert minutes.startswith("# Ubuntu Technical Board meeting 2023-01-01\n")  # #meetingtopic
    review = section(minutes, "Action review")
    assert "Subtopic: seb128 to follow up on the flavour status" in review
    assert "Progress: spoke to the flavour leads, two replied" in review
    policy = section(minutes, "Third party repository policy")
    # ogra is not among the #voters; rbasak's "+0 not read it fully yet" abstains.
    assert ("Vote: Approve the third party repository policy as drafted (For 3, Against 0, "
            "Abstained 1; quorum of 3 met) Result: motion accepted") in policy
    assert "Help wanted: we need a reviewer for the snap store policy" in policy
    assert "Agreed: the policy is approved and will be published this week" in policy
    assert "* seb128\n  * seb128 to chase the remaining flavour leads" in minutes
    assert "* rbasak\n  * rbasak to publish the policy on discourse" in minutes
    assert "meetingology" not in minutes.split("## People present")[1]  # a bot, no person


def test_meetbot_startvote_counts_one_changeable_vote_per_person() -> None:
    minutes = replayed("meetbot-fedora-fesco.log")
    topic = section(minutes, "#2912 Change: Drop i686 builds")
    assert "Vote: Which release drops i686? (F40 0, F41 3) Result: F41" in topic
    assert "Action (dcantrell): dcantrell to announce the i686 change" in topic


def test_mootbot_brackets_in_any_case_keep_every_topic_action_and_the_vote() -> None:
    minutes = replayed("mootbot-ubuntu-2008.log")
    for title in ("Review actions from last meeting", "Archive reorganisation",
                  "Language packs"):
        assert f"1. **{title}**" in minutes
    archive = section(minutes, "Archive reorganisation")
    assert "Idea: split universe by maintainer team" in archive
    assert "https://wiki.ubuntu.com/ArchiveReorganisation (Keybuk" in archive
    assert ("Vote: Adopt the archive reorganisation spec (For 2, Against 1, Abstained 0) "
            "Result: motion accepted") in archive
    assert "Agreed: the spec is adopted" in archive
    assert "Progress: the langpack exports run daily again" in section(minutes, "Language packs")
    actions = minutes.split("## Action items, by person")[1]
    for owner, text in (("sabdfl", "draft the archive"), ("pitti", "mail his concerns"),
                        ("Keybuk", "review the upstart patches")):
        assert f"* {owner}\n  * {owner} to {text}" in actions


def test_hcoop_motions_close_with_their_tally_or_as_declared() -> None:
    minutes = replayed("hcoop-meetbot-irssi.log")
    assert minutes.startswith("# Meeting 2023-01-19\n")  # irssi's "Log opened" date
    assert ("Vote: Renew all domains with the current registrar for two years (For 3, "
            "Against 0, Abstained 0) Result: motion accepted") in minutes  # clinton changed
    backup = section(minutes, "Backup server")
    assert "Vote: Buy a second backup disk (For 1, Against 0, Abstained 0) Result: " \
           "inconclusive" in backup
    assert "Vote: Move the backups off site (For 0, Against 2, Abstained 0) Result: " \
           "motion failed" in backup
    assert "* ntk\n  * ntk to price a second backup disk" in minutes


def test_a_w3c_log_is_one_meeting_with_its_header_scribe_and_corrections() -> None:
    minutes = replayed("w3c-rrsagent-wot.log")
    assert minutes.startswith("# WoT Plenary 2023-01-19\n")  # Meeting:, Date:
    assert "Agenda: https://www.w3.org/WoT/IG/wiki/WG_WoT_Main_Call#January_19" in minutes
    review = section(minutes, "Minutes review")  # zakim, take up item 1
    assert "McCool: any objections to approving the January 12 minutes? none heard" in review
    assert "Agreed: the January 12 minutes are approved" in review
    testfest = section(minutes, "Testfest planning")  # next item
    lines = [line.strip() for line in testfest.splitlines() if line.strip().startswith("*")]
    assert [line.split(" (kaz")[0] for line in lines] == [
        "* Subtopic: Dates",
        "* Sebastian: we need a venue first",  # i/propose the week/.../
        "* Ege: propose the week of March 13 hosted online",  # ... continues
        "* McCool: online is fine with me",
        "* Action (Ege_Korkan): Ege to send the testfest call for participation to the "
        "member list",  # s/// on the last line that holds the words
    ]
    assert "1. **Plugfest logistics**" in minutes  # s/// on the topic
    assert "McCool: the charter goes to AC review" in section(minutes, "Charter status")
    present = minutes.split("## Marked present")[1]
    for name in ("Michael_McCool", "Kaz_Ashimura", "Sebastian_Kaebisch", "Ege_Korkan",
                 "Tomoaki_Mizushima"):
        assert f"* {name}\n" in present
    assert "Daniel_Peintner" not in present  # present-
    said = minutes.split("## People present (lines said)")[1].split("##")[0]
    assert "RRSAgent" not in said and "Zakim" not in said
    assert "make log public" not in minutes and "I see McCool" not in minutes


def _chat(database: Database, group: Group) -> Chat:
    return Chat(MeetingBot(database, Settings(groups=[group])))


def _inserted_before_an_action(database: Database) -> Chat:
    """The chair's action (m4) between two notes, and alice's ``i/`` before it (m6)."""
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    chat.say("bob", "here")
    chat.say("chair", "#info keys first")
    assert posts(chat.say("chair", "#action bob to rotate the signing key")) == [
        "Action A-1 (bob): bob to rotate the signing key"]
    chat.say("chair", "#info then the rest")
    chat.say("alice", "i/rotate/harmless aside/")
    return chat


def summary_notes(minutes: str) -> list[str]:
    """The summary's notes, without who took them and when."""
    summary = minutes[minutes.index("## Meeting summary"):minutes.index("Meeting ended")]
    return [line.strip().rsplit(" (", 1)[0] for line in summary.splitlines()
            if line.strip().startswith("* ")]


def test_an_insertion_is_a_note_of_its_own_before_the_anchor(database: Database) -> None:
    chat = _inserted_before_an_action(database)
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* harmless aside", "* Action (bob): bob to rotate the signing key",
        "* then the rest"]
    assert "* harmless aside (alice, " in minutes  # alice's note, the action the chair's
    assert "* Action (bob): bob to rotate the signing key (chair, " in minutes
    assert private(chat.slash("chair", "actions all")) == [
        "Open actions (WG's):\nbob\n  A-1 bob to rotate the signing key"]
    chat.say("bob", "#done A-1")
    assert private(chat.slash("chair", "actions all")) == ["No open actions (WG's)."]


def test_deleting_an_inserting_line_removes_only_the_inserted_note(database: Database) -> None:
    """Alice's insertion and her deleting it leave the chair's action as it was (it was
    undone: an action moved to another note id and a delete of the line took it along)."""
    chat = _inserted_before_an_action(database)
    chat.delete("alice", "m6")
    assert private(chat.say("alice", "#undo")) == ["Nothing to undo."]
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* Action (bob): bob to rotate the signing key", "* then the rest"]
    assert private(chat.slash("chair", "actions all")) == [
        "Open actions (WG's):\nbob\n  A-1 bob to rotate the signing key"]
    assert private(chat.say("bob", "#done A-1")) == []
    assert private(chat.slash("chair", "actions all")) == ["No open actions (WG's)."]


def test_undoing_an_insertion_removes_only_the_inserted_note(database: Database) -> None:
    chat = _inserted_before_an_action(database)
    assert posts(chat.say("alice", "#undo")) == ["Removed info: harmless aside"]
    assert private(chat.say("alice", "#undo")) == ["Nothing to undo."]
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* Action (bob): bob to rotate the signing key", "* then the rest"]
    assert "A-1 bob to rotate the signing key" in private(chat.slash("chair", "actions"))[0]


def test_editing_an_inserting_line_changes_only_the_inserted_note(database: Database) -> None:
    """An edited line that is no note any more takes its note away, here the inserted one
    (an edited ``i/`` is not run again, as an edited ``#topic`` is not)."""
    chat = _inserted_before_an_action(database)
    chat.edit("alice", "m6", "never mind")
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* Action (bob): bob to rotate the signing key", "* then the rest"]
    assert "A-1 bob to rotate the signing key" in private(chat.slash("chair", "actions"))[0]


def test_an_action_follows_its_message_edit_after_an_insertion(database: Database) -> None:
    chat = _inserted_before_an_action(database)
    chat.edit("chair", "m4", "#action bob to rotate the signing key today")
    assert private(chat.slash("chair", "actions all")) == [
        "Open actions (WG's):\nbob\n  A-1 bob to rotate the signing key today"]
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* harmless aside",
        "* Action (bob): bob to rotate the signing key today", "* then the rest"]


def test_insertions_before_one_note_keep_the_order_they_were_made_in(
        database: Database) -> None:
    """Two before the same anchor: the second just before it (scribe.perl's rule); one
    before an inserted note goes between it and the note before."""
    chat = _inserted_before_an_action(database)
    chat.say("carol", "i/rotate/second aside/")
    chat.say("carol", "i/harmless/before the first aside/")
    chat.say("chair", "#info last")
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert summary_notes(minutes) == [
        "* keys first", "* before the first aside", "* harmless aside", "* second aside",
        "* Action (bob): bob to rotate the signing key", "* then the rest", "* last"]


def test_the_speaker_queue_works_live_and_starts_afresh_with_each_topic(
        database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    chat.say("chair", "#topic Budget")
    chat.say("alice", "q+")
    chat.say("bob", "q+ to ask about travel")
    assert posts(chat.say("carol", "q?")) == ["Queue: alice, bob (to ask about travel)"]
    assert posts(chat.say("chair", "ack alice")) == ["alice, you have the floor."]
    chat.say("bob", "q-")
    assert posts(chat.say("chair", "q?")) == ["The queue is empty."]
    chat.say("dave", "q+")
    chat.say("chair", "#topic Travel")
    assert posts(chat.say("carol", "q?")) == ["The queue is empty."]


def test_agenda_driving_with_zakim_phrases(database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    for item in ("Budget", "Travel", "Hiring"):
        chat.say("chair", f"agenda+ {item}")
    assert private(chat.say("alice", "zakim, agenda?")) == [
        "Agenda:\n  1. Budget\n  2. Travel\n  3. Hiring"]
    assert posts(chat.say("chair", "zakim, take up item 2")) == ["Topic: Travel"]
    assert posts(chat.say("chair", "next item")) == ["Topic: Hiring"]
    chat.say("chair", "close item 1")
    chat.say("chair", "#info hiring is frozen")
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert "1. **Hiring**\n   * hiring is frozen" in minutes


def test_a_topic_said_mid_agenda_is_listed_where_it_was_taken_up(database: Database) -> None:
    # MeetBot and scribe.perl list topics in the order the meeting took them up; Zakim's
    # agendum numbers stay as they were when added, so "take up item 3" is still Hiring.
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    for item in ("Budget", "Travel", "Hiring"):
        chat.say("chair", f"agenda+ {item}")
    chat.say("chair", "zakim, take up item 1")
    chat.say("chair", "#info the budget is approved")
    chat.say("scribe", "topic: Office move")
    chat.say("scribe", "#info the move is in March")
    assert posts(chat.say("chair", "zakim, take up item 3")) == ["Topic: Hiring"]
    chat.say("chair", "#info hiring is frozen")
    assert private(chat.say("alice", "zakim, agenda?")) == [
        "Agenda:\n  1. Budget\n  2. Travel\n→ 3. Hiring\n  4. Office move"]
    chat.say("chair", "close item 2")  # closed, never taken up: no topic of the minutes
    chat.say("chair", "agenda+ AOB")
    # The agenda's next after Hiring is agendum 4: taken up again, it keeps its place.
    assert posts(chat.say("chair", "next item")) == ["Topic: Office move"]
    assert posts(chat.say("chair", "next item")) == ["Topic: AOB"]
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    summary = minutes[minutes.index("## Meeting summary"):minutes.index("Meeting ended")]
    assert [line for line in summary.splitlines() if line.startswith("1. **")] == [
        "1. **Budget**", "1. **Office move**", "1. **Hiring**", "1. **AOB**"]
    assert "1. **Office move**\n   * the move is in March" in minutes


def test_a_vote_is_a_message_with_buttons_and_a_ballot_can_change(database: Database) -> None:
    group = replace(GROUP, voters=["alice", "bob", "carol"], votes_required=2)
    chat = _chat(database, group)
    chat.say("alice", "#startmeeting")
    [opened] = [e for e in chat.say("alice", "#startvote Ship it? yes, no") if
                isinstance(e, Post)]
    assert [(b.action, b.label) for b in opened.buttons] == [("vote:1:0", "yes"),
                                                            ("vote:1:1", "no")]
    assert private(chat.press("bob", "vote:1:0")) == ["Your vote is yes: Ship it?"]
    assert private(chat.press("bob", "vote:1:1")) == ["Your vote is now no: Ship it?"]
    assert private(chat.press("mallory", "vote:1:0")) == [
        "Only the group's voting members may vote: alice, bob, carol."]
    [closed] = posts(chat.say("alice", "#endvote"))
    assert closed.startswith("Vote: Ship it? (yes 0, no 1; quorum of 2 not met) Result: no "
                             "result (quorum not met)")
    assert private(chat.press("carol", "vote:1:0")) == [
        "This vote is closed: no result (quorum not met)"]
    minutes = chat.minutes(chat.say("alice", "#endmeeting"))
    assert "Vote: Ship it? (yes 0, no 1; quorum of 2 not met)" in minutes


def test_a_vote_has_as_many_options_as_a_message_has_buttons(database: Database) -> None:
    """Discord refuses a message of more than 25 buttons (the vote stayed open with nothing
    to press); a longer list is refused at once and no vote opens."""
    chat = _chat(database, GROUP)
    chat.say("alice", "#startmeeting")
    many = ", ".join(f"o{n}" for n in range(21))
    assert private(chat.say("bob", f"#startvote Which? {many}")) == [
        "A vote takes at most 20 options (each is a button); this one has 21: shorten the "
        "list and start it again."]
    [opened] = [e for e in chat.say("bob", "#startvote Which? " + many.rsplit(", ", 1)[0])
                if isinstance(e, Post)]
    assert len(opened.buttons) == 20


def test_votes_required_takes_a_number_a_quorum_can_be(database: Database) -> None:
    """A number past the database's integer left every later close failing."""
    chat = _chat(database, GROUP)
    chat.say("alice", "#startmeeting")
    usage = ["Usage: #votesrequired <N>, a number from 0 (no quorum) to 10,000"]
    for given in ("9999999999999999999999", "10001", "²", "two"):
        assert private(chat.say("alice", f"#votesrequired {given}")) == usage, given
    chat.say("alice", "#votesrequired 2")
    chat.say("alice", "#startvote Ship it?")
    chat.say("bob", "#vote +1")
    assert posts(chat.say("alice", "#endvote"))[0].startswith(
        "Vote: Ship it? (For 1, Against 0, Abstained 0; quorum of 2 not met)")
    assert private(chat.press("bob", "vote:²:0")) == [
        "This vote belongs to a meeting that has ended."]


def test_a_number_longer_than_python_reads_is_answered_not_a_failed_turn(
        database: Database) -> None:
    """``int()`` refuses more than 4,300 digits, which a chat line holds: such a number is
    no item, no quorum and no count, answered as any other."""
    chat = _chat(database, GROUP)
    chat.say("alice", "#startmeeting")
    chat.say("alice", "#agenda add Budget")
    huge = "1" * 5000
    assert private(chat.say("alice", f"#votesrequired {huge}")) == [
        "Usage: #votesrequired <N>, a number from 0 (no quorum) to 10,000"]
    assert private(chat.say("alice", f"#topic {huge}")) == [
        f"There is no item {huge[:40]}…: the agenda has 1 items (#agenda lists them)."]
    assert chat.say("alice", f"close item {huge}") == []
    assert posts(chat.say("alice", "#topic 1")) == ["Topic: Budget"]


def test_chair_only_topic_is_a_group_option_off_by_default(database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    assert posts(chat.say("alice", "#topic Budget")) == ["Topic: Budget"]
    chat.say("chair", "#endmeeting")
    strict = _chat(database, replace(GROUP, chair_only_topic=True))
    strict.say("chair", "#startmeeting")
    assert private(strict.say("alice", "#topic Budget")) == [
        "Only a chair can change the topic in this group. Chairs: chair"]
    assert posts(strict.say("chair", "[TOPIC] Budget")) == ["Topic: Budget"]


def test_chair_only_topic_holds_for_every_way_to_move_the_topic(database: Database) -> None:
    """``#next``, Zakim's ``next item``, ``take up item N`` and ``close item N`` move the
    meeting on as ``#topic`` does: in a chair-only group a participant is refused by each,
    and nothing moves (the chair's next step still takes the next item)."""
    strict = _chat(database, replace(GROUP, chair_only_topic=True))
    strict.say("chair", "#startmeeting")
    strict.say("chair", "#agenda add Budget")
    strict.say("chair", "#agenda add Hiring")
    refusal = ["Only a chair can change the topic in this group. Chairs: chair"]
    for line in ("#next", "next item", "zakim, take up item 2", "close item 1"):
        said = strict.say("alice", line)
        assert private(said) == refusal, line
        assert posts(said) == [], line
    assert posts(strict.say("chair", "#next")) == ["Topic: Budget"]
    minutes = strict.minutes(strict.say("chair", "#endmeeting"))
    assert "1. **Hiring**" not in minutes  # neither taken up nor closed by alice


def test_close_item_with_a_digit_that_is_no_number_is_chat(database: Database) -> None:
    """``"²".isdigit()`` holds but ``int("²")`` fails: such a line stays chat, as any
    other ``close item`` that names no item, instead of failing the turn."""
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    chat.say("chair", "#agenda add Budget")
    assert chat.say("alice", "close item ²") == []
    assert chat.say("alice", "close item 1") != []  # (the same line with a number is heard)


def test_help_with_text_asks_for_help_and_bare_help_lists_commands(database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    [listing] = private(chat.say("alice", "#help"))
    assert "#startvote" in listing and "q+" in listing
    chat.say("alice", "#help we need a reviewer")
    assert "#help" in private(chat.say("alice", "#commands"))[0]
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    assert "Help wanted: we need a reviewer" in minutes


def test_naming_only_oneself_needs_no_chair_in_every_dialect(database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    chat.say("kaz", "present+ Kaz_Ashimura")  # W3C
    chat.say("panva", "#present Filip Skokan @panva")  # MeetBot spelling
    chat.say("joe", "#here Joe Sepi @joesepi")
    refused = private(chat.say("kaz", "present+ Ege_Korkan"))
    assert refused and refused[0].startswith("Only a chair can mark others present")
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))
    present = minutes.split("## Marked present")[1]
    # (the Present line's layout is the group's: "Name @handle" by default)
    assert "* Kaz_Ashimura\n" in present and "* Filip Skokan @panva\n" in present
    assert "* Joe Sepi @joesepi\n" in present and "Ege_Korkan" not in present


RELEASE_LOGS = {  # file -> the date the log itself carries (None: the day given)
    "irssi-release.log": "2023-01-19", "weechat-release.log": "2023-01-19",
    "hexchat-release.log": "2023-01-19", "znc-release.log": None,
    "discord-export-release.json": "2023-01-19", "slack-export-release.json": "2023-01-19"}


def test_each_clients_log_format_is_recognised_without_being_named() -> None:
    for name, carried in RELEASE_LOGS.items():
        minutes = replayed(name, day=date(2023, 1, 2))
        assert minutes.startswith(f"# Release team {carried or '2023-01-02'}\n"), name
        assert "1. **Release dates**\n   * the branch is cut on Monday (bob, 15:00)\n" in (
            minutes), name
        assert "* bob\n  * bob to tag the release" in minutes, name
        said = minutes.split("## People present (lines said)")[1]
        assert "Gavel" not in said and "dave" not in said, name  # bots, joins and quits


def test_zakim_phrases_inside_a_sentence_are_chat(database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("chair", "#startmeeting")
    chat.say("chair", "agenda+ Budget")
    chat.say("chair", "agenda+ Travel")
    chat.say("chair", "zakim, take up item 1")
    assert posts(chat.say("alice", "next item is the one I care about")) == []
    assert posts(chat.say("bob", "ack, makes sense")) == []
    assert posts(chat.say("chair", "next item")) == ["Topic: Travel"]


def test_voters_named_by_mention_are_known_by_their_id_not_their_name(
        database: Database) -> None:
    chat = _chat(database, GROUP)
    chat.say("U1", "#startmeeting")
    assert posts(chat.say("U1", "#voters <@U2>", mentions={"U2": "Bob"})) == ["Voters: Bob"]
    chat.say("U1", "#motion Adopt the charter")
    assert private(chat.say("U3", "#vote +1")) == [
        "Only the group's voting members may vote: Bob."]
    chat.say("U2", "#vote +1")
    [closed] = posts(chat.say("U1", "#endvote"))
    assert closed.startswith("Vote: Adopt the charter (For 1, Against 0, Abstained 0) "
                             "Result: motion accepted")
