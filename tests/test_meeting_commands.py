"""The command language as people use it in a channel, through the real handler and store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.domain import Status
from bot.effects import Post, SetTopic
from bot.events import Author, Event, EventKind
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat, acked, posts, private


def start(chat: Chat, chair: str = "rafael") -> None:
    chat.say(chair, "#startmeeting")


def test_starting_a_meeting_posts_the_agenda_and_an_im_here_button(chat: Chat) -> None:
    effects = chat.say("rafael", "#startmeeting")
    [post] = [e for e in effects if isinstance(e, Post)]
    assert post.text.startswith("Meeting started: Node.js Security team Meeting 2023-01-19")
    assert "1. Vulnerability Review" in post.text
    assert [b.label for b in post.buttons] == ["I'm here"]


def test_a_second_start_in_the_same_channel_is_refused(chat: Chat) -> None:
    start(chat)
    effects = chat.say("ulises", "#startmeeting Another")
    assert private(effects) == [private(effects)[0]]
    assert "already running" in private(effects)[0]


def test_a_note_is_acknowledged_and_lands_under_the_current_topic(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add nodejs/node#123 Fix the thing")
    topic = chat.say("rafael", "#topic 2")
    assert "Topic: Fix the thing (nodejs/node#123)" in posts(topic)
    assert any(isinstance(e, SetTopic) for e in topic)
    assert acked(chat.say("ulises", "#info We looked at it"))
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert ("### nodejs/node\n\n* Fix the thing [#123](https://github.com/nodejs/node/issues/123)"
            "\n  * We looked at it\n") in minutes


def test_topic_out_of_range_says_how_many_items_there_are(chat: Chat) -> None:
    start(chat)
    effects = chat.say("rafael", "#topic 99")
    assert private(effects) == ["There is no item 99: the agenda has 1 items (#agenda lists them)."]


def test_only_a_chair_can_end_the_meeting(chat: Chat) -> None:
    start(chat)
    refused = chat.say("mallory", "#endmeeting")
    assert "Only a chair can use endmeeting" in private(refused)[0]
    assert not any(isinstance(e, Post) for e in refused)
    assert "Meeting ended" in posts(chat.say("rafael", "#endmeeting"))[0]


def test_a_chair_named_in_the_config_can_end_a_meeting_someone_else_started(chat: Chat) -> None:
    start(chat, chair="ulises")
    assert "Meeting ended" in posts(chat.say("RafaelGSS", "#endmeeting"))[0]


def test_claiming_a_chairs_github_handle_or_name_gives_no_chair_rights(chat: Chat) -> None:
    start(chat, chair="ulises")
    chat.say("mallory", "#here Rafael Gonzaga @RafaelGSS")
    assert "Only a chair" in private(chat.say("mallory", "#endmeeting"))[0]
    renamed = Author("U-mallory", "ulises")  # a display name copied from the chair
    event = chat._event(EventKind.MESSAGE, "x", "#endmeeting")
    refused = chat.bot.handle(replace(event, author=renamed))
    assert "Only a chair" in private(refused)[0]


def test_chair_command_makes_someone_a_chair(chat: Chat) -> None:
    start(chat)
    assert posts(chat.say("rafael", "#chair ulises")) == ["Current chairs: rafael, ulises"]
    assert "Meeting ended" in posts(chat.say("ulises", "#endmeeting"))[0]


def test_undo_with_nothing_to_undo_says_so(chat: Chat) -> None:
    start(chat)
    assert private(chat.say("ulises", "#undo")) == ["Nothing to undo."]


def test_undo_removes_only_your_own_note_unless_you_chair(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#info mine")
    chat.say("joyce", "#info hers")
    assert posts(chat.say("ulises", "#undo")) == ["Removed info: mine"]
    assert private(chat.say("ulises", "#undo")) == ["Nothing to undo."]
    assert posts(chat.say("rafael", "#undo")) == ["Removed info (by joyce): hers"]


def test_an_unknown_hash_word_in_a_meeting_is_plain_chat(chat: Chat) -> None:
    start(chat)
    assert chat.say("ulises", "#hashtag-party tonight") == []
    assert chat.say("ulises", "#frobnicate") == []


def test_an_unknown_slash_subcommand_gets_the_usage_text(chat: Chat) -> None:
    [reply] = private(chat.slash("ulises", "frobnicate now"))
    assert reply.startswith("Unknown command 'frobnicate'.")
    assert "#startmeeting [title]" in reply and "#action <text>" in reply


def test_a_slash_note_outside_a_meeting_says_how_to_start_one(chat: Chat) -> None:
    assert private(chat.slash("ulises", "note hello")) == [
        "No meeting is running in this channel. Start one with /meeting start [title]."]


def test_slash_commands_take_notes_and_confirm_privately(chat: Chat) -> None:
    chat.slash("rafael", "start")
    assert private(chat.slash("ulises", "note from a slash command")) == [
        "Info noted: from a slash command"]
    minutes = chat.minutes(chat.slash("rafael", "end"))
    assert "- from a slash command" in minutes


def test_a_fifty_thousand_character_note_is_kept_whole(chat: Chat) -> None:
    start(chat)
    long_text = ("word " * 10_000).strip()
    chat.say("ulises", f"#info {long_text}")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert long_text in minutes


def test_markup_and_mentions_in_notes_are_shown_literally(chat: Chat) -> None:
    start(chat)
    chat.say("ulises",
             "#info **bold** [link](https://example.com) <b>html</b> @everyone <!channel>")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert ("- **bold** [link](https://example.com) &lt;b&gt;html&lt;/b&gt; @everyone "
            "&lt;!channel&gt;") in minutes
    assert "<!channel>" not in minutes and "<b>" not in minutes


def test_actions_name_their_owners_and_are_listed_by_person(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#here Ulises Gascon @UlisesGascon")
    chat.say("rafael", "#action Ulises to open the PR")
    chat.say("rafael", "#action @mhdawson to ask the TSC")
    chat.say("rafael", "#action someone to look into CI")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- Action (Ulises Gascon): Ulises to open the PR" in minutes
    assert minutes.endswith(
        "## Action items\n\n* Ulises Gascon\n  * Ulises to open the PR\n"
        "* @mhdawson\n  * @mhdawson to ask the TSC\n"
        "* UNASSIGNED\n  * someone to look into CI\n")


def test_w3c_dialect_is_understood(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("ulises", "present+")
    chat.say("rafael", "topic: Release plans")
    chat.say("rafael", "ACTION: ulises to draft the post")
    chat.say("rafael", "RESOLUTION: we ship on Tuesday")
    chat.say("rafael", "#info the build is gren")
    chat.say("rafael", "s/gren/green/")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* ulises\n" in minutes.split("## Present")[1].split("##")[0]
    assert ("* Release plans\n  * Action (ulises): ulises to draft the post\n"
            "  * Agreed: we ship on Tuesday\n  * the build is green\n") in minutes


def test_a_correction_reaches_back_past_many_later_notes_to_the_last_that_holds_it(
        chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#info the build is gren")
    chat.say("ulises", "#info the build is gren again")
    for n in range(80):
        chat.say("ulises", f"#info point {n}")
        chat.say("joyce", f"#info the build is gren for joyce {n}")
    assert acked(chat.say("ulises", "s/gren/green/"))
    assert private(chat.say("ulises", "s/blue/green/")) == [
        "'blue' is not in your last note, nor in any before it: point 79"]
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- the build is gren\n- the build is green again\n- point 0\n" in minutes
    assert "the build is gren for joyce 79" in minutes


NOT_YOURS = ("Only whoever set the topic (rafael) can correct it: ask them to "
             "(s/old/new/ corrects your own lines).")


def test_a_correction_does_not_retitle_a_topic_someone_else_set(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#info the Secret handshake is old")  # under no topic yet
    chat.say("rafael", "#topic Secret plan")
    assert acked(chat.say("ulises", "s/Secret/Hidden/"))  # their own line, not the title
    refused = chat.say("ulises", "s/Secret/Hacked/")  # no line of theirs holds it now
    assert private(refused) == [NOT_YOURS] and not acked(refused)
    chat.say("rafael", "#topic Chair topic")
    assert private(chat.say("ulises", "s/Chair/Hijack/")) == [NOT_YOURS]
    # A chair's power over others' notes is #undo's: s/old/new/ corrects only one's own.
    chat.say("rafael", "#chair joyce")
    assert private(chat.say("joyce", "s/Chair/Joyced/")) == [NOT_YOURS]
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Secret plan\n" in minutes and "* Chair topic\n" in minutes
    assert "- the Hidden handshake is old" in minutes
    assert not any(word in minutes for word in ("Hacked", "Hijack", "Joyced"))


def test_a_correction_refused_the_title_falls_through_to_ones_own_earlier_note(
        chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#topic Budgte review")
    chat.say("ulises", "#info we discussed the Budgte numbers")
    chat.say("rafael", "#topic Second Budgte thing")
    corrected = chat.say("ulises", "s/Budgte/Budget/")
    assert acked(corrected) and private(corrected) == []
    assert private(chat.say("ulises", "s/Budgte/Budget/")) == [NOT_YOURS]  # none left
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Budgte review\n  * we discussed the Budget numbers\n" in minutes
    assert "* Second Budgte thing\n" in minutes


def test_whoever_set_the_topic_corrects_its_typo_chair_or_not(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#topic Plugfest logisitcs")
    assert acked(chat.say("ulises", "s/logisitcs/logistics/"))
    chat.say("rafael", "#topic Relase plans")
    chat.say("ulises", "#info Relase is Tuesday")  # a note under it is corrected first
    assert acked(chat.say("ulises", "s/Relase/Release/"))
    assert acked(chat.say("rafael", "s/Relase/Release/"))  # then the chair's own title
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Plugfest logistics\n" in minutes
    assert "* Release plans\n  * Release is Tuesday\n" in minutes


def test_where_only_chairs_set_topics_only_a_chair_corrects_one(database: Database) -> None:
    strict = replace(SECURITY_WG, chair_only_topic=True)
    chat = Chat(MeetingBot(database, Settings(groups=[strict])))
    start(chat)
    chat.say("rafael", "#chair ulises")
    chat.say("ulises", "#topic Budegt")
    chat.say("rafael", "#unchair ulises")
    only_chairs = "Only a chair can correct the topic in this group. Chairs: rafael, RafaelGSS"
    assert private(chat.say("ulises", "s/Budegt/Budget/")) == [only_chairs]
    chat.say("rafael", "#topic Hirign")
    assert private(chat.say("joyce", "s/Hirign/Hiring/")) == [only_chairs]
    assert acked(chat.say("rafael", "s/Hirign/Hiring/"))
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Budegt\n" in minutes and "* Hiring\n" in minutes


def test_a_scribes_plain_lines_become_notes_and_others_do_not(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#scribe")
    chat.say("ulises", "Joyce: the scorecard is at 7")
    chat.say("joyce", "just chatting")
    chat.say("ulises", "#unscribe")
    chat.say("ulises", "now chatting too")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- Joyce: the scorecard is at 7" in minutes
    assert "just chatting" not in minutes and "now chatting too" not in minutes


def test_a_scribes_continuation_of_an_action_is_the_actions_text_too(chat: Chat) -> None:
    """``... more`` after an ``ACTION:`` line adds to the action item as to its note: the
    item listed reads as the minutes do, its owner unchanged."""
    start(chat)
    chat.say("joyce", "I will look")
    chat.say("ulises", "#scribe")
    chat.say("ulises", "ACTION: joyce to review the patch")
    chat.say("ulises", "... and the release notes")
    [listed] = private(chat.slash("joyce", "actions mine"))
    assert "joyce to review the patch and the release notes" in listed
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "joyce to review the patch and the release notes" in minutes


def test_an_edited_message_updates_its_note_and_a_deleted_one_removes_it(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#info teh typo", message_id="edit-me")
    chat.say("ulises", "#info to be deleted", message_id="delete-me")
    chat.say("ulises", "plain chat", message_id="becomes-note")
    chat.edit("ulises", "edit-me", "#info the typo")
    chat.delete("ulises", "delete-me")
    chat.edit("ulises", "becomes-note", "#idea now it is an idea")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- the typo" in minutes and "teh typo" not in minutes
    assert "to be deleted" not in minutes
    assert "- Idea: now it is an idea" in minutes


def test_a_note_in_a_thread_belongs_to_the_topic_the_thread_started_under(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#topic First topic")
    root = chat.clock.timestamp() + 1
    chat.say("ulises", "a question about the first topic")
    chat.say("rafael", "#topic Second topic")
    chat.say("joyce", "#info answer in the thread", thread_id=f"{root + 14:.6f}")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* First topic\n  * answer in the thread\n" in minutes


def test_a_thread_note_in_a_replayed_log_belongs_to_the_topic_the_thread_started_under(
        chat: Chat) -> None:
    """As above, with the whole log handled in one transaction (``gavel replay`` of a Slack
    export), where each topic change is held back until something reads it."""
    def line(who: str, text: str, **extra: object) -> Event:
        chat.clock += timedelta(seconds=15)
        return Event(EventKind.MESSAGE, chat.place, Author(who, who), chat.clock, text,
                     **extra)  # type: ignore[arg-type]

    root = chat.clock.timestamp() + 4 * 15  # the question's time: the thread's id
    log = [line("rafael", "#startmeeting"), line("rafael", "#topic First topic"),
           line("rafael", "#topic Second topic"),
           line("ulises", "a question about the second topic"),
           line("rafael", "#topic Third topic"),
           line("joyce", "#info answer in the thread", thread_id=f"{root:.6f}"),
           line("joyce", "#info said under the third topic")]
    for _ in chat.bot.handle_batch(log):
        pass
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Second topic\n  * answer in the thread\n" in minutes
    assert "* Third topic\n  * said under the third topic\n" in minutes


def test_the_im_here_button_marks_the_presser_present(chat: Chat) -> None:
    start(chat)
    assert private(chat.press("Joyce Brum", "here")) == ["You are marked present, Joyce Brum."]
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Joyce Brum\n" in minutes


def test_people_are_remembered_across_meetings(chat: Chat) -> None:
    start(chat)
    chat.say("joyce", "#here Joyce Brum @joycebrum from GOSST")
    chat.say("rafael", "#endmeeting")
    start(chat)
    chat.say("joyce", "#here")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "* Joyce Brum from GOSST @joycebrum" in minutes


def test_only_chairs_mark_others_present(chat: Chat) -> None:
    start(chat)
    assert "Only a chair" in private(chat.say("mallory", "#present Alice, Bob"))[0]
    chat.say("rafael", "#present Robert Waite, Joe Sepi @joesepi")
    chat.say("rafael", "#regrets Marco Ippolito")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    present = minutes.split("## Present")[1].split("## Agenda")[0]
    assert "* Robert Waite\n" in present and "* Joe Sepi @joesepi\n" in present
    assert "Regrets: Marco Ippolito" in present


def test_lurking_keeps_recording_but_posts_nothing_until_the_end(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#lurk")
    assert posts(chat.say("rafael", "#topic Quiet topic")) == []
    chat.say("ulises", "#info recorded quietly")
    ended = chat.say("rafael", "#endmeeting")
    assert "* Quiet topic\n  * recorded quietly" in chat.minutes(ended)


def test_next_walks_the_agenda_then_reaches_qa(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add Second item")
    assert posts(chat.say("rafael", "#next")) == ["Topic: Vulnerability Review - "
                                                  "https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"]
    assert posts(chat.say("rafael", "#next")) == ["Topic: Second item"]
    assert posts(chat.say("rafael", "#next")) == ["Topic: Q&A, Other"]
    chat.say("ulises", "#info any questions?")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "## Q&A, Other\n\n* Second item\n\n* any questions?\n" in minutes


def test_a_title_said_in_another_case_or_spacing_names_the_item_already_there(
        chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add Straßenbahn   Planung")
    chat.say("rafael", "#agenda add Planung of the release")
    assert private(chat.say("rafael", "#agenda add STRASSENBAHN planung")) == [
        "Already on the agenda: Straßenbahn   Planung"]
    assert posts(chat.say("rafael", "#topic vulnerability   REVIEW")) == [
        "Topic: Vulnerability Review - "
        "https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"]
    assert posts(chat.say("rafael", "#topic straßenbahn planung")) == [
        "Topic: Straßenbahn   Planung"]
    [listing] = private(chat.say("ulises", "#agenda"))
    assert len(listing.splitlines()) == 4  # the heading and three items: none added twice


def test_a_standing_item_is_named_with_its_link_in_capitals(chat: Chat) -> None:
    start(chat)
    assert posts(chat.say("rafael", "#topic Vulnerability review - HTTPS://example.org/x")) == [
        "Topic: Vulnerability Review - "
        "https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"]
    [listing] = private(chat.say("ulises", "#agenda"))
    assert len(listing.splitlines()) == 2  # the heading and the standing item: none added


def test_agenda_lists_items_with_the_current_one_marked(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add https://github.com/nodejs/node/pull/54364 src: add WDAC")
    chat.say("rafael", "#topic 2")
    [listing] = private(chat.say("ulises", "#agenda"))
    assert listing.splitlines()[2] == "→ 2. src: add WDAC (nodejs/node#54364)"


def test_meetbot_template_summarises_topics_actions_and_lines_said(chat: Chat) -> None:
    from bot.minutes import compile_minutes

    start(chat)
    chat.say("rafael", "#topic Budget")
    chat.say("ulises", "#action ulises to file the request")
    chat.say("ulises", "some chatter")
    chat.say("rafael", "#endmeeting")
    with chat.bot.database.transaction() as store:
        meeting = store.meetings(limit=1)[0]
        text = compile_minutes(store, meeting, chat.bot.settings.groups[0], "meetbot")
    assert "1. **Budget**" in text
    assert "## Action items\n\n* ulises to file the request (ulises)" in text
    assert "## People present (lines said)\n\n* rafael (3)\n* ulises (2)" in text


def test_chair_accepts_a_mention_whose_name_has_spaces(chat: Chat) -> None:
    start(chat)
    effects = chat.say("rafael", "#chair <@U42> ann", mentions={"U42": "Joe Sepi"})
    assert posts(effects) == ["Current chairs: ann, Joe Sepi, rafael"]
    assert "Meeting ended" in posts(chat.bot.handle(chat._event(
        EventKind.MESSAGE, "U42", "#endmeeting")))[0]


def test_the_last_chair_cannot_be_removed(chat: Chat) -> None:
    start(chat)
    assert private(chat.say("rafael", "#unchair rafael")) == [
        "rafael is the last chair: add another with #chair first."]
    assert "Meeting ended" in posts(chat.say("rafael", "#endmeeting"))[0]


def test_only_a_chair_makes_someone_else_a_scribe(chat: Chat) -> None:
    start(chat)
    assert "Only a chair" in private(chat.say("mallory", "#scribe ulises"))[0]
    chat.say("ulises", "this stays chat")
    chat.say("rafael", "#scribe ulises")
    chat.say("ulises", "this is a note now")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "this stays chat" not in minutes and "- this is a note now" in minutes


def test_editing_a_command_that_is_not_a_note_does_not_run_it_again(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add Budgte", message_id="typo")
    chat.edit("rafael", "typo", "#agenda add Budget")
    [listing] = private(chat.say("rafael", "#agenda"))
    assert "Budgte" in listing and "Budget" not in listing.replace("Budgte", "")


def test_a_github_reference_in_another_case_is_the_same_item(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#agenda add nodejs/node#7 Fix it")
    assert private(chat.say("rafael", "#agenda add NodeJS/Node#7 Other title")) == [
        "Already on the agenda: Fix it (nodejs/node#7)"]
    chat.say("rafael", "#agenda add NodeJS/Node#8 Next")
    chat.say("rafael", "#topic NODEJS/NODE#7")
    chat.say("ulises", "#info found")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert minutes.count("### nodejs/node") == 1 and "NodeJS" not in minutes
    assert "* Fix it [#7](https://github.com/nodejs/node/issues/7)\n  * found" in minutes


def test_names_titles_and_agenda_items_are_shown_literally_too(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting <b>Bold</b> WG 2023-01-19")
    chat.say("eve", "#here <script>x</script> @eve from <i>ACME</i>")
    chat.say("rafael", "#agenda add nodejs/node#7 <img src=x> [draft]")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert minutes.startswith("# &lt;b&gt;Bold&lt;/b&gt; WG 2023-01-19\n")  # no second date
    assert "* &lt;script&gt;x&lt;/script&gt; from &lt;i&gt;ACME&lt;/i&gt; @eve" in minutes
    assert "* &lt;img src=x&gt; \\[draft\\] [#7](" in minutes
    assert "<b>" not in minutes and "<script>" not in minutes and "<img" not in minutes


def test_a_multi_line_action_stays_one_entry_in_the_action_items(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#action ulises to\n- do a\n- do b")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "## Action items\n\n* ulises\n  * ulises to - do a - do b\n" in minutes


def test_substitutions_take_other_delimiters_and_the_g_flag(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#info a/b and a/b again")
    chat.say("ulises", "s|a/b|c|g")
    chat.say("ulises", "#info: colon style")
    assert chat.say("ulises", "#info-dash is a hashtag") == []
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- c and c again\n- colon style\n" in minutes
    assert "hashtag" not in minutes


def test_the_summary_counts_in_good_english(chat: Chat) -> None:
    start(chat)
    chat.say("ulises", "#action ulises to write")
    [summary] = posts(chat.say("rafael", "#endmeeting"))
    assert "0 present, 1 note, 1 action item." in summary


def test_the_summary_counts_the_notes_the_minutes_hold(chat: Chat) -> None:
    """Counted, not read: an undone note is not one, an action is both."""
    start(chat)
    chat.say("ulises", "#info first")
    chat.say("ulises", "#action ulises to write")
    chat.say("joyce", "#agreed to ship")
    chat.say("joyce", "#idea undone at once")
    chat.say("joyce", "#undo")
    chat.say("joyce", "#action joyce to review")
    [summary] = posts(chat.say("rafael", "#endmeeting"))
    assert "0 present, 4 notes, 2 action items." in summary


def test_the_chair_refusal_names_the_configured_chairs_too(chat: Chat) -> None:
    start(chat)
    assert private(chat.say("mallory", "#endmeeting")) == [
        "Only a chair can use endmeeting. Chairs: rafael, RafaelGSS"]


def test_a_sub_point_without_a_parent_moves_up_a_level(chat: Chat) -> None:
    start(chat)
    chat.say("rafael", "#topic Budget")
    chat.say("ulises", "#info -- lost sub-point")
    chat.say("ulises", "#info parent")
    chat.say("ulises", "#info -- child two levels down")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert ("* Budget\n  * lost sub-point\n  * parent\n    * child two levels down\n"
            in minutes)


def _with_layout(chat: Chat, tmp_path: Path, text: str) -> Chat:
    layout = tmp_path / "ours.md.j2"
    layout.write_text(text)
    group = replace(chat.bot.settings.groups[0], template=str(layout))
    return Chat(MeetingBot(chat.bot.database, replace(chat.bot.settings, groups=[group])))


def test_a_group_layout_that_raises_still_ends_the_meeting_in_the_default_one(
        chat: Chat, tmp_path: Path) -> None:
    chat = _with_layout(chat, tmp_path, "{{ v.title }}\n{{ 1/0 }}\n")
    start(chat)
    chat.say("ulises", "#info We looked at it")
    ended = chat.say("rafael", "#endmeeting")
    assert private(ended) == [
        "The group's minutes template 'ours.md.j2' failed at line 2: "
        "ZeroDivisionError: division by zero; the minutes use the nodejs layout instead."]
    assert "Meeting ended" in posts(ended)[0]
    assert chat.minutes(ended).startswith("# Node.js Security team Meeting 2023-01-19\n")
    with chat.bot.database.reading() as store:
        assert store.meetings(limit=1)[0].status is Status.ENDED
    assert "No meeting is running" in private(chat.say("rafael", "#endmeeting"))[0]


def test_a_group_layout_that_fails_still_shows_the_minutes_so_far(chat: Chat, tmp_path: Path
                                                                ) -> None:
    chat = _with_layout(chat, tmp_path, "{{ v.title + 1 }}\n")
    start(chat)
    failed, minutes = private(chat.slash("ulises", "minutes"))
    assert ("failed at line 1: TypeError: can only concatenate str (not \"int\") to str; "
            "the minutes use the nodejs layout instead.") in failed
    assert minutes.startswith("# Node.js Security team Meeting 2023-01-19\n")
