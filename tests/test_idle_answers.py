"""A meeting command with no meeting running gets one reply saying so and how to start one;
plain chat (an unknown ``#word``, a W3C line, a link) stays chat and gets none."""

from __future__ import annotations

import pytest

from tests.conftest import Chat, private


@pytest.mark.parametrize(("line", "name"), [
    ("#endmeeting", "#endmeeting"),
    ("#info we shipped it", "#info"),
    ("#note: we shipped it", "#info"),
    ("#action ann to write it up", "#action"),
    ("#here", "#here"),
    ("#topic Budget", "#topic"),
])
def test_a_meeting_command_with_no_meeting_says_how_to_start_one(chat: Chat, line: str,
                                                                 name: str) -> None:
    assert private(chat.say("ulises", line)) == [
        f"No meeting is running in this channel, so {name} did nothing. "
        "Start one with #startmeeting [title]."]


def test_after_the_meeting_ended_endmeeting_is_answered_too(chat: Chat) -> None:
    chat.say("rafael", "#startmeeting Budget")
    chat.say("rafael", "#endmeeting")
    [reply] = private(chat.say("rafael", "#endmeeting"))
    assert reply.startswith("No meeting is running in this channel")


@pytest.mark.parametrize("line", ["#frobnicate", "#nodejs is great", "topic: lunch",
                                  "https://nodejs.org", "s/teh/the/", "hello"])
def test_chat_with_no_meeting_gets_no_reply(chat: Chat, line: str) -> None:
    assert chat.say("ulises", line) == []
