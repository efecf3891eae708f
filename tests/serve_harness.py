"""``gavel serve`` as a real process, for the tests of the service: its address, its stepped
clock (``--step-clock``), signals, and Slack requests signed the way Slack signs them.

The test waits on what the process says (``listening on``, ``ready T``, ``at T``) and on
what it answers, never on a number of real seconds; ``HANG_GUARD`` is only ever reached
when a process hangs.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.slack_payloads import event_body, signed_headers, slash_command_body

__all__ = ["BOT_TOKEN", "SIGNING_SECRET", "ServeProcess", "signed_headers"]

ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD = 120.0
SIGNING_SECRET = "gavel-serve-test-signing-secret"
# Variables the tests' own environment must not lend to the service under test.
PLATFORM_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                      "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "DISCORD_TOKEN", "GITHUB_TOKEN",
                      "GAVEL_CONFIG", "GAVEL_DATABASE_URL", "GAVEL_LOG_FORMAT",
                      "GAVEL_LOG_LEVEL", "GAVEL_FAKE_TIME", "GAVEL_SLACK_API_URL")


def slack_env(fake: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "GAVEL_SLACK_API_URL": fake.api_url}


def scheduled_group(name: str, start: str, channel: str, platform: str = "slack",
                    reminders: str = '["1h", "0m"]', rrule: str = "FREQ=DAILY",
                    grace: int = 180, workspace: str = "") -> str:
    where = f'workspace = "{workspace}"\n' if workspace else ""
    return f"""
[[groups]]
name = "{name}"
reminders = {reminders}
[groups.schedule]
rrule = "{rrule}"
start = "{start}"
timezone = "UTC"
duration_minutes = 60
horizon_days = 3
grace_minutes = {grace}
[[groups.channels]]
platform = "{platform}"
channel = "{channel}"
{where}"""


class ServeProcess:
    """``gavel serve`` on 127.0.0.1 and a free port; with ``step_from``, its reminders run
    on a clock standing there until ``step`` moves it."""

    def __init__(self, config: Path, data_dir: Path, env: dict[str, str] | None = None,
                 step_from: datetime | None = None, name: str = "serve",
                 command: list[str] | None = None) -> None:
        args = command or [sys.executable, "-m", "gavel"]
        args = [*args, "--config", str(config), "serve"]
        if step_from is not None:
            args += ["--step-clock", "--fake-time", step_from.isoformat()]
        base = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
        self.env = {**base, "PYTHONPATH": str(ROOT), "GAVEL_DATA_DIR": str(data_dir),
                    "GAVEL_WEB_HOST": "127.0.0.1", "GAVEL_WEB_PORT": "0", **(env or {})}
        self.stderr_path = data_dir.parent / f"{name}.stderr"
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.stderr_path.open("w") as stderr:  # a file: a full pipe would block it
            self.process = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=stderr, text=True,
                                            bufsize=1, env=self.env)
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.next_line()
        assert first.startswith("gavel serve: listening on "), \
            f"got {first!r}; stderr:\n{self.stderr}"
        self.url = first.removeprefix("gavel serve: listening on ")
        if step_from is not None:
            self.expect(f"ready {step_from.isoformat()}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("<end of output>")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")

    def next_line(self) -> str:
        try:
            return self._lines.get(timeout=HANG_GUARD)
        except queue.Empty:
            return "<nothing: the process hangs>"

    def expect(self, line: str) -> None:
        got = self.next_line()
        assert got == line, f"expected {line!r}, got {got!r}; stderr:\n{self.stderr}"

    def send(self, instant: datetime) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(instant.isoformat() + "\n")
        self.process.stdin.flush()

    def step(self, instant: datetime) -> None:
        """Move the clock to ``instant``; return once all due by then is handled."""
        self.send(instant)
        self.expect(f"at {instant.isoformat()}")

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=HANG_GUARD) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def post_slack(self, body: str, retry: int = 0,
                   signed: dict[str, str] | None = None) -> int:
        """POST ``body`` as Slack would; ``signed`` resends headers signed before (a
        replay is the same bytes with the same signature and timestamp)."""
        headers = dict(signed or signed_headers(SIGNING_SECRET, body))
        if retry:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(self.url + "/slack/events", data=body.encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=HANG_GUARD) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float = HANG_GUARD) -> int:
        self.process.wait(timeout=timeout)
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        return self.process.returncode

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.wait()

    def stop(self) -> None:
        """For fixtures' clean-up: whatever state the test left it in."""
        if self.process.poll() is None:
            self.process.kill()
            self.wait()


def command_body(fake: FakeSlack, text: str, channel: str = "C1", user: str = "U1") -> str:
    return slash_command_body(text=text, user_id=user, channel_id=channel,
                              response_url=fake.response_url())


def message_body(text: str, ts: str, channel: str = "C1", user: str = "U1",
                 event_id: str | None = None) -> str:
    return event_body({"type": "message", "user": user, "text": text, "ts": ts,
                       "channel": channel, "channel_type": "channel", "event_ts": ts},
                      event_id)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
