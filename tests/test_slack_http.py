"""Slack's requests to Gavel's HTTP endpoint: signatures, url_verification, retries, slash
commands, buttons, edits, threads, and what the bot posts back."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Links, Settings
from bot.effects import Post, Purpose
from bot.events import Place
from tests import slack_harness
from tests.conftest import SECURITY_WG
from tests.fakes.slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slack_harness import SIGNING_SECRET, SlackBot, bound_to_slack, running_slack, ts_of
from tests.slack_payloads import signed_headers, slash_command_body

fake = slack_harness.fake  # fixture

WG = bound_to_slack(replace(SECURITY_WG, links=Links(join="https://zoom.us/j/123")))
T0 = datetime(2023, 1, 19, 15, 0, tzinfo=UTC)


@pytest.fixture
async def bot(fake: FakeSlack, database_url: str, tmp_path: Path) -> AsyncIterator[SlackBot]:
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[WG])) as running:
        yield running


def _texts(fake: FakeSlack, method: str) -> list[str]:
    return [str(c.args.get("text", "")) for c in fake.calls_to(method)]


def _all_sent_text(fake: FakeSlack) -> str:
    sent = [c.args for c in fake.calls if c.method in ("chat.postMessage", "chat.postEphemeral",
                                                       "conversations.setTopic")]
    return json.dumps(sent, ensure_ascii=False)


async def _start(bot: SlackBot) -> None:
    assert await bot.command("start") == 200
    await bot.fake.async_wait_for_calls("chat.postMessage")


async def test_slash_start_posts_the_agenda_with_buttons(bot: SlackBot, fake: FakeSlack) -> None:
    assert await bot.command("start") == 200
    [post] = await fake.async_wait_for_calls("chat.postMessage")
    assert post.args["channel"] == "C1"
    assert "Meeting started: Node.js Security team Meeting" in post.args["text"]
    blocks = post.args["blocks"]
    assert "Vulnerability Review" in blocks[0]["text"]["text"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    here, join = actions["elements"]
    assert (here["action_id"], here["text"]["text"]) == ("here", "I'm here")
    assert join["url"] == "https://zoom.us/j/123"


async def test_the_ack_comes_before_the_work(bot: SlackBot, fake: FakeSlack) -> None:
    """Slack wants an answer within 3 s; the answer is empty and the post follows it."""
    body = slash_command_body(text="start", response_url=fake.response_url())
    held = fake.hold_next("chat.postMessage")  # the work cannot finish until released...
    status, text = await bot.post(body)
    assert (status, text) == (200, "")  # ...yet Slack has its answer
    held.release()
    await fake.async_wait_for_calls("chat.postMessage")


async def test_bad_signature_and_stale_timestamp_are_refused(bot: SlackBot,
                                                             fake: FakeSlack) -> None:
    body = slash_command_body(text="start")
    assert (await bot.post(body, signed_headers("not-the-secret", body)))[0] == 401
    stale = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 600)
    assert (await bot.post(body, stale))[0] == 401
    assert fake.calls_to("chat.postMessage") == []


async def test_url_verification_answers_the_challenge(bot: SlackBot) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    status, text = await bot.post(body)
    assert status == 200
    assert "c-123" in text


async def test_a_retried_event_is_handled_once_even_after_a_restart(
        fake: FakeSlack, database_url: str, tmp_path: Path) -> None:
    settings = Settings(groups=[WG])
    async with running_slack(fake, database_url, str(tmp_path), settings) as bot:
        await _start(bot)
        ts = ts_of(datetime.now(UTC))
        assert await bot.message("#info first note", "U1", ts, event_id="Ev0001") == 200
        await fake.async_wait_for_calls("reactions.add")
        assert await bot.message("#info first note", "U1", ts, event_id="Ev0001", retry=1) == 200
    # Another process (a restart, or a second replica) on the same database.
    async with running_slack(fake, database_url, str(tmp_path), settings) as bot:
        assert await bot.message("#info first note", "U1", ts, event_id="Ev0001", retry=2) == 200
        assert await bot.command("minutes") == 200
        [minutes] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert minutes.args["text"].count("first note") == 1
    assert len(fake.calls_to("reactions.add")) == 1


async def test_notes_get_a_tick_and_private_replies_are_ephemeral(bot: SlackBot,
                                                                  fake: FakeSlack) -> None:
    await _start(bot)
    ts = ts_of(datetime.now(UTC))
    await bot.message("#info we ship on Friday", "U1", ts)
    [tick] = await fake.async_wait_for_calls("reactions.add")
    assert (tick.args["channel"], tick.args["timestamp"], tick.args["name"]) == \
        ("C1", ts, "white_check_mark")
    await bot.command("help", user="U2")
    [help_reply] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert help_reply.args["user"] == "U2"
    assert "Gavel commands" in help_reply.args["text"]


async def test_slash_note_confirms_privately_with_the_text(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    await bot.command("note the build is green", user="U2")
    [reply] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert reply.args["text"] == "Info noted: the build is green"
    assert reply.args["user"] == "U2"


async def test_im_here_button_marks_the_presser_present(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    assert await bot.press("here", user="U2") == 200
    [reply] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert reply.args["text"] == "You are marked present, Ulises Gascon."
    assert await bot.press("link:join", user="U2") == 200  # acked, nothing else
    await bot.command("end", user="U1")
    await fake.async_wait_for_calls("files.completeUploadExternal")
    assert "* Ulises Gascon" in fake.uploaded_files[0]["content"].decode()


async def test_edits_and_deletions_follow_the_message(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    now = datetime.now(UTC).timestamp()
    first, second = f"{int(now)}.000001", f"{int(now)}.000002"
    await bot.message("#info teh typo", "U1", first)
    await bot.message("#info a mistake", "U1", second)
    await fake.async_wait_for_calls("reactions.add", 2)
    await bot.edit(first, "U1", "#info teh typo", "#info the typo", f"{int(now) + 1}.000001")
    await bot.delete(second, "U1", "#info a mistake", f"{int(now) + 1}.000002")
    await bot.command("minutes")
    [minutes] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert "the typo" in minutes.args["text"]
    assert "teh typo" not in minutes.args["text"]
    assert "a mistake" not in minutes.args["text"]


async def test_mentions_become_names_and_nothing_the_bot_posts_pings(bot: SlackBot,
                                                                     fake: FakeSlack) -> None:
    await _start(bot)
    base = int(datetime.now(UTC).timestamp())
    await bot.message("#topic <!channel> release &lt;!here&gt; plan", "U1", f"{base}.000001")
    await bot.message("#info ask <@U2> and <@U1|rafael> about it", "U1", f"{base}.000002")
    await fake.async_wait_for_calls("chat.postMessage", 2)
    await fake.async_wait_for_calls("reactions.add")
    await bot.command("minutes")
    [minutes] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert "ask Ulises Gascon and RafaelGSS about it" in minutes.args["text"]
    sent = _all_sent_text(fake)
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@" not in sent
    [topic_post] = [c for c in fake.calls_to("chat.postMessage") if "Topic" in c.args["text"]]
    # Shown literally, escaped, and the broadcast word defused with a word joiner.
    assert topic_post.args["text"] == "Topic: @\u2060channel release &lt;!here&gt; plan"
    [topic] = fake.calls_to("conversations.setTopic")
    assert topic.args["topic"] == "@\u2060channel release &lt;!here&gt; plan"


async def test_a_thread_reply_belongs_to_the_topic_its_thread_began_under(
        bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    base = int(datetime.now(UTC).timestamp())
    await bot.message("#agenda add First item", "U1", f"{base}.000001")
    await bot.message("#agenda add Second item", "U1", f"{base}.000002")
    await bot.message("#topic First item", "U1", f"{base}.000003")
    await bot.message("#info discussing the first", "U1", f"{base + 1}.000001")
    await bot.message("#topic Second item", "U1", f"{base + 2}.000001")
    await bot.message("#info late thought on the first", "U2", f"{base + 3}.000001",
                      thread_ts=f"{base + 1}.000001")
    await fake.async_wait_for_calls("reactions.add", 4)
    await bot.command("minutes")
    [minutes] = await fake.async_wait_for_calls("chat.postEphemeral")
    text = minutes.args["text"]
    assert text.index("First item") < text.index("late thought on the first") \
        < text.index("Second item")


async def test_end_uploads_the_minutes_file_with_a_summary(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    await bot.message("#info one note", "U1", ts_of(datetime.now(UTC)))
    await bot.command("end")
    await fake.async_wait_for_calls("files.completeUploadExternal")
    [upload] = fake.uploaded_files
    assert upload["filename"].endswith(".md")
    assert upload["content"].decode().startswith("# Node.js Security team Meeting")
    assert "- one note" in upload["content"].decode()
    assert upload["initial_comment"].startswith("Meeting ended: Node.js Security team Meeting")
    assert upload["title"] == "Minutes: Node.js Security team Meeting"


async def test_only_a_chair_may_end_and_the_refusal_is_private(bot: SlackBot,
                                                               fake: FakeSlack) -> None:
    await _start(bot)
    await bot.command("end", user="U2")
    [refusal] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert refusal.args["text"].startswith("Only a chair can use endmeeting")
    assert fake.uploaded_files == []


async def test_reminders_show_the_time_in_each_readers_zone(bot: SlackBot,
                                                            fake: FakeSlack) -> None:
    when = datetime(2026, 1, 8, 14, 0, tzinfo=UTC)
    await bot.service.deliver([Post(Place("slack", "C1", TEAM_ID), "Security WG meets soon",
                                    when=when, purpose=Purpose.REMINDER)])
    [post] = fake.calls_to("chat.postMessage")
    context = post.args["blocks"][-1]["elements"][0]["text"]
    assert f"<!date^{int(when.timestamp())}^{{date_long_pretty}} {{time}}|2026-01-08 14:00 UTC>" \
        in context
    assert post.args["text"] == "Security WG meets soon (2026-01-08 14:00 UTC)"


async def test_a_slack_outage_is_retried_with_backoff(bot: SlackBot, fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", 1, status=503)
    await bot.service.deliver([Post(Place("slack", "C1", TEAM_ID), "hello")])
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [503, 200]


async def test_the_bots_own_messages_are_ignored(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot)
    event: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": "B0GAVELBOT",
                             "text": "#info said by the bot", "ts": ts_of(datetime.now(UTC)),
                             "channel": "C1"}
    assert await bot.event(event) == 200
    await bot.command("minutes")
    [minutes] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert "said by the bot" not in minutes.args["text"]
    assert fake.calls_to("reactions.add") == []


async def test_health_check_is_served_beside_slack(bot: SlackBot) -> None:
    async with bot.session.get(bot.url + "/healthz") as response:
        assert response.status == 200
        assert (await response.json()) == {"ok": True}



async def test_a_vote_is_a_message_with_a_button_per_option(bot: SlackBot,
                                                            fake: FakeSlack) -> None:
    await _start(bot)
    base = int(datetime.now(UTC).timestamp())
    await bot.message("#startvote Ship it? yes, no", "U1", f"{base}.000001")
    posted = await fake.async_wait_for_calls("chat.postMessage", 2)
    [actions] = [b for b in posted[1].args["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["text"]["text"]) for e in actions["elements"]] == [
        ("vote:1:0", "yes"), ("vote:1:1", "no")]
    assert await bot.press("vote:1:0", user="U2") == 200
    [first] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert first.args["text"] == "Your vote is yes: Ship it?"
    assert await bot.press("vote:1:1", user="U2") == 200
    second = (await fake.async_wait_for_calls("chat.postEphemeral", 2))[1]
    assert second.args["text"] == "Your vote is now no: Ship it?"
    await bot.message("#endvote", "U1", f"{base}.000002")
    closed = (await fake.async_wait_for_calls("chat.postMessage", 3))[2]
    assert closed.args["text"].startswith("Vote: Ship it? (yes 0, no 1) Result: no")
