"""Names are people's own words, like notes: in every minutes layout, a name, a nick, an
action owner, an author or a title shows literally and never pings or renders as HTML."""

from __future__ import annotations

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
