"""Self-test of FakeSlack: the real slack_sdk / slack_bolt clients must work against it
unpatched, otherwise every adapter test built on it proves nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import (
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_ID,
    FakeSlack,
    block_action_body,
    block_action_envelope,
    event_body,
    event_envelope,
    signed_headers,
    slash_command_body,
    slash_command_envelope,
)

SIGNING_SECRET = "fake-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.api_url)


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Bolt runs listener code after the ack, so side effects can trail it a little."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- Web API, sync client


def test_auth_test_answers_bot_identity(fake: FakeSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["user_id"] == BOT_USER_ID
    assert resp["bot_id"] == BOT_ID
    assert resp["team_id"] == TEAM_ID
    assert resp["url"].startswith("https://")
    [call] = fake.calls_to("auth.test")
    assert call.token == BOT_TOKEN


def test_post_message_records_args_and_increments_ts(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C1"
    assert first["message"]["text"] == "hello"
    assert first["message"]["bot_id"] == BOT_ID
    calls = fake.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["hello", "again"]
    assert calls[0].args["blocks"] == blocks
    assert calls[1].args["thread_ts"] == first["ts"]
    assert calls[0].token == BOT_TOKEN
    assert [m["text"] for m in fake.messages] == ["hello", "again"]


def test_update_delete_reactions_and_errors(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final")
    assert updated["message"]["text"] == "final"
    client.reactions_add(channel="C1", timestamp=posted["ts"], name="+1")
    with pytest.raises(SlackApiError) as dup:
        client.reactions_add(channel="C1", timestamp=posted["ts"], name="+1")
    assert dup.value.response["error"] == "already_reacted"
    assert fake.reactions == [
        {"channel": "C1", "timestamp": posted["ts"], "name": "+1", "user": BOT_USER_ID}
    ]
    eph = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert eph["message_ts"]
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert fake.messages == []
    with pytest.raises(SlackApiError) as gone:
        client.chat_update(channel="C1", ts=posted["ts"], text="x")
    assert gone.value.response["error"] == "message_not_found"


def test_users_info_from_registry(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user(
        "U1", name="alice", real_name="Alice Example", display_name="alice", tz="Europe/Paris"
    )
    user = client.users_info(user="U1")["user"]
    assert user["name"] == "alice"
    assert user["real_name"] == "Alice Example"
    assert user["profile"]["display_name"] == "alice"
    assert user["tz"] == "Europe/Paris"
    assert user["tz_offset"] in (3600, 7200)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"


def test_conversations_info_and_join(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C1", name="tsc", is_member=False)
    assert client.conversations_info(channel="C1")["channel"]["name"] == "tsc"
    joined = client.conversations_join(channel="C1")
    assert joined["channel"]["is_member"] is True
    with pytest.raises(SlackApiError) as err:
        client.conversations_info(channel="C404")
    assert err.value.response["error"] == "channel_not_found"


def test_views_open_and_publish(fake: FakeSlack, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Agenda"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456.abc", view=view)
    assert opened["view"]["id"].startswith("V")
    published = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert published["view"]["type"] == "home"
    assert fake.calls_to("views.open")[0].args["view"]["title"]["text"] == "Agenda"


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    content = "# Minutes\n\n- décision: ship it\n"
    resp = client.files_upload_v2(
        channel="C1",
        content=content,
        filename="minutes.md",
        title="TSC minutes",
        initial_comment="Minutes attached",
    )
    [uploaded] = fake.uploaded_files
    assert uploaded["content"] == content.encode("utf-8")
    assert uploaded["filename"] == "minutes.md"
    assert uploaded["title"] == "TSC minutes"
    assert uploaded["channel"] == "C1"
    assert uploaded["initial_comment"] == "Minutes attached"
    assert resp["file"]["id"] == uploaded["file_id"]
    methods = [c.method for c in fake.calls]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_fail_next_raises_500_then_recovers(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", 1, status=500)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 500
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 200]


def test_rate_limit_next_sends_429_with_retry_after(fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", 1, retry_after=1)
    plain = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as err:
        plain.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "1"

    fake.rate_limit_next("chat.postMessage", 1, retry_after=0)
    retrying = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    retrying.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_unknown_method_and_token_checks(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("meetings.teleport")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as wrong_token:
        WebClient(token=APP_TOKEN, base_url=fake.api_url).chat_postMessage(channel="C", text="x")
    assert wrong_token.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as no_token:
        WebClient(base_url=fake.api_url).auth_test()
    assert no_token.value.response["error"] == "not_authed"


def test_reset_forgets_calls_but_keeps_users(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", name="alice")
    client.chat_postMessage(channel="C1", text="x")
    fake.fail_next("auth.test")
    fake.reset()
    assert fake.calls == []
    assert client.auth_test()["ok"] is True
    assert client.users_info(user="U1")["user"]["name"] == "alice"


# ---------------------------------------------------------------- async client


@pytest.mark.asyncio
async def test_async_client_query_params_and_upload(fake: FakeSlack) -> None:
    fake.add_user("U1", name="alice", tz="America/New_York")
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    user = (await client.users_info(user="U1"))["user"]
    assert user["tz"] == "America/New_York"
    assert fake.calls_to("users.info")[0].http_method == "GET"
    await client.files_upload_v2(channel="C1", content=b"\x00binary", filename="a.bin")
    assert fake.uploaded_files[0]["content"] == b"\x00binary"


# ---------------------------------------------------------------- Socket Mode


@pytest.mark.asyncio
async def test_socket_mode_slash_command_is_acked(fake: FakeSlack) -> None:
    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
    seen: list[dict[str, Any]] = []
    done = asyncio.Event()

    @app.command("/meeting")
    async def meeting(ack: Any, command: dict[str, Any], say: Any) -> None:
        await ack("Meeting scheduled")
        seen.append(command)
        await say("The TSC meeting starts now")
        done.set()

    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN)
    await handler.connect_async()
    try:
        await fake.async_wait_for_socket()
        envelope = slash_command_envelope(text="start tsc", user_id="U1", channel_id="C1")
        fake.socket_send(envelope)
        ack = await fake.async_wait_for_ack(envelope["envelope_id"])
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await handler.close_async()

    assert ack["payload"] == {"text": "Meeting scheduled"}
    assert seen[0]["text"] == "start tsc"
    [opened] = fake.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    [posted] = fake.calls_to("chat.postMessage")
    assert posted.args["channel"] == "C1"
    assert posted.args["text"] == "The TSC meeting starts now"


@pytest.mark.asyncio
async def test_socket_mode_event_and_block_action(fake: FakeSlack) -> None:
    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
    got: list[str] = []

    @app.event("app_mention")
    async def mention(body: dict[str, Any]) -> None:
        got.append(body["event"]["text"])

    @app.action("rsvp")
    async def rsvp(ack: Any, action: dict[str, Any]) -> None:
        await ack()
        got.append(action["value"])

    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN)
    await handler.connect_async()
    try:
        event = {"type": "app_mention", "user": "U1", "text": "<@U0GAVELBOT> agenda"}
        event_env = event_envelope({**event, "channel": "C1", "ts": "1.000001"})
        action_env = block_action_envelope("rsvp", "yes")
        fake.socket_send(event_env)
        fake.socket_send(action_env)
        await fake.async_wait_for_ack(event_env["envelope_id"])
        await fake.async_wait_for_ack(action_env["envelope_id"])
        await _until(lambda: len(got) == 2)
    finally:
        await handler.close_async()
    assert sorted(got) == ["<@U0GAVELBOT> agenda", "yes"]


def test_blocking_wait_refuses_inside_event_loop(fake: FakeSlack) -> None:
    async def misuse() -> None:
        fake.wait_for_ack("nope", timeout=0.01)

    with pytest.raises(RuntimeError, match="async_wait_for"):
        asyncio.run(misuse())
    with pytest.raises(TimeoutError):
        fake.wait_for_ack("nope", timeout=0.01)


# ---------------------------------------------------------------- signed HTTP requests to Bolt


@pytest.fixture
async def bolt_http(fake: FakeSlack) -> AsyncIterator[tuple[str, list[str]]]:
    """A Bolt AsyncApp served over HTTP on 127.0.0.1:0; yields (url, handler log)."""
    app = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url),
    )
    log: list[str] = []

    @app.command("/meeting")
    async def meeting(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        log.append(f"command:{command['text']}")
        await respond("noted")

    @app.event("app_mention")
    async def mention(event: dict[str, Any]) -> None:
        log.append(f"event:{event['text']}")

    @app.action("rsvp")
    async def rsvp(ack: Any, action: dict[str, Any]) -> None:
        await ack()
        log.append(f"action:{action['value']}")

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events", log
    finally:
        await runner.cleanup()


async def _post(url: str, body: str, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as resp,
    ):
        return resp.status


@pytest.mark.asyncio
async def test_signed_bodies_are_accepted_by_bolt(
    fake: FakeSlack, bolt_http: tuple[str, list[str]]
) -> None:
    url, log = bolt_http
    command = slash_command_body(text="start", response_url=fake.response_url())
    event = event_body({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1"})
    action = block_action_body("rsvp", "yes", "U1", "C1", "1700000000.000100")
    for body in (command, event, action):
        assert await _post(url, body, signed_headers(SIGNING_SECRET, body)) == 200
    [responded] = await fake.async_wait_for_calls("response_url")
    assert responded.args["text"] == "noted"
    await _until(lambda: len(log) == 3)
    assert sorted(log) == ["action:yes", "command:start", "event:hi"]


@pytest.mark.asyncio
async def test_bad_or_stale_signature_is_rejected(bolt_http: tuple[str, list[str]]) -> None:
    url, _ = bolt_http
    body = slash_command_body(text="start")
    assert await _post(url, body, signed_headers("wrong-secret", body)) == 401
    stale = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 600)
    assert await _post(url, body, stale) == 401
    assert json.loads(event_body({"type": "x"}))["type"] == "event_callback"
