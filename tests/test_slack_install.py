"""Installing and starting the Slack app: the manifest, multi-workspace OAuth installs kept
in Gavel's database, and ``gavel run`` starting the adapter when Slack tokens are set."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
import yaml

from adapters.slack.app import COMMAND, EVENTS, SCOPES
from bot.config import Secrets, Settings, SlackSettings
from tests.conftest import SECURITY_WG
from tests.fakes.slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.slack_harness import SIGNING_SECRET, SlackBot, bound_to_slack, running_slack
from tests.slack_payloads import signed_headers, slash_command_body

ROOT = Path(__file__).resolve().parents[1]


def test_the_manifest_asks_for_exactly_what_the_bot_uses() -> None:
    manifest = yaml.safe_load((ROOT / "slack-manifest.yaml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == sorted(EVENTS)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["should_escape"] is True  # mentions arrive as <@U...>, turned into names
    for url in (command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
                manifest["settings"]["interactivity"]["request_url"]):
        assert url.endswith("/slack/events")
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


OAUTH_SECRETS = Secrets(slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                        slack_client_secret="client-secret")


def _oauth_settings(**slack: object) -> Settings:
    return Settings(groups=[bound_to_slack(SECURITY_WG)],
                    slack=SlackSettings(oauth=True, **slack))  # type: ignore[arg-type]


async def _install(bot: SlackBot) -> tuple[int, str, str, str]:
    """The install page, then Slack's redirect back: (status, page, state, cookie)."""
    async with bot.session.get(bot.url + "/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', html)
    assert link is not None
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"]
    assert sorted(query["scope"][0].split(",")) == sorted(SCOPES)
    state = query["state"][0]
    async with bot.session.get(f"{bot.url}/slack/oauth_redirect",
                               params={"code": "abc", "state": state},
                               headers={"Cookie": cookie}) as done:
        return done.status, await done.text(), state, cookie


@pytest.mark.parametrize("slack", [{"allowed_teams": [TEAM_ID]},
                                   {"allow_any_workspace": True}],
                         ids=["allowed", "any-workspace"])
async def test_a_workspace_installs_gavel_and_its_token_is_used(
        database_url: str, tmp_path: Path, slack: dict[str, object]) -> None:
    with FakeSlack() as fake:
        fake.add_user("U1", name="rafael", display_name="RafaelGSS")
        async with running_slack(fake, database_url, str(tmp_path), _oauth_settings(**slack),
                                 secrets=OAUTH_SECRETS) as bot:
            status, page, state, cookie = await _install(bot)
            assert status == 200, page
            assert await bot.command("start") == 200
            [post] = await fake.async_wait_for_calls("chat.postMessage")
            # A second redirect with the same state is refused: states are single-use.
            async with bot.session.get(f"{bot.url}/slack/oauth_redirect",
                                       params={"code": "abc", "state": state},
                                       headers={"Cookie": cookie}) as again:
                assert again.status != 200
    assert fake.calls_to("oauth.v2.access")[0].args["code"] == "abc"
    assert post.token == "xoxb-installed-abc"
    assert post.args["channel"] == "C1"


@pytest.mark.parametrize("slack", [{}, {"allowed_teams": ["T0SOMEONE"]}],
                         ids=["no-list", "other-team"])
async def test_a_workspace_not_allowed_is_refused_with_a_page_naming_it(
        database_url: str, tmp_path: Path, slack: dict[str, object]) -> None:
    with FakeSlack() as fake:
        fake.add_user("U1", name="rafael", display_name="RafaelGSS")
        async with running_slack(fake, database_url, str(tmp_path), _oauth_settings(**slack),
                                 secrets=OAUTH_SECRETS) as bot:
            status, page, _, _ = await _install(bot)
            assert status == 403
            assert f"workspace <code>{TEAM_ID}</code> is not one of them" in page
            assert "allowed_teams" in page
            # Nothing was kept: the workspace's commands are not served.
            # (Bolt finds no installation and answers before any listener runs.)
            answer = await bot.post(slash_command_body(text="start",
                                                       response_url=fake.response_url()))
            assert answer == (200, "")
    assert fake.calls_to("chat.postMessage") == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_gavel_run_with_slack_tokens_serves_slack(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "gavel.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[web]\nport = {port}\n'
                      '[[groups]]\nname = "Security WG"\n')
    with FakeSlack() as fake:
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET, "GAVEL_SLACK_API_URL": fake.api_url}
        env.pop("SLACK_APP_TOKEN", None)
        process = subprocess.Popen([sys.executable, "-m", "gavel", "--config",
                                    str(config), "run"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            async with aiohttp.ClientSession() as session:
                deadline = time.monotonic() + 20
                while True:
                    assert process.poll() is None, process.communicate()[1].decode()
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                            if health.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    assert time.monotonic() < deadline, "gavel run did not start serving"
                    await asyncio.sleep(0.05)
                body = slash_command_body(text="start", response_url=fake.response_url())
                async with session.post(f"http://127.0.0.1:{port}/slack/events",
                                        data=body.encode(),
                                        headers=signed_headers(SIGNING_SECRET, body)) as resp:
                    assert resp.status == 200
            [post] = await fake.async_wait_for_calls("chat.postMessage")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr.decode()
    assert "Meeting started: Security WG Meeting" in post.args["text"]
    assert BOT_TOKEN not in stderr.decode()
    assert fake.calls_to("auth.test")  # the token was checked at start
