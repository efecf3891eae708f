"""``gavel serve`` as an operator runs it: a real process, with no tokens or with Slack (the
fake), answering /healthz, /readyz, /metrics and a group's feed, logging JSON lines
without tokens, and stopping on SIGTERM with nothing lost."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.serve_harness import (
    ROOT,
    SIGNING_SECRET,
    ServeProcess,
    command_body,
    json_lines,
    message_body,
    scheduled_group,
    slack_env,
)

SHUTDOWN_LIMIT = 10.0  # the promise: SIGTERM exits within 10 s


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        server.add_channel("C1", name="security-wg")
        yield server


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def gavel(config: Path, data_dir: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "gavel", "--config", str(config),
                             *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                 "GAVEL_DATA_DIR": str(data_dir)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def metric(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"no {name} {labels} in /metrics:\n{text}")


def test_without_tokens_it_serves_health_readiness_and_a_groups_feed(tmp_path: Path) -> None:
    config = write(tmp_path / "gavel.toml", '[web]\npublic_url = "https://gavel.example.org"\n'
                   + scheduled_group("Security WG", "2026-01-08T15:00", "wg", "console"))
    data = tmp_path / "data"
    service = ServeProcess(config, data)
    try:
        assert service.get("/healthz")[:2] == (200, '{"ok": true}')
        status, body, _ = service.get("/readyz")
        assert status == 200 and '"migrations": "current"' in body
        feed_url = gavel(config, data, "ics", "Security WG", "--url").strip()
        path = feed_url.removeprefix("https://gavel.example.org")
        status, feed, headers = service.get(path)
        assert status == 200 and headers["Content-Type"].startswith("text/calendar")
        assert "BEGIN:VEVENT" in feed and "Security WG" in feed
        assert service.get("/calendar/not-a-token.ics")[0] == 404
        service.signal(signal.SIGTERM)
        assert service.wait(SHUTDOWN_LIMIT) == 0
    finally:
        service.stop()
    assert "platforms: none" in service.stderr


def test_reminders_without_tokens_go_to_the_log_as_json_lines(tmp_path: Path) -> None:
    config = write(tmp_path / "gavel.toml",
                   scheduled_group("Security WG", "2026-01-08T15:00", "wg", "console"))
    start = datetime(2026, 1, 8, 13, 59, tzinfo=UTC)
    service = ServeProcess(config, tmp_path / "data", step_from=start,
                           env={"GAVEL_LOG_FORMAT": "json"})
    try:
        service.step(datetime(2026, 1, 8, 14, 0, tzinfo=UTC))
        service.signal()
        assert service.wait(SHUTDOWN_LIMIT) == 0
    finally:
        service.stop()
    lines = json_lines(service.stderr)  # every line is one JSON object
    [reminder] = [e for e in lines if e["message"].startswith("reminder for console:wg")]
    assert "Coming up in 1 hour: Security WG Meeting" in reminder["message"]
    assert {"time", "level", "logger"} <= set(reminder)


def start_meeting(service: ServeProcess, fake: FakeSlack) -> None:
    assert service.post_slack(command_body(fake, "start")) == 200
    fake.wait_for_calls("chat.postMessage", timeout=60)


def test_sigterm_finishes_the_event_and_the_reminder_under_way_then_exits_0(
        tmp_path: Path, fake: FakeSlack, database_url: str) -> None:
    """A note acknowledged to Slack and a reminder being posted when SIGTERM comes: both
    finish (the tick is added, the reminder is marked sent), then the process exits 0."""
    config = write(tmp_path / "gavel.toml", scheduled_group(
        "Security WG", "2026-01-08T15:00", "C1", workspace=TEAM_ID, reminders='["1h"]'))
    data = tmp_path / "data"
    env = {**slack_env(fake), "GAVEL_DATABASE_URL": database_url,
           "GAVEL_LOG_FORMAT": "json"}
    service = ServeProcess(config, data, env, step_from=datetime(2026, 1, 8, 13, 59, tzinfo=UTC))
    try:
        status, body, _ = service.get("/readyz")
        assert status == 200 and '"slack": "connected"' in body
        start_meeting(service, fake)
        tick = fake.hold_next("reactions.add")
        assert service.post_slack(message_body("#info the fix ships Tuesday",
                                               "1767880000.000100", event_id="Ev1")) == 200
        assert tick.arrived.wait(60)
        reminder = fake.hold_next("files.completeUploadExternal")  # with its .ics
        service.send(datetime(2026, 1, 8, 14, 0, tzinfo=UTC))
        assert reminder.arrived.wait(60), service.stderr[-3000:]
        service.signal(signal.SIGTERM)
        tick.release()
        reminder.release()
        assert service.wait(SHUTDOWN_LIMIT) == 0
    finally:
        service.stop()
    assert len(fake.calls_to("reactions.add")) == 1
    [posted] = fake.uploaded_files
    assert posted["initial_comment"].startswith("Coming up in 1 hour: Security WG Meeting")
    listed = gavel(config, data, "--database", database_url, "reminders")
    assert "slack:C1" in listed and " sent" in listed and "retrying" not in listed
    log = service.stderr
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log
    assert any(e["message"] == "stopped" for e in json_lines(log))


def test_a_second_sigterm_exits_at_once(tmp_path: Path, fake: FakeSlack) -> None:
    config = write(tmp_path / "gavel.toml", scheduled_group(
        "Security WG", "2026-01-08T15:00", "C1", workspace=TEAM_ID, reminders='["1h"]'))
    service = ServeProcess(config, tmp_path / "data", slack_env(fake),
                           step_from=datetime(2026, 1, 8, 13, 59, tzinfo=UTC))
    held = fake.hold_next("files.completeUploadExternal")
    try:
        service.send(datetime(2026, 1, 8, 14, 0, tzinfo=UTC))
        assert held.arrived.wait(60)
        service.signal(signal.SIGTERM)  # the first waits for the held post...
        service.expect("gavel serve: stopping")
        service.signal(signal.SIGTERM)  # ...the second does not
        assert service.wait(SHUTDOWN_LIMIT) == 128 + signal.SIGTERM
    finally:
        held.release(fail_status=500)
        service.stop()
    assert "SIGTERM again: exiting at once" in service.stderr


def test_metrics_after_a_meeting(tmp_path: Path, fake: FakeSlack) -> None:
    """A Slack meeting (start, two notes, end) and two reminders, one late: /metrics
    counts each event by platform and kind, their latencies, and the reminders."""
    config = write(tmp_path / "gavel.toml", scheduled_group(
        "Security WG", "2026-01-08T15:00", "C1", workspace=TEAM_ID))
    service = ServeProcess(config, tmp_path / "data", slack_env(fake),
                           step_from=datetime(2026, 1, 8, 13, 59, tzinfo=UTC))
    try:
        service.step(datetime(2026, 1, 8, 14, 5, tzinfo=UTC))  # the 14:00 one: 5 min late
        service.step(datetime(2026, 1, 8, 15, 0, tzinfo=UTC))  # the 15:00 one: on time
        start_meeting(service, fake)
        for n, note in enumerate(("#info one", "#action rafael writes it")):
            assert service.post_slack(message_body(note, f"1767880000.00010{n}",
                                                   event_id=f"Ev{n}")) == 200
        fake.wait_for_calls("reactions.add", count=2, timeout=60)
        assert service.post_slack(command_body(fake, "end")) == 200
        fake.wait_for_calls("files.completeUploadExternal", count=3, timeout=60)  # 2 reminders
        status, text, headers = service.get("/metrics")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        service.signal()
        assert service.wait(SHUTDOWN_LIMIT) == 0
    finally:
        service.stop()
    assert metric(text, "gavel_events_handled_total", platform="slack", kind="command") == 2
    assert metric(text, "gavel_events_handled_total", platform="slack", kind="message") == 2
    assert metric(text, "gavel_event_handling_seconds_count", platform="slack") == 4
    assert metric(text, "gavel_reminders_total", outcome="late") == 1
    assert metric(text, "gavel_reminders_total", outcome="posted") == 1
    assert metric(text, "gavel_reminders_total", outcome="failed") == 0
    assert metric(text, "gavel_publish_failures_total") == 0
    assert metric(text, "gavel_ready") == 0 or metric(text, "gavel_ready") == 1
    assert "gavel_database_errors" in text


def test_a_bad_port_or_log_setting_is_one_clear_line(tmp_path: Path) -> None:
    for env, expected in (({"GAVEL_WEB_PORT": "http"}, "$GAVEL_WEB_PORT: 'http' is not a port"),
                          ({"GAVEL_LOG_FORMAT": "xml"}, "$GAVEL_LOG_FORMAT: 'xml' is not a log")):
        result = subprocess.run([sys.executable, "-m", "gavel", "serve"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120,
                                env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env})
        assert result.returncode == 2
        assert expected in result.stderr and "Traceback" not in result.stderr


def test_json_log_lines_carry_no_token(capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever a library or a message puts in a log line, the token does not reach it."""
    import json
    import logging

    from gavel.service.logs import JsonFormatter, Scrubber

    env = {"SLACK_BOT_TOKEN": "xoxb-1111-secret-value", "DISCORD_TOKEN": "plain-secret-0123"}
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(Scrubber(env)))
    logger = logging.getLogger("gavel.test-scrub")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("auth with %s failed\nnext line", env["SLACK_BOT_TOKEN"])
        logger.error("discord %s; pasted ghp_%s; db postgresql://gavel:hunter2@db/gavel",
                     env["DISCORD_TOKEN"], "a" * 36)
    finally:
        logger.removeHandler(handler)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2  # one JSON object per record, newlines escaped inside it
    text = " ".join(json.loads(line)["message"] for line in lines)
    for secret in ("xoxb-1111", "plain-secret", "ghp_aaa", "hunter2"):
        assert secret not in text
    assert text.count("<redacted>") == 4
