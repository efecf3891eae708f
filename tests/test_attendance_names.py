"""A name a chair gives is the person who speaks under that nick: `#present dave` and
dave's own `#here` list one dave, whichever came first, with the latest status only.

Both used to be kept: a chair's name made a record of its own, so the minutes listed dave
twice, or erin both present and in regrets, and counted four present for three people.
"""

from __future__ import annotations

from datetime import date

from adapters.replay import replay
from bot.config import Settings
from bot.events import Place
from bot.minutes.data import meeting_data
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat, acked, posts


def _listed(minutes: str) -> tuple[list[str], str]:
    """(the people listed present, the Regrets line) in the minutes (the group's invitees
    line left out)."""
    section = minutes.split("## Present\n")[1].split("## Agenda")[0]
    present = [line.removeprefix("* ") for line in section.splitlines()
               if line.startswith("* ") and line != f"* {SECURITY_WG.invitees}"]
    regrets = next((line for line in section.splitlines() if line.startswith("Regrets")), "")
    return present, regrets


def _ended(chat: Chat) -> tuple[str, list[str], str]:
    """(the summary posted, the people present, the Regrets line) as the meeting ends."""
    effects = chat.say("rafael", "#endmeeting")
    summary = next(text for text in posts(effects) if text.startswith("Meeting ended"))
    return summary, *_listed(chat.minutes(effects))


def test_a_name_the_chair_gives_first_is_the_nick_who_then_marks_themselves(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("rafael", "#present dave")
    chat.say("dave", "#here")
    chat.say("rafael", "#present erin")
    chat.say("erin", "#regrets")  # regrets after present: regrets only
    chat.say("rafael", "#regrets gus")
    chat.say("gus", "#here")  # present after regrets: present only
    summary, present, regrets = _ended(chat)
    assert (present, regrets) == (["dave", "gus"], "Regrets: erin")
    assert "2 present" in summary


def test_a_nick_who_marked_themselves_is_the_name_the_chair_then_gives(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("dave", "#here")
    chat.say("rafael", "#present dave")
    chat.say("erin", "#regrets")
    chat.say("rafael", "#present erin")  # present after regrets
    chat.say("carol", "#here")
    chat.say("rafael", "#regrets carol")  # regrets after present
    summary, present, regrets = _ended(chat)
    assert (present, regrets) == (["dave", "erin"], "Regrets: carol")
    assert "2 present" in summary


def test_the_reported_meeting_lists_three_people_once_each(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting D")
    for who, line in [("rafael", "#present dave"), ("dave", "#here"), ("erin", "#regrets"),
                      ("rafael", "#present erin"), ("carol", "#here"),
                      ("rafael", "#regrets carol")]:
        assert acked(chat.say(who, line))
    summary, present, regrets = _ended(chat)
    assert (present, regrets) == (["dave", "erin"], "Regrets: carol")
    assert "2 present" in summary


def test_a_name_is_the_nick_someone_only_spoke_under_in_any_case(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("Dave", "I can hear you")
    chat.say("rafael", "#present dave")
    chat.say("rafael", "#regrets DAVE")
    summary, present, regrets = _ended(chat)
    assert (present, regrets) == ([], "Regrets: Dave")  # as he spells it
    assert "0 present" in summary


def test_a_name_given_before_someone_speaks_becomes_theirs_when_the_chair_names_them_again(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("rafael", "#present dave")
    chat.say("dave", "sorry, I have to drop")  # speaks, but marks nothing
    chat.say("rafael", "#regrets dave")
    _summary, present, regrets = _ended(chat)
    assert (present, regrets) == ([], "Regrets: dave")


def test_a_name_the_chair_gives_keeps_the_name_the_person_gave_themselves(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("joyce", "#here Joyce Brum @joycebrum from GOSST")
    chat.say("rafael", "#present joyce")
    _summary, present, regrets = _ended(chat)
    assert (present, regrets) == (["Joyce Brum from GOSST @joycebrum"], "")


def test_the_chair_takes_a_nick_off_the_list_by_name(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("dave", "#here")
    chat.say("rafael", "present- Dave")
    chat.say("rafael", "#present erin")
    chat.say("erin", "present-")
    summary, present, _regrets = _ended(chat)
    assert present == []
    assert "0 present" in summary


def test_different_nicks_and_full_names_stay_different_people(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("dave", "#here")
    chat.say("rafael", "#present davey, Dave Smith")  # no one speaks as either
    chat.say("davey", "hello")
    _summary, present, _regrets = _ended(chat)
    assert present == ["dave", "davey", "Dave Smith"]


def test_a_mention_still_names_the_platform_user(database: Database,
                                                 settings: Settings) -> None:
    from bot.commands.handler import MeetingBot

    chat = Chat(MeetingBot(database, settings), Place("slack", "C1", "T1"))
    chat.say("U1", "#startmeeting")
    chat.say("U2", "#here")
    chat.say("U1", "#regrets <@U2>", mentions={"U2": "U2"})
    chat.say("U3", "#regrets")
    chat.say("U1", "#present <@U3>", mentions={"U3": "U3"})
    assert _listed(chat.minutes(chat.say("U1", "#endmeeting"))) == (["U3"], "Regrets: U2")


def test_a_replayed_irc_log_lists_each_person_once(database: Database) -> None:
    log = ["[15:00] <rafael> #startmeeting D",
           "[15:01] <rafael> #present dave",
           "[15:02] <dave> #here",
           "[15:03] <erin> #regrets",
           "[15:04] <rafael> present+ erin",
           "[15:05] <carol> #here",
           "[15:06] <rafael> regrets+ carol",
           "[15:07] <rafael> #endmeeting"]
    result = replay(log, Settings(groups=[SECURITY_WG]), SECURITY_WG, date(2024, 3, 7),
                    database=database)
    assert result.problems == []
    assert _listed(result.minutes) == (["dave", "erin"], "Regrets: carol")
    with database.reading() as store:
        meeting = store.meeting(result.meeting_id)
        assert meeting is not None
        people = meeting_data(store, meeting, SECURITY_WG)["people"]
    assert [(p["name"], p["status"]) for p in people] == [
        ("dave", "present"), ("erin", "present"), ("carol", "regrets")]


def test_the_chair_takes_off_the_list_a_name_they_gave_who_then_only_spoke(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("rafael", "present+ spectranaut_")
    chat.say("spectranaut_", "Topic: New Issue Triage")
    chat.say("rafael", "present- spectranaut_")
    summary, present, _regrets = _ended(chat)
    assert present == []
    assert "0 present" in summary
