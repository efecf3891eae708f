"""Unusual and hostile requests at Slack's HTTP endpoint: replayed signed requests, the word
``payload`` in a command, and bodies that are not what Slack sends."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import SECURITY_WG
from tests.fakes.slack import FakeSlack
from tests.slack_harness import SIGNING_SECRET, SlackBot, bound_to_slack, running_slack
from tests.slack_payloads import block_action_body, signed_headers, slash_command_body

WG = bound_to_slack(SECURITY_WG)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        server.add_channel("C1", name="payload-review")
        yield server


@pytest.fixture
async def bot(fake: FakeSlack, database_url: str, tmp_path: Path) -> AsyncIterator[SlackBot]:
    async with running_slack(fake, database_url, str(tmp_path),
                             Settings(groups=[WG])) as running:
        yield running


async def _minutes(bot: SlackBot, fake: FakeSlack) -> str:
    before = len(fake.calls_to("chat.postEphemeral"))
    assert await bot.command("minutes") == 200
    calls = await fake.async_wait_for_calls("chat.postEphemeral", before + 1)
    return str(calls[-1].args["text"])


async def _start(bot: SlackBot, fake: FakeSlack) -> None:
    assert await bot.command("start") == 200
    await fake.async_wait_for_calls("chat.postMessage")


# -- item 14: the word "payload" ---------------------------------------------------------

async def test_a_command_mentioning_payload_reaches_the_meeting(bot: SlackBot,
                                                                fake: FakeSlack) -> None:
    await _start(bot, fake)
    assert await bot.command("note we reviewed the payload size") == 200
    [confirm] = await fake.async_wait_for_calls("chat.postEphemeral")
    assert "we reviewed the payload size" in confirm.args["text"]
    assert "we reviewed the payload size" in await _minutes(bot, fake)


async def test_a_command_from_a_channel_named_payload_review_is_answered(
        bot: SlackBot, fake: FakeSlack) -> None:
    body = slash_command_body(text="start", channel_name="payload-review",
                              response_url=fake.response_url())
    status, _ = await bot.post(body)
    assert status == 200
    [post] = await fake.async_wait_for_calls("chat.postMessage")
    assert "Meeting started" in post.args["text"]


# -- item 13: replayed signed requests ---------------------------------------------------

async def test_a_replayed_slash_command_runs_once(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot, fake)
    body = slash_command_body(text="note three notes from one command",
                              response_url=fake.response_url())
    headers = signed_headers(SIGNING_SECRET, body)
    for _ in range(3):  # the same signed request, within Slack's 5-minute window
        assert (await bot.post(body, headers))[0] == 200
    # A new command with the same words is a new note.
    assert await bot.command("note three notes from one command") == 200
    await fake.async_wait_for_calls("chat.postEphemeral", 2)
    assert (await _minutes(bot, fake)).count("three notes from one command") == 2


async def test_a_replayed_button_press_runs_once(bot: SlackBot, fake: FakeSlack) -> None:
    await _start(bot, fake)
    body = block_action_body("here", "here", "U1", "C1", response_url=fake.response_url())
    headers = signed_headers(SIGNING_SECRET, body)
    for _ in range(3):
        assert (await bot.post(body, headers))[0] == 200
    await fake.async_wait_for_calls("chat.postEphemeral")
    # The minutes command is handled after the three presses (one at a time per channel).
    assert "RafaelGSS" in await _minutes(bot, fake)
    confirmations = [c for c in fake.calls_to("chat.postEphemeral")
                     if "You are marked present" in str(c.args.get("text", ""))]
    assert len(confirmations) == 1


# -- item 15: malformed bodies -----------------------------------------------------------

MALFORMED = [
    pytest.param('{"type": "event_callback", "event": {"type": "mess', None, 400,
                 id="truncated-json"),
    pytest.param("payload=zzz", None, 400, id="payload-not-json"),
    pytest.param("payload=%5B1%2C2%5D", None, 400, id="payload-not-an-object"),
    pytest.param("text=start&&&=&", None, 400, id="broken-form"),
    pytest.param("command=%2Fmeeting&text=start", "abc", 400, id="timestamp-abc"),
    pytest.param("payload=zzz", "unsigned", 401, id="unsigned-garbage"),
    pytest.param('{"type": "event_callback", "event": {"type": "mess', "bad-signature", 401,
                 id="badly-signed-truncated-json"),
]


@pytest.mark.parametrize(("body", "headers", "status"), MALFORMED)
async def test_a_malformed_request_gets_a_4xx_and_one_log_line(
        bot: SlackBot, fake: FakeSlack, caplog: pytest.LogCaptureFixture, body: str,
        headers: str | None, status: int) -> None:
    sent = signed_headers(SIGNING_SECRET, body)
    if headers == "abc":
        sent["X-Slack-Request-Timestamp"] = "abc"
    elif headers == "unsigned":
        del sent["X-Slack-Signature"]
    elif headers == "bad-signature":
        sent = signed_headers("not-the-secret", body)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        answer, text = await bot.post(body, sent)
    assert answer == status
    assert "Traceback" not in text and "Error" not in text.split(":")[0]
    refusals = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(refusals) == 1, [r.getMessage() for r in caplog.records]
    assert refusals[0].exc_info is None
    assert "refused a request" in refusals[0].getMessage()
    # The endpoint still works for the next, well-formed request.
    assert await bot.command("start") == 200
    await fake.async_wait_for_calls("chat.postMessage")


async def test_a_stale_replay_is_refused_before_it_is_read(bot: SlackBot) -> None:
    body = "payload=zzz"
    status, text = await bot.post(body, signed_headers(SIGNING_SECRET, body,
                                                       timestamp=int(time.time()) - 600))
    assert status == 401
    assert json.loads(text) == {"error": "stale request (timestamp outside Slack's 5-minute "
                                         "window)"}
