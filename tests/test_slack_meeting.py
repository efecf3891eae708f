"""A whole meeting through Slack (signed HTTP requests to Gavel, Web API calls to FakeSlack)
gives the same minutes as the same lines handed to the core directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.commands.handler import MeetingBot
from bot.config import Settings
from bot.store import Database
from tests.conftest import SECURITY_WG, Chat
from tests.fakes.slack import FakeSlack
from tests.slack_harness import StepClock, bound_to_slack, running_slack, slack_markup, ts_of

START = datetime(2023, 1, 19, 15, 0, tzinfo=UTC)

# Slack user ids and the display names users.info answers (the core path uses the names).
PEOPLE = {
    "U0RAFAEL": "RafaelGSS",
    "U0ULISES": "UlisesGascon",
    "U0FRAX": "fraxken",
    "U0JOE": "joesepi",
    "U0JOYCE": "joycebrum",
    "U0MICHAEL": "mhdawson",
}
ID_OF = {name: uid for uid, name in PEOPLE.items()}


@dataclass(frozen=True)
class Line:
    who: str
    text: str  # as the person meant it (what the core gets directly)
    how: str = "say"  # say | slash | edit | delete
    target: int = -1  # for edit/delete: index of the line it changes
    thread_of: int = -1  # a reply in the thread started by that line
    slack_text: str = ""  # when Slack's markup differs beyond escaping (a mention)


SCRIPT = [
    Line("RafaelGSS", "start", "slash"),
    Line("RafaelGSS", "#here Rafael Gonzaga @RafaelGSS"),
    Line("UlisesGascon", "#here Ulises Gascon @UlisesGascon"),
    Line("fraxken", "#here Thomas GENTILHOMME @fraxken"),
    Line("RafaelGSS", "#present Robert Waite"),
    Line("joesepi", "#here Joe Sepi @joesepi"),
    Line("joycebrum", "#here Joyce Brum @joycebrum from GOSST"),
    Line("mhdawson", "#here Michael Dawson @mhdawson"),
    Line("RafaelGSS", "#agenda add nodejs/security-wg#859 Assessment against best practices "
                      "(OpenSSF Scorecards ...)"),
    Line("RafaelGSS", "#agenda add nodejs/security-wg#851 Add OSSF Scorecard"),
    Line("RafaelGSS", "#agenda add nodejs/security-wg#860 Automate security release process"),
    Line("RafaelGSS", "#agenda add nodejs/security-wg#856 Discussion about policy-integrity "
                      "integration on Windows"),
    Line("RafaelGSS", "#agenda add nodejs/security-wg#791 Permission Model"),
    Line("RafaelGSS", "#agenda add nodejs/nodejs-dependency-vuln-assessments#89 Recursive "
                      "support on Node.js dependencies"),
    Line("RafaelGSS", "#topic nodejs/security-wg#851"),
    Line("UlisesGascon", "#info Discussion with GOSST about implementing it on Node.js"),
    Line("UlisesGascon", "#info The Nodejs currently report is located "
                         "[here](https://deps.dev/project/github/nodejs%2Fnode), also "
                         "[json version available](https://api.securityscorecards.dev/projects/"
                         "github.com/nodejs/node)"),
    Line("joycebrum", "#agreed Agreement to update action version tag by hash in GHA & docs, "
                      "lead by GOSST"),
    Line("UlisesGascon", "#info Speling mistake here"),
    Line("UlisesGascon", "#info Spelling fixed here", "edit", target=18),
    Line("fraxken", "#info this note will be deleted"),
    Line("fraxken", "", "delete", target=20),
    Line("RafaelGSS", "#next"),
    Line("RafaelGSS", "#topic nodejs/security-wg#856"),
    Line("RafaelGSS", "#info We will discuss this issue as first topic in the next meeting"),
    Line("RafaelGSS", "#topic nodejs/security-wg#791"),
    Line("RafaelGSS", "#info Got 3 approvals so far"),
    Line("RafaelGSS", "#info Remaining work:"),
    Line("RafaelGSS", "#info - Windows issue to fix"),
    Line("RafaelGSS", "#info - Native modules support"),
    Line("RafaelGSS", "#action RafaelGSS to ask mhdawson about <the> native modules",
         slack_text="#action <@U0RAFAEL> to ask <@U0MICHAEL> about &lt;the&gt; native modules"),
    Line("RafaelGSS", "#topic nodejs/security-wg#856"),
    # A late reply in the thread of the Permission Model line belongs to that topic.
    Line("mhdawson", "#info - policy integrity needs a Windows path fix", thread_of=26),
    Line("RafaelGSS", "#topic qa"),
    Line("joesepi", "#info No questions"),
    Line("RafaelGSS", "end", "slash"),
]


def _times() -> list[datetime]:
    return [START + timedelta(seconds=15 * (n + 1)) for n in range(len(SCRIPT))]


def _direct_minutes(database_url: str, settings: Settings) -> str:
    database = Database.open(database_url)
    try:
        chat = Chat(MeetingBot(database, settings), start=START)
        from bot.events import Place

        chat.place = Place("slack", "C1", "T0GAVEL01")
        times = _times()
        effects = []
        for n, line in enumerate(SCRIPT):
            message_id = ts_of(times[n])
            if line.how == "slash":
                effects = chat.slash(line.who, line.text)
            elif line.how == "edit":
                effects = chat.edit(line.who, ts_of(times[line.target]), line.text)
            elif line.how == "delete":
                effects = chat.delete(line.who, ts_of(times[line.target]))
            elif line.thread_of >= 0:
                effects = chat.say(line.who, line.text, message_id=message_id,
                                   thread_id=ts_of(times[line.thread_of]))
            else:
                effects = chat.say(line.who, line.text, message_id=message_id)
        return chat.minutes(effects)
    finally:
        database.close()


async def test_a_whole_meeting_on_slack_gives_the_minutes_of_the_core(
        database_url: str, tmp_path: Path) -> None:
    settings = Settings(groups=[bound_to_slack(SECURITY_WG)])
    expected = _direct_minutes(f"sqlite:///{tmp_path / 'direct.db'}", settings)
    clock = StepClock()
    with FakeSlack() as fake:
        for uid, name in PEOPLE.items():
            fake.add_user(uid, name=name.lower(), display_name=name)
        fake.add_channel("C1", name="security-wg")
        async with running_slack(fake, database_url, str(tmp_path / "data"), settings,
                                 clock=clock) as bot:
            times = _times()
            for n, line in enumerate(SCRIPT):
                clock.now = times[n]
                ts = ts_of(times[n])
                user = ID_OF[line.who]
                text = line.slack_text or slack_markup(line.text)
                if line.how == "slash":
                    status = await bot.command(line.text, user=user, user_name=line.who)
                elif line.how == "edit":
                    old = slack_markup(SCRIPT[line.target].text)
                    status = await bot.edit(ts_of(times[line.target]), user, old, text, ts)
                elif line.how == "delete":
                    old = slack_markup(SCRIPT[line.target].text)
                    status = await bot.delete(ts_of(times[line.target]), user, old, ts)
                else:
                    thread = ts_of(times[line.thread_of]) if line.thread_of >= 0 else ""
                    status = await bot.message(text, user, ts, thread_ts=thread)
                assert status == 200, f"line {n}: {line}"
            await fake.async_wait_for_calls("files.completeUploadExternal")
    [minutes_file] = fake.uploaded_files
    minutes = minutes_file["content"].decode()
    assert minutes == expected
    assert minutes_file["filename"] == "2023-01-19.md"
    assert minutes_file["channel"] == "C1"
    assert "Meeting ended" in minutes_file["initial_comment"]
    # What a reader of the minutes sees: names for mentions, the edit, no deleted note,
    # nested notes, and the thread reply under the topic its thread started in.
    assert ("  * Action (Rafael Gonzaga, Michael Dawson): RafaelGSS to ask mhdawson about "
            "&lt;the&gt; native modules") in minutes
    assert "<@U0" not in minutes
    assert "Spelling fixed here" in minutes and "Speling" not in minutes
    assert "will be deleted" not in minutes
    permission = minutes.index("Permission Model")
    assert permission < minutes.index("  * Windows issue to fix")
    assert permission < minutes.index("policy integrity needs a Windows path fix")
    assert "Joyce Brum from GOSST" in minutes
