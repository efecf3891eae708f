"""Names are people's own words, like notes: in every minutes layout, a name, a nick, an
action owner, an author or a title shows literally and never pings or renders as HTML."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat

IMG = "<img src=x onerror=alert(1)>"
RAW = ("<!channel>", "<!here>", "<img", "<b>", "<@U1>")


@pytest.mark.parametrize("layout", ["nodejs", "meetbot"])
def test_every_name_in_the_minutes_is_shown_literally(database: Database, layout: str) -> None:
    group = replace(SECURITY_WG, template=layout, chairs=["<b>chair</b>"])
    chat = Chat(MeetingBot(database, Settings(groups=[group])))
    chat.say("<b>chair</b>", "#startmeeting <!here> planning")
    chat.say("<b>chair</b>", f"#nick {IMG}")
    chat.say("mallory", "#here <!channel> @everyone from <@U1> corp")
    chat.say("<b>chair</b>", "#present Eve <b>bold</b>")
    chat.say("<b>chair</b>", f"#action {IMG} to review the patch")
    chat.say("<b>chair</b>", "#action <!channel> to ping nobody")
    chat.say("<b>chair</b>", "#regrets <b>absent</b>")
    chat.say("mallory", "#info a plain note")
    chat.say("<b>chair</b>", "#meetinglink recording https://x.org/r <!channel>")
    minutes = chat.minutes(chat.say("<b>chair</b>", "#endmeeting"))

    for raw in RAW:
        assert raw not in minutes, f"{raw!r} is raw in the {layout} minutes:\n{minutes}"
    assert "&lt;img src=x onerror=alert(1)&gt;" in minutes  # the #nick, as action owner
    assert "&lt;!channel&gt; from &lt;@U1&gt; corp @everyone" in minutes  # present
    assert "&lt;!here&gt; planning" in minutes  # the title
    if layout == "meetbot":
        assert "&lt;b&gt;chair&lt;/b&gt;" in minutes  # an author and the starter
    else:
        assert "Regrets: &lt;b&gt;absent&lt;/b&gt;" in minutes


@pytest.mark.parametrize("layout", ["nodejs", "meetbot"])
def test_markdown_in_a_name_or_title_is_no_link_image_or_heading(database: Database,
                                                                   layout: str) -> None:
    group = replace(SECURITY_WG, template=layout, chairs=["chair"])
    chat = Chat(MeetingBot(database, Settings(groups=[group])))
    chat.say("chair", "#startmeeting [Click me](https://evil.example) **URGENT**")
    chat.say("bob", "#here [Verified Admin](https://evil.example) from "
                    "![x](https://evil.example/p.png)")
    chat.say("carol", "#here # Carol")
    chat.say("chair", "#present - dash, 1. Numbered, > Quote, `code`, ~~gone~~, a | b")
    chat.say("chair", "#action some_user and _em_ to review the patch")
    chat.say("chair", "#topic [Agenda](https://evil.example) item")
    chat.say("carol", "#info a **note** keeps its [Markdown](https://example.org)")
    minutes = chat.minutes(chat.say("chair", "#endmeeting"))

    names = minutes.replace("[Markdown](https://example.org)", "")
    # No "](" but an escaped one ("\\](": its "[" is escaped too), no "![" at all.
    assert not re.search(r"(?<!\\)\]\(", names) and "![" not in names, minutes
    assert "**URGENT" not in minutes and "~~" not in minutes
    assert "`code`" in minutes  # a code span shows its text: kept, as GitHub shows titles
    for name in ("# Carol", "- dash", "1. Numbered", "> Quote"):  # no heading, list, quote
        assert not re.search(rf"^[*\s]*{re.escape(name)}", minutes, re.MULTILINE), name
    assert "* \\- dash\n* 1\\. Numbered\n* \\> Quote\n" in minutes
    assert "\\[Click me\\](https://evil.example) \\*\\*URGENT\\*\\*" in minutes  # the title
    assert "!\\[x\\](https://evil.example/p.png)" in minutes  # an affiliation
    assert "* \\# Carol" in minutes
    assert "some_user" in minutes  # "_" inside a word starts nothing: left alone
    assert "**note** keeps its [Markdown](https://example.org)" in minutes  # notes: Markdown


@pytest.mark.parametrize(("typed", "shown"), [
    ("[a](https://x.y)", "\\[a\\](https://x.y)"),
    ("![i](https://x.y/p.png)", "!\\[i\\](https://x.y/p.png)"),
    ("**b** *i* `c` ~~s~~ a|b", "\\*\\*b\\*\\* \\*i\\* `c` \\~\\~s\\~\\~ a\\|b"),
    ("a ` b", "a \\` b"),  # (no code span: the lone backtick is escaped)
    ("_em_ some_user __init__ a__b (@italojs_) _ x",
     "\\_em_ some_user \\_\\_init__ a__b (@italojs_) _ x"),
    ("# H", "\\# H"), ("> q", "\\> q"), ("- l", "\\- l"), ("+ l", "\\+ l"), ("===", "\\==="),
    ("1. x", "1\\. x"), ("12) x", "12\\) x"), ("2024 plans", "2024 plans"), ("1.5", "1.5"),
    ("#12 and -x", "#12 and -x"), ("---", "\\---"), ("- - -", "\\- - -"), ("=x", "=x"),
    ("C# team, a > b, #12, @sam-github", "C# team, a > b, #12, @sam-github"),
    ("<b>x</b> <javascript:x> &lt;", "&lt;b&gt;x&lt;/b&gt; &lt;javascript:x&gt; &amp;lt;"),
    ("Review - <https://x.y/a_*b> *", "Review - <https://x.y/a_*b> \\*"),  # autolink: kept

    ("a\\b c\\* d\\", "a\\b c\\\\\\* d\\\\"),
    (" two\nlines ", "two lines"),
])
def test_literal_escapes_only_what_would_render(typed: str, shown: str) -> None:
    from bot.text import literal
    assert literal(typed) == shown


@pytest.mark.parametrize(("typed", "shown"), [
    ("ask @alice", "ask `@alice`"),
    ("`see @alice later`", "`see @alice later`"),  # in code already: no ping
    ("@x at the start, at the end @y", "`@x` at the start, at the end `@y`"),
    ("@nodejs/tsc [x](https://evil)", "`@nodejs/tsc` \\[x\\](https://evil)"),
    ("`` a ` b `` @x", "`` a ` b `` `@x`"),  # a span of two holding one backtick
    ("` @x", "\\` `@x`"),  # a lone backtick is no span: escaped, and @x put in code
    ("@x`c` `c`@y", "<code>@x</code>`c` `c`<code>@y</code>"),  # next to a span
    ("mail a@b.org", "mail a@b.org"),  # no mention
    ("<https://x.y/@a> @b", "<https://x.y/@a> `@b`"),  # an autolink is kept whole
    ("# @x", "\\# `@x`"),
])
def test_literal_without_pings_shows_each_mention_outside_code_in_code(
        typed: str, shown: str) -> None:
    from markdown_it import MarkdownIt

    from bot.text import literal_without_pings
    assert literal_without_pings(typed) == shown
    # As CommonMark (and GitHub, which reads no mention in code or a link) renders it:
    html = MarkdownIt("commonmark").renderInline(shown)
    outside = re.sub(r"<code>.*?</code>|<a .*?</a>", "", html)
    assert not re.search(r"(?<!\w)@\w", outside)
