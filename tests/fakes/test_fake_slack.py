"""Self-test of FakeSlack with the real slack_sdk client.

Why: Gavel's Slack tests are only as good as the fake's fidelity. The fake answers only the
methods Gavel calls, holds requests and replies to Slack's published API description and
Block Kit's documented limits, and makes the test fail when either is broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        server.add_channel("C1", name="security-wg")
        yield server


def client(fake: FakeSlack, token: str = BOT_TOKEN) -> WebClient:
    return WebClient(token=token, base_url=fake.api_url)


def test_every_method_gavel_calls_answers_within_slacks_description(fake: FakeSlack) -> None:
    web = client(fake)
    assert web.auth_test()["user_id"] == fake.bot_user_id
    posted = web.chat_postMessage(channel="C1", text="hi", blocks=[
        {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}])
    web.chat_postEphemeral(channel="C1", user="U1", text="only you")
    web.reactions_add(channel="C1", timestamp=posted["ts"], name="white_check_mark")
    web.conversations_setTopic(channel="C1", topic="Security WG")
    assert web.users_info(user="U1")["user"]["profile"]["display_name"] == "RafaelGSS"
    web.files_upload_v2(channel="C1", content="# Minutes", filename="m.md", title="Minutes")
    assert fake.spec_problems == []
    assert fake.uploaded_files[0]["content"] == b"# Minutes"
    assert [m["text"] for m in fake.messages] == ["hi"]


def _refused(fake: FakeSlack, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as err:
        client(fake).chat_postMessage(**kwargs)
    return str(err.value.response["error"])


def _button(**fields: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Join"}, **fields}]}


@pytest.mark.parametrize("blocks", [
    [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51,
    [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
    [_button(action_id="a", value="v" * 2001)],
    [{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "t" * 76}, "action_id": "a"}]}],
], ids=["51 blocks", "3001-character section", "2001-character value", "76-character text"])
def test_block_kit_past_slacks_limits_is_refused_and_fails_the_test(
        fake: FakeSlack, blocks: list[dict[str, Any]]) -> None:
    assert _refused(fake, channel="C1", text="t", blocks=blocks) == "invalid_blocks"
    with pytest.raises(AssertionError, match="request refused"):
        fake.stop()
    fake.spec_problems.clear()


def test_a_request_slacks_description_refuses_is_refused_like_slack(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        client(fake).api_call("reactions.add", json={"channel": "C1", "timestamp": "1.2"})
    assert err.value.response["error"] == "invalid_arguments"
    assert "'name' is a required property" in err.value.response["response_metadata"]["messages"][0]
    fake.spec_problems.clear()


def test_methods_gavel_never_calls_and_wrong_tokens_are_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        client(fake).chat_update(channel="C1", ts="1.2", text="x")
    assert err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as err:
        client(fake, APP_TOKEN).auth_test()
    assert err.value.response["error"] == "not_allowed_token_type"
