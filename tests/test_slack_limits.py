"""Long text on Slack: the channel topic and every section fit Slack's limits as sent
(escaped), and a cut never falls inside an entity (``&amp;``) or a link (``<url>``), so
what people read is what was typed."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests import slack_harness
from tests.conftest import SECURITY_WG
from tests.fakes.slack import FakeSlack
from tests.slack_harness import SlackBot, running_slack, slack_markup, ts_of

fake = slack_harness.fake  # fixture

BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


@pytest.fixture
async def bot(fake: FakeSlack, database_url: str, tmp_path: Path) -> AsyncIterator[SlackBot]:
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[SECURITY_WG])) as running:
        assert await running.command("start") == 200
        await fake.async_wait_for_calls("chat.postMessage")
        yield running


def as_read(mrkdwn: str) -> str:
    """What a Slack reader sees: links unwrapped, entities decoded."""
    return html.unescape(re.sub(r"<(https?://[^>|]+)>", r"\1", mrkdwn))


async def test_a_long_topic_with_markup_is_cut_to_fit_once_escaped(bot: SlackBot,
                                                                   fake: FakeSlack) -> None:
    topic = "R&D <costs> & budget " * 19  # 399 characters, 589 once escaped
    assert await bot.message(slack_markup(f"#topic {topic}"), "U1", ts_of(bot.clock.now, 1)) \
        == 200
    [call] = await fake.async_wait_for_calls("conversations.setTopic")
    sent = str(call.args["topic"])
    assert call.status == 200 and len(sent) <= 250
    assert not BROKEN_ENTITY.search(sent)
    assert sent.endswith("…")
    assert topic.startswith(as_read(sent.removesuffix("…")))
    assert len(sent) > 240  # cut to fit, not to nothing


async def test_long_sections_are_cut_between_entities_and_links(bot: SlackBot,
                                                                fake: FakeSlack) -> None:
    # `&` and a link right where a cut on the escaped text used to fall.
    topic = ("a&b " * 700 + "see https://example.org/x?a=1&b=2 and " + "x&y " * 300
             + "@here <!channel> done")
    assert await bot.message(slack_markup(f"#topic {topic}"), "U1", ts_of(bot.clock.now, 2)) \
        == 200
    calls = await fake.async_wait_for_calls("chat.postMessage", 2)
    post = calls[-1]
    assert post.status == 200, post.response
    sections = [b["text"]["text"] for b in post.args["blocks"] if b["type"] == "section"]
    assert len(sections) > 1
    for text in sections:
        assert len(text) <= 3000
        assert not BROKEN_ENTITY.search(text), text[-20:]
        assert text.count("<") == text.count(">")
    assert "<https://example.org/x?a=1&amp;b=2>" in "".join(sections)
    notification = str(post.args["text"])  # the fallback text is cut the same way
    assert len(notification) <= 4000 and not BROKEN_ENTITY.search(notification)
    assert "@\u2060here &lt;!channel&gt; done" in sections[-1]
    read = "".join(as_read(t) for t in sections).replace("\u2060", "")
    assert read.replace(" ", "") == f"Topic: {topic}".replace(" ", "")
