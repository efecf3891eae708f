"""Acceptance: a whole meeting on the console ends in a pull request holding the minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.store import Database
from tests.fakes.github import FakeGitHub
from tests.github_support import LABEL, TOKEN

ROOT = Path(__file__).resolve().parents[1]

TRANSCRIPT = """\
#startmeeting
alice: #here Alice from Acme @alice
bob: #here Bob
#topic nodejs/node#101
#info We agreed to backport the fix
bob: #action alice to write the advisory
#agenda add nodejs/node#102
#next
#info Permission model ships in 24
#endmeeting
/quit
"""


def test_console_meeting_ends_in_a_pull_request_with_the_minutes(tmp_path: Path) -> None:
    with FakeGitHub(token=TOKEN) as fake:
        fake.add_repo("nodejs/security-wg")
        fake.add_repo("nodejs/node")
        fake.add_issue("nodejs/node", 101, "Fix [CVE] in parser", labels=[LABEL], is_pr=True)
        fake.add_issue("nodejs/node", 102, "Permission model")
        database = tmp_path / "gavel.db"
        config = tmp_path / "gavel.toml"
        config.write_text(f"""
data_dir = "{tmp_path / 'data'}"
database_url = "sqlite:///{database}"
[github]
base_url = "{fake.base_url}"
[[groups]]
name = "Security WG"
title = "Node.js Security team Meeting"
github_org = "nodejs"
agenda_label = "{LABEL}"
minutes_repo = "nodejs/security-wg"
minutes_path = "meetings/{{date}}.md"
[[groups.channels]]
platform = "console"
channel = "security-wg"
""")
        env = {**os.environ, "GITHUB_TOKEN": TOKEN, "GAVEL_CONFIG": str(config)}
        done = subprocess.run([sys.executable, "-m", "gavel", "run", "--user", "chair"],
                              cwd=ROOT, env=env, input=TRANSCRIPT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr

        db = Database.open(f"sqlite:///{database}")
        with db.transaction() as store:
            meeting = store.meetings()[0]
            minutes = store.minutes_of(meeting.id)
        db.close()
        [pull] = fake.pulls("nodejs/security-wg")
        branch = pull["head"]["ref"]
        assert minutes is not None
        assert fake.file("nodejs/security-wg", f"meetings/{meeting.meeting_date}.md",
                         branch) == minutes
        assert "* Fix \\[CVE\\] in parser [#101](https://github.com/nodejs/node/pull/101)" \
            in minutes
        assert "  * We agreed to backport the fix" in minutes
        assert "* Permission model [#102]" in minutes
        assert f"gavel> Minutes pull request opened: {pull['html_url']}" in done.stdout
        assert meeting.status.value == "published"
        assert TOKEN not in done.stdout + done.stderr
