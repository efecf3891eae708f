"""Two ``gavel serve`` replicas on one PostgreSQL, as compose.yaml runs them: 50 groups on
Slack (the fake) over a simulated day on stepped clocks, Slack events sent to one replica
and retried at the other (a load balancer), and one replica killed with SIGKILL while it
posts. Every reminder is posted exactly once (those the dead replica held, late and marked
so), and every Slack event is handled once."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import postgres_schema_url
from tests.fakes.slack import TEAM_ID, FakeSlack
from tests.serve_harness import (
    SIGNING_SECRET,
    ServeProcess,
    command_body,
    message_body,
    scheduled_group,
    signed_headers,
    slack_env,
)

GROUPS = 50
START = datetime(2026, 1, 4, 23, 50, tzinfo=UTC)
END = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=20)
KILL_AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LATE = "(Late reminder: the bot was away when it was due.)\n"
SERIAL = itertools.count(1)
MEETINGS = 5  # groups that also hold a meeting over Slack, before and after the kill
NOTES = ("#info the release is cut", "#info it ships on Tuesday", "#info docs follow")


def meeting_time(n: int) -> tuple[int, int]:
    return n % 24, (n // 24) * 20


def expected_reminders() -> list[tuple[str, datetime]]:
    """(channel, due) of every reminder due in (START, END]."""
    due = []
    for n in range(GROUPS):
        hour, minute = meeting_time(n)
        for day in (5, 6):
            meeting = datetime(2026, 1, day, hour, minute, tzinfo=UTC)
            for offset in (timedelta(hours=1), timedelta(0)):
                if START < meeting - offset <= END:
                    due.append((f"C{n:02}", meeting - offset))
    return due


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="rafael", display_name="RafaelGSS")
        for n in range(GROUPS):
            server.add_channel(f"C{n:02}", name=f"group-{n:02}")
        yield server


def hold_meeting(fake: FakeSlack, first: ServeProcess, second: ServeProcess,
                 channel: str, tag: str) -> None:
    """Start, three notes and end, each request sent to ``first`` and then delivered again
    to ``second`` (a Slack retry through the load balancer, or a replayed command)."""
    start, end = command_body(fake, "start", channel), command_body(fake, "end", channel)
    signed = {body: signed_headers(SIGNING_SECRET, body) for body in (start, end)}
    started = len(fake.calls_to("chat.postMessage"))
    assert first.post_slack(start, signed=signed[start]) == 200
    fake.wait_for_calls("chat.postMessage", count=started + 1, timeout=60)
    assert second.post_slack(start, signed=signed[start]) == 200  # the same request again
    ticks = len(fake.calls_to("reactions.add"))
    for n, note in enumerate(NOTES):
        ts = f"{int(time.time())}.{next(SERIAL):06d}"  # a message of now, as Slack stamps it
        body = message_body(f"{note} ({tag})", ts, channel, event_id=f"Ev{channel}{tag}{n}")
        assert first.post_slack(body) == 200
        assert second.post_slack(body, retry=1) == 200  # Slack's retry, elsewhere
    fake.wait_for_calls("reactions.add", count=ticks + len(NOTES), timeout=60)
    uploads = len(fake.calls_to("files.completeUploadExternal"))
    assert first.post_slack(end, signed=signed[end]) == 200
    fake.wait_for_calls("files.completeUploadExternal", count=uploads + 1, timeout=60)
    assert second.post_slack(end, signed=signed[end]) == 200


def minutes_of(fake: FakeSlack, channel: str) -> list[str]:
    return [f["content"].decode() if isinstance(f["content"], bytes) else str(f["content"])
            for f in fake.uploaded_files
            if f["channel"] == channel and not f["filename"].endswith(".ics")]


def test_two_replicas_one_killed_post_every_reminder_once_and_handle_every_event_once(
        fake: FakeSlack, tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text("".join(scheduled_group(
        f"Group {n:02}", "2026-01-05T{:02}:{:02}".format(*meeting_time(n)), f"C{n:02}",
        workspace=TEAM_ID) for n in range(GROUPS)), encoding="utf-8")
    database = postgres_schema_url()
    url = next(database)
    env = {**slack_env(fake), "GAVEL_DATABASE_URL": url}
    a = ServeProcess(config, tmp_path / "a", env, step_from=START, name="a")
    b = ServeProcess(config, tmp_path / "b", env, step_from=START, name="b")
    try:
        for n in range(MEETINGS):  # the load balancer sends each request to either
            first, second = (a, b) if n % 2 else (b, a)
            hold_meeting(fake, first, second, f"C{n:02}", "before")
        expected = expected_reminders()
        first = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # then every 20 minutes: on the due times
        for step in range(1, int((END - first) / STEP) + 2):
            instant = first + (step - 1) * STEP
            if instant == KILL_AT:
                # A claims this instant's reminders and is killed while posting them: the
                # posts are held at Slack and never complete.
                due_now = sum(1 for _, due in expected if due == instant)
                holds = [fake.hold_next("files.completeUploadExternal") for _ in range(due_now)]
                a.send(instant)
                for hold in holds:
                    assert hold.arrived.wait(120), a.stderr[-3000:]
                a.kill()
                for hold in holds:
                    hold.release(fail_status=500)
                b.step(instant)
                for n in range(MEETINGS):  # now every request reaches B, some twice
                    hold_meeting(fake, b, b, f"C{n:02}", "after")
            elif a.process.poll() is not None:
                b.step(instant)
            elif step % 3 == 0:  # both clocks move at once: the replicas race
                for process in (a, b):
                    process.send(instant)
                for process in (a, b):
                    process.expect(f"at {instant.isoformat()}")
            else:
                leader, follower = (a, b) if step % 3 == 1 else (b, a)
                leader.step(instant)
                follower.step(instant)
        b.signal()
        assert b.wait(10.0) == 0
    finally:
        a.stop()
        b.stop()
        next(database, None)  # drop the schema
    reminders = [f for f in fake.uploaded_files if f["filename"].endswith(".ics")]
    posted = Counter((f["channel"], *f["initial_comment"].removeprefix(LATE).split("\n")[:2])
                     for f in reminders)  # the lead line and "When: ..."
    # Jan 5's 100 less three due before the start (the hour before 00:00, 00:20, 00:40),
    # plus five for Jan 6's first meetings that fall due by midnight.
    assert len(reminders) == len(expected) == 102
    assert all(count == 1 for count in posted.values()), posted.most_common(3)
    per_channel = Counter(f["channel"] for f in reminders)
    assert per_channel == Counter(channel for channel, _ in expected)
    late = [f for f in reminders if f["initial_comment"].startswith(LATE)]
    killed_due = sum(1 for _, due in expected if due == KILL_AT)
    assert len(late) == killed_due >= 1  # what the dead replica held, posted late by B
    # Every Slack event once: each meeting's minutes carry each note exactly once, and
    # each note got one tick, though every request was delivered twice.
    for n in range(MEETINGS):
        before, after = minutes_of(fake, f"C{n:02}")
        for minutes, tag in ((before, "before"), (after, "after")):
            for note in NOTES:
                text = note.split(" ", 1)[1]
                assert minutes.count(f"{text} ({tag})") == 1, minutes
    assert len(fake.calls_to("reactions.add")) == 2 * MEETINGS * len(NOTES)
    started = Counter(m["channel"] for m in fake.messages
                      if m.get("text", "").startswith("Meeting started"))
    assert started == Counter({f"C{n:02}": 2 for n in range(MEETINGS)})
