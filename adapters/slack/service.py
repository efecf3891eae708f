"""The Slack adapter as ``gavel.service.serve`` runs it: start, stop, and deliver effects.

Three ways to run, chosen by the config and the environment:

- HTTP, one workspace: ``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``; Slack posts to
  ``/slack/events`` on Gavel's web server (the one serving ``/healthz``).
- HTTP, many workspaces (``[slack] oauth = true``): ``SLACK_CLIENT_ID``,
  ``SLACK_CLIENT_SECRET``, ``SLACK_SIGNING_SECRET``; workspaces install the app at
  ``/slack/install`` and their bot tokens are kept in Gavel's database.
- Socket Mode (``[slack] mode = "socket"``, or only ``SLACK_APP_TOKEN`` without a signing
  secret): ``SLACK_APP_TOKEN`` + ``SLACK_BOT_TOKEN``; Gavel dials out, no public URL.

``$GAVEL_SLACK_API_URL`` (or ``[slack] api_url``) points the Web API elsewhere: tests use it
to reach a fake Slack.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from itertools import groupby

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import (
    ONCE_KEY,
    SCOPES,
    Clock,
    MeetingListeners,
    build_bolt_app,
    utc_now,
)
from adapters.slack.delivery import deliver, make_client
from adapters.slack.installations import (
    DatabaseInstallationStore,
    DatabaseStateStore,
    TooManyInstallAttempts,
    WorkspaceNotAllowed,
)
from adapters.slack.people import People
from adapters.slack.requests import RequestRefused, check_request
from adapters.slack.startup import Backoff, describe, unreachable
from bot.app import Core
from bot.config import ConfigError
from bot.effects import Effect

log = logging.getLogger("gavel.slack")

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def choose_mode(core: Core) -> str:
    """``socket`` or ``http``: the config's, except that an app-level token with no signing
    secret can only mean Socket Mode."""
    settings, secrets = core.settings.slack, core.secrets
    if settings.mode == "http" and secrets.slack_app_token and not secrets.slack_signing_secret \
            and not settings.oauth:
        return "socket"
    return settings.mode


def _missing_secrets(core: Core, mode: str) -> list[str]:
    secrets, oauth = core.secrets, core.settings.slack.oauth
    needed = {
        "SLACK_SIGNING_SECRET": mode == "http",
        "SLACK_BOT_TOKEN": not oauth,
        "SLACK_APP_TOKEN": mode == "socket",
        "SLACK_CLIENT_ID": oauth,
        "SLACK_CLIENT_SECRET": oauth,
    }
    values = {
        "SLACK_SIGNING_SECRET": secrets.slack_signing_secret,
        "SLACK_BOT_TOKEN": secrets.slack_bot_token,
        "SLACK_APP_TOKEN": secrets.slack_app_token,
        "SLACK_CLIENT_ID": secrets.slack_client_id,
        "SLACK_CLIENT_SECRET": secrets.slack_client_secret,
    }
    return [name for name, required in needed.items() if required and not values[name]]


class SlackService:
    """Gavel on Slack: the Bolt app, mounted on the web server or connected by Socket Mode."""

    platform = "slack"

    def __init__(self, core: Core, web_app: web.Application, *, clock: Clock = utc_now,
                 env: Mapping[str, str] | None = None, backoff: Backoff | None = None) -> None:
        env = os.environ if env is None else env
        self.backoff = backoff or Backoff()
        # serve sets this: a failure found after start (a refused token) stops the bot.
        self.on_failure: Callable[[], None] | None = None
        self._reaching: asyncio.Task[None] | None = None
        self.connected = False  # /readyz: the bot token checked (and the socket open)
        settings = core.settings.slack
        self.core = core
        self.mode = choose_mode(core)
        missing = _missing_secrets(core, self.mode)
        if missing:
            how = "OAuth (multi-workspace)" if settings.oauth else "a single workspace"
            raise ConfigError(f"Slack in {self.mode} mode for {how} needs these environment "
                              f"variables: {', '.join(missing)} (see README, 'Slack')")
        self.api_url = env.get("GAVEL_SLACK_API_URL") or settings.api_url or None
        self.oauth = settings.oauth
        secrets = core.secrets
        self.client = make_client(None if self.oauth else secrets.slack_bot_token, self.api_url)
        self.listeners = MeetingListeners(core, People(), clock)
        options: dict[str, object] = {}
        self.installations: DatabaseInstallationStore | None = None
        self._states: DatabaseStateStore | None = None
        if self.oauth:
            self.installations = DatabaseInstallationStore(
                secrets.slack_client_id, core.database,
                None if settings.allow_any_workspace else settings.allowed_teams)
            self._states = DatabaseStateStore(core.database, now=clock)
            options["oauth_settings"] = AsyncOAuthSettings(
                client_id=secrets.slack_client_id,
                client_secret=secrets.slack_client_secret,
                scopes=list(SCOPES),
                installation_store=self.installations,
                state_store=self._states,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                callback_options=AsyncCallbackOptions(success=_installed, failure=_not_installed),
            )
        self.bolt: AsyncApp = build_bolt_app(
            self.listeners, self.client,
            signing_secret=secrets.slack_signing_secret if self.mode == "http" else None,
            **options)
        self._socket: AsyncSocketModeHandler | None = None
        if self.mode == "http":
            mount(web_app, self.bolt, secrets.slack_signing_secret)

    async def start(self) -> None:
        """Ready to serve; if Slack cannot be reached now, it is tried again in the
        background (``adapters.slack.startup``) and this returns, so the web server and
        the reminder loop start anyway."""
        if self.installations is not None and self._states is not None:
            await asyncio.to_thread(self.installations.create_tables)
            await asyncio.to_thread(self._states.create_tables)
        try:
            await self._reach_slack()
        except Exception as exc:
            if not unreachable(exc):
                raise
            self._reaching = asyncio.create_task(self._keep_reaching(exc),
                                                 name="reach-slack")
        log.warning("Slack adapter started (%s mode%s)", self.mode,
                    ", OAuth installs" if self.oauth else "")
        if self.installations is not None and self.installations.allowed == frozenset():
            log.warning("no Slack workspace may install Gavel yet: list their team ids in "
                        "[slack] allowed_teams (a refused install's page names its id), or "
                        "set allow_any_workspace = true")

    async def _reach_slack(self) -> None:
        if not self.oauth:
            await self._check_bot_token()
        if self.mode == "socket":
            socket = AsyncSocketModeHandler(self.bolt,
                                            app_token=self.core.secrets.slack_app_token)
            try:
                await socket.connect_async()
            except BaseException:
                await socket.close_async()
                raise
            self._socket = socket
        self.connected = True

    async def _keep_reaching(self, failure: BaseException) -> None:
        for attempt, delay in enumerate(self.backoff.delays(), start=1):
            log.warning("Slack is unreachable (%s): attempt %d failed, retrying in %g s; "
                        "the web server and reminders keep running", describe(failure),
                        attempt, delay)
            await self.backoff.sleep(delay)
            try:
                await self._reach_slack()
            except Exception as exc:
                if not unreachable(exc):
                    log.error("%s", exc)
                    if self.on_failure is not None:
                        self.on_failure()
                    return
                failure = exc
                continue
            log.warning("Slack reached after %d failed attempts", attempt)
            return

    async def stop(self) -> None:
        self.connected = False
        if self._reaching is not None:
            self._reaching.cancel()
            await asyncio.gather(self._reaching, return_exceptions=True)
            self._reaching = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    async def deliver(self, effects: list[Effect]) -> None:
        """Post effects no Slack request asked for (reminders, publishing results)."""
        for workspace, batch in groupby(effects, key=lambda e: e.place.workspace):
            token = await self._token_for(workspace)
            await deliver(self.client, list(batch), token=token)

    async def _token_for(self, workspace: str) -> str | None:
        if self.installations is None:
            return None  # the client carries the one bot token
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            raise ConfigError(f"Gavel is not installed in Slack workspace {workspace!r}: "
                              f"install it at {INSTALL_PATH}")
        return bot.bot_token

    async def _check_bot_token(self) -> None:
        """Fail at start, with a clear reason, rather than at the first meeting. The probe
        has no retry handlers of its own: ``start`` paces the attempts."""
        probe = AsyncWebClient(token=self.core.secrets.slack_bot_token,
                               base_url=self.client.base_url)
        try:
            await probe.auth_test()
        except SlackApiError as exc:
            if unreachable(exc):
                raise
            raise ConfigError(f"Slack refused SLACK_BOT_TOKEN: {exc.response.get('error')}") \
                from None


def mount(web_app: web.Application, bolt: AsyncApp, signing_secret: str) -> None:
    """Bolt's endpoints on Gavel's web server: events (and, with OAuth, install/redirect)."""

    async def events(request: web.Request) -> web.Response:
        try:
            checked = check_request(await request.read(), request.headers, signing_secret,
                                    time.time())
        except RequestRefused as refused:
            log.warning("refused a request to %s: %s (HTTP %d)", EVENTS_PATH, refused.reason,
                        refused.status)
            return web.json_response({"error": refused.reason}, status=refused.status)
        # Handed over already checked and parsed (see adapters.slack.requests): Bolt skips
        # its own signature check only for Socket Mode requests, which is what "checked"
        # means here, and a dict body is never re-read by its substring test.
        bolt_request = AsyncBoltRequest(body=checked.body, query=request.query_string,
                                        headers=dict(request.headers),
                                        context={ONCE_KEY: checked.once_key},
                                        mode="socket_mode")
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    web_app.router.add_post(EVENTS_PATH, events)
    flow = bolt.oauth_flow
    if flow is None:
        return

    async def install(request: web.Request) -> web.Response:
        try:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request)))
        except TooManyInstallAttempts as exc:
            log.warning("refused an install page: %s", exc)
            return web.Response(status=429, headers={"Retry-After": "60"},
                                text="Too many install attempts right now; try again in a "
                                     "minute.\n")

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    web_app.router.add_get(INSTALL_PATH, install)
    web_app.router.add_get(REDIRECT_PATH, redirect)


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    return await args.default.success(args)


async def _not_installed(args: AsyncFailureArgs) -> BoltResponse:
    """A workspace the operator has not allowed gets a page saying so, with its id (the
    operator needs it for ``allowed_teams``); other failures get slack_sdk's page."""
    if not isinstance(args.error, WorkspaceNotAllowed):
        return await args.default.failure(args)
    team = html.escape(args.error.team)
    log.warning("refused an install from Slack workspace %s (not in [slack] allowed_teams)",
                args.error.team)
    page = (f"<!DOCTYPE html><html><head><title>Gavel: not installed</title></head><body>"
            f"<h1>Gavel is not installed</h1><p>This Gavel serves only the Slack workspaces "
            f"its operator has listed, and workspace <code>{team}</code> is not one of them. "
            f"If it should be, ask the operator to add <code>\"{team}\"</code> to "
            f"<code>[slack] allowed_teams</code> in Gavel's config.</p></body></html>")
    return BoltResponse(status=403, body=page,
                        headers={"Content-Type": "text/html; charset=utf-8"})


__all__: Sequence[str] = ("SlackService", "choose_mode", "mount")
