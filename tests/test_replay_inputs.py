"""`gavel replay` on inputs that used to crash it or fool it: times no calendar holds, and
a Slack export (one JSON array) that compiled "successfully" into empty minutes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TIME_HINT = ("cannot be read: give Unix seconds or an ISO 8601 time between the years 2 and "
             "9998 (line skipped)")


def replay(log: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GAVEL_CONFIG", "GAVEL_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "gavel", "replay", str(log)],
                          capture_output=True, text=True, cwd=log.parent, env=env, timeout=60)


def test_times_out_of_range_are_reported_by_line_and_the_rest_is_replayed(
        tmp_path: Path) -> None:
    log = tmp_path / "2024-03-07.jsonl"
    log.write_text("\n".join([
        json.dumps({"user": "rafael", "text": "#startmeeting", "ts": "2024-03-07T14:00:00Z"}),
        json.dumps({"user": "ulises", "text": "#info from far away", "ts": 1e300}),
        json.dumps({"user": "ulises", "text": "#info at the end of time",
                    "ts": "9999-12-31T23:59:59Z"}),
        json.dumps({"user": "ulises", "text": "#info a minute before",
                    "ts": "9999-12-31T23:59:00-01:00"}),
        '{"user": "ulises", "text": "#info forever", "ts": Infinity}',
        json.dumps({"user": "ulises", "text": "#info kept", "ts": 1709820070}),
        json.dumps({"user": "rafael", "text": "#endmeeting"}),
    ]) + "\n")
    result = replay(log)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{log}: line 2: the time 1e+300 {TIME_HINT}",
        f"{log}: line 3: the time '9999-12-31T23:59:59Z' {TIME_HINT}",
        f"{log}: line 4: the time '9999-12-31T23:59:00-01:00' {TIME_HINT}",
        f"{log}: line 5: the time inf {TIME_HINT}",
    ]
    assert result.stdout.startswith("# Meeting 2024-03-07\n")
    assert "- kept\n" in result.stdout
    assert "far away" not in result.stdout and "end of time" not in result.stdout


def slack_message(user: str, name: str, text: str, ts: str, **extra: object) -> dict[str, object]:
    return {"type": "message", "user": user, "text": text, "ts": ts,
            "user_profile": {"display_name": name, "real_name": name.title()}, **extra}


def test_a_slack_export_file_is_replayed_as_slack_wrote_it(tmp_path: Path) -> None:
    export = tmp_path / "security-wg" / "2023-01-19.json"
    export.parent.mkdir()
    export.write_text(json.dumps([  # pretty-printed, as Slack's export writes it
        {"type": "message", "subtype": "channel_join", "user": "U2", "ts": "1674140300.000100",
         "text": "<@U2> has joined the channel"},
        slack_message("U1", "rafael", "#startmeeting", "1674140400.000100"),
        slack_message("U2", "ulises", "#topic Releases &amp; CVEs", "1674140460.000200"),
        slack_message("U2", "ulises", "#info <@U1> shipped <https://github.com/nodejs/node/"
                      "pull/1|the fix>", "1674140470.000300"),
        {"type": "message", "subtype": "bot_message", "bot_id": "B1", "username": "Gavel",
         "text": "#info a bot's post is not a line of the meeting", "ts": "1674140480.000400"},
        slack_message("U1", "rafael", "#endmeeting", "1674141000.000500"),
    ], indent=4))
    result = replay(export)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("# Meeting 2023-01-19\n")
    assert ("* Releases & CVEs\n  * rafael shipped [the fix](https://github.com/nodejs/node/"
            "pull/1)\n") in result.stdout
    assert "bot's post" not in result.stdout and "joined" not in result.stdout


def test_a_json_array_that_holds_no_slack_messages_says_what_to_give(tmp_path: Path) -> None:
    users = tmp_path / "users.json"  # the export's user list, given by mistake
    users.write_text(json.dumps([{"id": "U1", "name": "rafael"}], indent=4))
    result = replay(users)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"gavel replay: {users}: the log holds no chat line in a known format (a JSON array "
        "without Slack messages: give a channel's day file from the export, such as "
        "general/2023-01-19.json)")
    assert result.stdout == ""
