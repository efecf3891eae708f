"""Hostile input, one table: what each line gets as an answer, and proof nothing was lost.

Every case runs in a fresh meeting on SQLite and on PostgreSQL: a note before the line, the
line itself, a note after it, then ``#endmeeting``. Whatever the line was, the meeting ends,
both neighbouring notes are in the minutes, and nothing in the minutes renders as HTML,
pings anyone, runs as a template or carries a control character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pytest

from bot.effects import Effect, Post
from bot.events import Author, EventKind
from tests.conftest import Chat, acked, posts, private

SAVED = "saved"
CHAT = "chat"  # plain chat: no answer, nothing saved


@dataclass(frozen=True)
class Case:
    name: str
    line: str
    answer: str  # SAVED, CHAT, or a fragment of the one private or public reply
    shows: str = ""  # what the minutes show of it, literally
    who: str = "mallory"


CASES = [
    # Control characters and forged escaping placeholders
    Case("nul", "#info a\x00b", SAVED, "- ab\n"),
    Case("forged placeholder", "#info \x000\x00", SAVED, "- 0\n"),
    Case("forged placeholder beside a link", "#info \x001\x00 <https://nodejs.org>", SAVED,
         "- 1 <https://nodejs.org>\n"),
    Case("terminal escapes", "#info \x1b[31mred\x1b[0m", SAVED, "- [31mred[0m\n"),
    Case("bell and backspace", "#info ding\x07\x08 dong", SAVED, "- ding dong\n"),
    Case("lone surrogate", "#info half \ud800 pair", SAVED, "- half  pair\n"),
    Case("only control characters", "#info \x00\x01\x02", "Usage: #info <text>"),
    # Markup that must stay literal
    Case("html", "#info <img src=x onerror=alert(1)>", SAVED,
         "- &lt;img src=x onerror=alert(1)&gt;\n"),
    Case("script", "#info <script>alert(1)</script>", SAVED,
         "- &lt;script&gt;alert(1)&lt;/script&gt;\n"),
    Case("slack broadcast", "#info <!channel> look", SAVED, "- &lt;!channel&gt; look\n"),
    Case("slack user mention", "#info <@U0123|admin>", SAVED, "- &lt;@U0123|admin&gt;\n"),
    Case("typed entities", "#info &lt;b&gt;", SAVED, "- &amp;lt;b&amp;gt;\n"),
    Case("jinja expression", "#info {{ 7*7 }}", SAVED, "- {{ 7*7 }}\n"),
    Case("jinja statement", "#info {% for x in range(3) %}x{% endfor %}", SAVED,
         "- {% for x in range(3) %}x{% endfor %}\n"),
    Case("jinja in a name", "#here {{ config }} @evil", SAVED, "* {{ config }} @evil\n"),
    Case("html in a name", "#here <img src=x> from <b>Org</b>", SAVED,
         "* &lt;img src=x&gt; from &lt;b&gt;Org&lt;/b&gt;\n"),
    Case("broadcast as a nick", "#nick <!channel>", SAVED),
    Case("html in a topic", "#topic <b>bold</b>", "Topic: <b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;",
         who="rafael"),
    Case("html in a meeting name", "#meetingname <!here> <i>x</i>", "Meeting renamed",
         "# &lt;!here&gt; &lt;i&gt;x&lt;/i&gt; 2023-01-19", who="rafael"),
    Case("html in an action owner", "#action <img src=x> to fix it", SAVED,
         "&lt;img src=x&gt; to fix it"),
    # Sizes and numbers
    Case("huge line", "#info " + "y" * 100_000, SAVED, "- " + "y" * 100_000 + "\n"),
    Case("issue number past any integer", "#agenda add nodejs/node#99999999999999999999",
         SAVED, "nodejs/node#99999999999999999999"),
    Case("topic number past any integer", "#topic 99999999999999999999",
         "There is no item 99999999999999999999"),
    Case("superscript digit as a topic", "#topic ²", "Topic: ²", who="rafael"),
    Case("catastrophic regex in s///", "s/(a+)+$/x/", "is not in your last note", who="ulises"),
    Case("newline smuggling a command", "#info x\n#endmeeting", SAVED, "- x\n  #endmeeting\n"),
    Case("javascript link", "#meetinglink doc javascript:alert(1)", "Usage: #meetinglink",
         who="rafael"),
    # People who are not who they say
    Case("non-chair ends the meeting", "#endmeeting", "Only a chair can use endmeeting"),
    Case("non-chair gives regrets for a chair", "#regrets Rafael Gonzaga @RafaelGSS from Evil",
         "Only a chair can give regrets for others"),
    Case("non-chair marks someone present", "present+ Joyce Brum @joycebrum",
         "Only a chair can mark others present"),
    Case("non-chair unscribes the chair", "#unscribe rafael",
         "Only a chair can unscribe someone else"),
    Case("non-chair makes a chair", "#chair mallory", "Only a chair can use chair"),
    Case("claiming a chair's handle", "#here Rafael Gonzaga @RafaelGSS", SAVED),
    Case("unknown hash word", "#rm -rf /", CHAT),
    # A W3C word matched only by Unicode case rules (Turkish dotted capital I) is chat; it
    # once raised out of the command parser, live and in a replay alike.
    Case("dotted capital I in a W3C word", "TOPİC: x", CHAT),
    Case("dotted capital I in a W3C action", "ACTİON: mallory to fix it", CHAT),
]

FORBIDDEN = ["\x00", "\x1b", "<img", "<script", "<!channel>", "<!here>", "<b>", "<i>", "<@U",
             "49\n", "xxx"]


def _answer_of(effects: list[Effect]) -> str:
    if acked(effects) and not private(effects):
        return SAVED
    replies = private(effects) + posts(effects)
    return replies[0] if replies else CHAT


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_line_gets_its_answer_and_loses_nothing(chat: Chat, case: Case) -> None:
    chat.say("rafael", "#startmeeting")
    assert acked(chat.say("ulises", "#info note before"))

    answer = _answer_of(chat.say(case.who, case.line))
    if case.answer in (SAVED, CHAT):
        assert answer == case.answer
    else:
        assert case.answer in answer

    assert acked(chat.say("ulises", "#info note after"))
    ended = chat.say("rafael", "#endmeeting")
    assert any(text.startswith("Meeting ended") for text in posts(ended)), ended
    minutes = chat.minutes(ended)
    assert "note before\n" in minutes and "note after\n" in minutes
    assert case.shows in minutes
    for raw in FORBIDDEN:
        assert raw not in minutes, raw
    assert not re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", minutes)


def test_a_forged_user_id_with_a_chairs_name_is_no_chair(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    event = chat._event(EventKind.MESSAGE, "x", "#endmeeting")
    refused = chat.bot.handle(replace(event, author=Author("U-mallory", "rafael")))
    assert "Only a chair" in private(refused)[0]
    assert not any(isinstance(e, Post) for e in refused)


def test_a_replayed_delivery_takes_effect_once(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting")
    event = chat._event(EventKind.MESSAGE, "ulises", "#info once", message_id="m-once")
    assert acked(chat.bot.handle(event, once_key="slack:Ev1"))
    assert chat.bot.handle(event, once_key="slack:Ev1") == []
    minutes = chat.minutes(chat.say("rafael", "#endmeeting"))
    assert minutes.count("- once\n") == 1
