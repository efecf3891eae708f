"""Slack markup in, Block Kit out: what people typed reaches the core as they meant it, and
what the bot posts shows user text literally without pinging anyone."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.events import read_message_event, to_plain_text
from adapters.slack.render import escape, render
from bot.effects import Attachment, Button, Post, PrivateReply
from bot.events import EventKind, Place

PLACE = Place("slack", "C1", "T1")


def test_slack_markup_becomes_plain_text_with_names() -> None:
    text = ("ask <@U1> and <@U2|bob> in <#C9|general>: see <https://x.org/a?b=1&amp;c=2> "
            "and <https://deps.dev/p|here>, <http://github.com|github.com>, <!here> &lt;b&gt;")
    assert to_plain_text(text, {"U1": "Rafael Gonzaga", "U2": "Bob"}) == (
        "ask Rafael Gonzaga and Bob in #general: see https://x.org/a?b=1&c=2 "
        "and [here](https://deps.dev/p), github.com, @here <b>")


def test_escape_shows_markup_literally_and_defuses_broadcasts() -> None:
    assert escape("<!channel> & @here @Everyone <@U1>") == \
        "&lt;!channel&gt; &amp; @\u2060here @\u2060Everyone &lt;@U1&gt;"


def test_posts_are_verbatim_sections_split_under_slacks_limit() -> None:
    call = render(Post(PLACE, "\n".join(f"line {n} " + "x" * 90 for n in range(80))))
    sections = call.kwargs["blocks"]
    assert len(sections) == 3
    assert all(len(b["text"]["text"]) <= 3000 and b["text"]["verbatim"] for b in sections)


def test_links_are_linked_and_buttons_rendered() -> None:
    call = render(Post(PLACE, "Join https://zoom.us/j/1.", buttons=(
        Button("here", "I'm here"), Button("join", "Join", url="https://zoom.us/j/1"))))
    assert call.kwargs["blocks"][0]["text"]["text"] == "Join <https://zoom.us/j/1>."
    here, join = call.kwargs["blocks"][1]["elements"]
    assert here == {"type": "button", "text": {"type": "plain_text", "text": "I'm here",
                                               "emoji": True},
                    "action_id": "here", "value": "here", "style": "primary"}
    assert join["action_id"] == "link:join" and join["url"] == "https://zoom.us/j/1"


def test_an_attachment_is_a_file_upload_with_the_text_as_comment() -> None:
    call = render(Post(PLACE, "Minutes <b>", attachment=Attachment("m.md", "# M", "Minutes")))
    assert call.method == "files_upload_v2"
    assert call.kwargs == {"channel": "C1", "content": "# M", "filename": "m.md",
                           "title": "Minutes", "initial_comment": "Minutes &lt;b&gt;"}


def test_a_private_reply_is_ephemeral_to_its_person() -> None:
    call = render(PrivateReply(PLACE, "U7", "only you"))
    assert call.method == "chat_postEphemeral"
    assert (call.kwargs["user"], call.kwargs["text"]) == ("U7", "only you")


def test_message_subtypes_map_to_event_kinds() -> None:
    new = read_message_event({"type": "message", "user": "U1", "text": "hi", "ts": "1.5"})
    assert new is not None and new.kind is EventKind.MESSAGE
    assert new.at == datetime.fromtimestamp(1.5, UTC)
    joined = read_message_event({"type": "message", "subtype": "channel_join", "user": "U1",
                                 "ts": "2.0"})
    assert joined is None
    unfurl = read_message_event({"type": "message", "subtype": "message_changed", "ts": "3.0",
                                 "message": {"user": "U1", "text": "a", "ts": "1.5"},
                                 "previous_message": {"user": "U1", "text": "a", "ts": "1.5"}})
    assert unfurl is None  # a link preview changed, not the words
    deleted = read_message_event({"type": "message", "subtype": "message_deleted", "ts": "4.0",
                                  "deleted_ts": "1.5",
                                  "previous_message": {"user": "U1", "text": "a", "ts": "1.5"}})
    assert deleted is not None and (deleted.kind, deleted.ts) == (EventKind.DELETE, "1.5")
    own = read_message_event({"type": "message", "user": "UBOT", "text": "x", "ts": "5.0"},
                             bot_user_id="UBOT")
    assert own is None
