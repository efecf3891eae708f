"""Who may mark or change whom: anyone may change themselves; other people are for chairs.

A non-chair's `#regrets someone @handle from Org` used to move that person to Regrets and
rewrite their remembered handle and affiliation; any participant could `#unscribe` anyone.
"""

from __future__ import annotations

from pathlib import Path

from bot.effects import Effect
from tests.conftest import Chat, acked, posts, private
from tests.test_console_process import ConsoleProcess

CHAIRS = "Chairs: rafael, RafaelGSS"
REGRETS_REFUSED = ("Only a chair can give regrets for others (#regrets alone gives yours). "
                   + CHAIRS)
PRESENT_REFUSED = "Only a chair can mark others present (#here marks you). " + CHAIRS
UNSCRIBE_REFUSED = ("Only a chair can unscribe someone else (#unscribe alone stops yours). "
                    + CHAIRS)


def _present_section(minutes: str) -> str:
    return minutes.split("## Present")[1].split("## Agenda")[0]


def _refused_with(effects: list[Effect], line: str) -> None:
    """One private line, and nothing said, ticked or changed in the channel."""
    assert private(effects) == [line]
    assert posts(effects) == [] and not acked(effects)


def test_a_non_chair_cannot_give_regrets_for_someone_or_rewrite_their_record(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("joyce", "#here Joyce Brum @joycebrum from GOSST")
    chat.say("rafael", "#present Robert Waite @rwaite from IBM")

    _refused_with(chat.say("mallory", "#regrets <@joyce> @evil from EvilCorp",
                           mentions={"joyce": "Joyce Brum"}), REGRETS_REFUSED)
    _refused_with(chat.say("mallory", "regrets+ Robert Waite @evil from EvilCorp"),
                  REGRETS_REFUSED)
    first = _present_section(chat.minutes(chat.say("rafael", "#endmeeting")))

    chat.say("rafael", "#startmeeting")
    chat.say("joyce", "#here")
    chat.say("rafael", "#present Robert Waite")
    second = _present_section(chat.minutes(chat.say("rafael", "#endmeeting")))
    for present in (first, second):
        assert "* Joyce Brum from GOSST @joycebrum\n" in present
        assert "* Robert Waite from IBM @rwaite\n" in present
        assert "Regrets" not in present and "evil" not in present.casefold()


def test_a_non_chair_cannot_mark_others_present_by_name_or_mention(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    _refused_with(chat.say("mallory", "present+ Joyce Brum @joycebrum"), PRESENT_REFUSED)
    _refused_with(chat.say("mallory", "#here <@joyce>", mentions={"joyce": "Joyce Brum"}),
                  PRESENT_REFUSED)
    _refused_with(chat.say("mallory", "present+ mallory, Joyce Brum"), PRESENT_REFUSED)
    assert acked(chat.say("rafael", "#here <@ulises>", mentions={"ulises": "Ulises Gascon"}))
    present = _present_section(chat.minutes(chat.say("rafael", "#endmeeting")))
    assert "Joyce" not in present and "mallory" not in present
    assert "* Ulises Gascon\n" in present


def test_anyone_may_mark_and_introduce_themselves_the_w3c_way(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    assert acked(chat.say("panva", "present+ Filip Skokan @panva"))
    assert acked(chat.say("joyce", "#present <@joyce> from GOSST",
                          mentions={"joyce": "Joyce Brum"}))
    assert acked(chat.say("marco", "regrets+ marco @marco-ippolito from NearForm"))
    present = _present_section(chat.minutes(chat.say("rafael", "#endmeeting")))
    assert "* Filip Skokan @panva\n" in present
    assert "* Joyce Brum from GOSST\n" in present
    assert "Regrets: marco" in present

    chat.say("rafael", "#startmeeting")
    assert acked(chat.say("panva", "regrets+ Filip Skokan"))  # his remembered name
    present = _present_section(chat.minutes(chat.say("rafael", "#endmeeting")))
    assert "Regrets: Filip Skokan" in present


def test_a_non_chair_cannot_unscribe_someone_else_but_may_unscribe_themselves(
        chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    chat.say("ulises", "#scribe")
    chat.say("joyce", "#scribe")
    _refused_with(chat.say("mallory", "#unscribe ulises"), UNSCRIBE_REFUSED)
    _refused_with(chat.say("mallory", "#unscribe <@ulises>", mentions={"ulises": "Ulises"}),
                  UNSCRIBE_REFUSED)
    assert acked(chat.say("ulises", "still scribing after mallory's try"))
    assert posts(chat.say("joyce", "#unscribe joyce")) == ["No longer scribing: joyce"]
    chat.say("joyce", "this is chat again")
    assert posts(chat.say("rafael", "#unscribe ulises")) == ["No longer scribing: ulises"]
    chat.say("ulises", "this is chat too")
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert "- still scribing after mallory's try" in minutes
    assert "chat again" not in minutes and "chat too" not in minutes


def test_the_console_refuses_changing_others_and_lets_people_change_themselves(
        tmp_path: Path, database_url: str) -> None:
    console = ConsoleProcess(tmp_path, database_url)
    console.expect("Console ready")
    console.send("#startmeeting Rights")
    console.expect("Meeting started: Rights")
    console.send("joyce: #here Joyce Brum @joycebrum from GOSST")
    console.expect("✓ saved")
    console.send("ulises: #scribe")
    console.expect("Scribe: ulises")
    console.send("mallory: regrets+ Joyce Brum @evil from EvilCorp")
    console.expect(f"(to mallory) {REGRETS_REFUSED.split(' (')[0]}")
    console.send("mallory: #unscribe ulises")
    console.expect(f"(to mallory) {UNSCRIBE_REFUSED.split(' (')[0]}")
    console.send("ulises: a line the scribe still takes")
    console.expect("✓ saved")
    console.send("panva: present+ Filip Skokan @panva")
    console.expect("✓ saved")
    console.send("#endmeeting")
    output = "\n".join(console.expect("--- end ---"))
    console.send("/quit")
    assert console.process.wait(timeout=30) == 0
    present = _present_section(output)
    assert "* Joyce Brum from GOSST @joycebrum" in present
    assert "* Filip Skokan @panva" in present
    assert "Regrets" not in present and "EvilCorp" not in present
    assert "gavel> - a line the scribe still takes" in output
