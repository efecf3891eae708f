"""Socket Mode: Gavel dials out to Slack (here FakeSlack's WebSocket) and gets the same
commands and events as over HTTP, acked on the socket."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.slack import SlackService
from adapters.web import build_web_app
from bot.app import build_core
from bot.config import Secrets, Settings, SlackSettings
from tests.conftest import SECURITY_WG
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.slack_harness import bound_to_slack, ts_of
from tests.slack_payloads import event_envelope, slash_command_envelope


async def test_socket_mode_runs_a_meeting_and_dedupes_retries(tmp_path: Path) -> None:
    settings = Settings(groups=[bound_to_slack(SECURITY_WG)], data_dir=str(tmp_path),
                        slack=SlackSettings(mode="socket"))
    core = build_core(settings, Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN),
                      database_url=f"sqlite:///{tmp_path / 'gavel.db'}")
    with FakeSlack() as fake:
        fake.add_user("U1", name="rafael", display_name="RafaelGSS")
        service = SlackService(core, build_web_app(core), env={"GAVEL_SLACK_API_URL":
                                                               fake.api_url})
        await service.start()
        try:
            await fake.async_wait_for_socket()
            start = slash_command_envelope(text="start", user_id="U1", channel_id="C1",
                                           response_url=fake.response_url())
            fake.socket_send(start)
            ack = await fake.async_wait_for_ack(start["envelope_id"])
            await fake.async_wait_for_calls("chat.postMessage")
            message = {"type": "message", "user": "U1", "text": "#info over the socket",
                       "ts": ts_of(datetime.now(UTC)), "channel": "C1"}
            first = event_envelope(message, event_id="EvSOCK1")
            retry = event_envelope(message, event_id="EvSOCK1", retry_attempt=1,
                                   retry_reason="timeout")
            fake.socket_send(first)
            fake.socket_send(retry)
            await fake.async_wait_for_ack(retry["envelope_id"])
            await fake.async_wait_for_calls("reactions.add")
            end = slash_command_envelope(text="end", user_id="U1", channel_id="C1",
                                         response_url=fake.response_url())
            fake.socket_send(end)
            await fake.async_wait_for_calls("files.completeUploadExternal")
        finally:
            await service.stop()
            core.close()
    assert service.mode == "socket"
    assert ack["envelope_id"] == start["envelope_id"]
    assert fake.calls_to("apps.connections.open")[0].token == APP_TOKEN
    minutes = fake.uploaded_files[0]["content"].decode()
    assert minutes.count("over the socket") == 1
    assert len(fake.calls_to("reactions.add")) == 1
    assert "Meeting started" in fake.calls_to("chat.postMessage")[0].args["text"]
