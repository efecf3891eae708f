"""Replay each dialect's log through the peer bot itself and through Gavel, and compare
what the two sets of minutes say: the check behind issue 12's "real-style logs of each
dialect replay into the same topics, actions with owners, resolutions, attendees, titles
and vote results that the peer's own minutes show".

Why the peers themselves: reading their documentation tells what they are meant to do;
their minutes tell what groups actually got. Nothing of theirs is vendored: each runs from
its own checkout under /tmp, in its own interpreter.

    /work/main/.venv/bin/python scripts/compare_with_peers.py [LOG ...]

Without arguments every log of ``LOGS`` below is compared. A peer that is not set up is
reported as skipped. Exit status 1 when a difference is neither fixed nor explained in
``DELIBERATE``.

Setting up the peers (never inside this repository, never into Gavel's venv):

    # IRC MeetBot / meetingology (also stands in for Mootbot, meetingology's ancestor:
    # it keeps the [TOPIC] bracket commands and the +1/-1/+0 votes)
    git clone https://github.com/GKernelCI/Gmeetbot /tmp/gmeetbot
    python3 -m venv /tmp/meetbot-venv && /tmp/meetbot-venv/bin/pip install limnoria
    export MEETBOT_DIR=/tmp/gmeetbot MEETBOT_PYTHON=/tmp/meetbot-venv/bin/python

    # hcoop-meetbot (a Limnoria plugin; its logic package runs without IRC)
    git clone https://github.com/pronovic/hcoop-meetbot /tmp/hcoop-meetbot
    python3 -m venv /tmp/hcoop-venv
    /tmp/hcoop-venv/bin/pip install limnoria attrs cattrs pytz 'genshi<0.8' click
    /tmp/hcoop-venv/bin/pip install --no-deps /tmp/hcoop-meetbot   # its package metadata
    export HCOOP_PYTHON=/tmp/hcoop-venv/bin/python

    # W3C scribe.perl (RRSAgent's minutes generator; needs only perl)
    git clone https://github.com/w3c/scribe2 /tmp/scribe2
    export SCRIBE_PERL=/tmp/scribe2/scribe.perl

``GAVEL`` (default: this interpreter ``-m gavel``) runs another Gavel; run with
``PYTHONPATH`` set to the worktree being checked.

How each peer is driven:

- MeetBot: ``meeting.Meeting(...).process_meeting(text)``, the path of its ``#replay``
  command (as bench/bench_replay.py does); its configured outputs are meetingology's, and
  the MoinMoin minutes (``.moin.txt``) are read.
- hcoop-meetbot: every line becomes a ``Message`` for ``handler.irc_message``; the bot's
  replies go back through ``handler.outbound_message``, as the plugin does live; the HTML
  minutes are read.
- scribe.perl: run on the log as it is (it is made for RRSAgent's logs, Zakim's lines
  included); the HTML minutes are read.

How the outputs are normalised, so that only what a reader would call different counts:

- The bot's own lines are removed from the log fed to MeetBot and hcoop-meetbot: live, a
  bot never hears itself, but a replay would feed it its own "+1 received from ..." lines
  (meetingology then counts Mootbot's echoes as ballots) and its line counts.
- Attendees: MeetBot and hcoop-meetbot list everyone who spoke with a line count ("nick
  (12)", "nick - 12 lines (36%)"); Gavel's ``speakers`` carry the same count. Both are
  compared as "nick (lines)", sorted (MeetBot sorts by lines, hcoop-meetbot by name),
  bots (``adapters.log_formats.MEETING_BOTS``) left out on both sides. scribe.perl lists
  the Present names; Gavel's ``people`` whose status is present. Regrets, Chair and Scribe
  likewise for scribe.perl.
- Titles: MeetBot prints ``#channel: <title>`` and appends " meeting" to a title without
  that word (Gavel's title gets the same suffix by the same rule); hcoop-meetbot and
  MeetBot fall back to the channel name, Gavel to "Meeting": each fallback reads "(none)".
- Actions: "<text> [owners]". MeetBot's and hcoop-meetbot's owners are the people their
  "Action items, by person/attendee" sections list the item under. scribe.perl names no
  owner: the action's first word is taken ("Matt_King:" as "Matt_King"), and a Gavel
  owner matches it when the word is the owner or one part of it (Gavel resolves "Ege" to
  the Present name "Ege_Korkan").
- hcoop-meetbot names a person by nick, "docelic (aka DavorOcelic)" once ``#here
  DavorOcelic`` gave an alias, and lists actions under the nick; Gavel names them by that
  ``#here`` name. An hcoop owner is compared by its alias when it has one, and the
  "Prologue" heading (hcoop's for what precedes the first ``#topic``) is no topic.
- MeetBot's ``#accepted`` items count as agreed (its spelling of ``#agreed``, as in
  Gavel); its ``#done <text>`` items are Gavel's "Done: <text>" notes.
- Votes: "<question> | For f, Against a, Abstained n | <result>" with results folded to
  carried/denied (MeetBot) or accepted/failed/inconclusive (hcoop-meetbot). A motion
  closed by hand in hcoop-meetbot (``#inconclusive``) shows no counts, so only its result
  is compared.
- Topics keep their order (a reader sees them in that order); subtopics are their own
  element. Gavel's topics are read from its minutes in the ``meetbot`` layout, the one a
  group coming from MeetBot or Zakim configures (``template = "meetbot"``; the default,
  ``nodejs``, is the Node.js groups' agenda with checkboxes): the items discussed, in the
  order they were taken up, as the peers list them. Its "Preliminaries", closing and
  "Upcoming Meetings" entries are sections, not topics. The JSON data's ``topics`` must
  list those items in that same order (items never taken up may follow), or the row
  says so.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT / "tests" / "transcripts"
sys.path.insert(0, str(ROOT))
from adapters.log_formats import is_meeting_bot  # noqa: E402  (after the path is set)

Elements = dict[str, list[str]]


@dataclass(frozen=True)
class Log:
    name: str  # a file of tests/transcripts
    peer: str  # "meetbot" | "hcoop" | "scribe"
    bot: str = ""  # the bot that ran the meeting: its lines are not fed to the peer


LOGS = [
    Log("meetbot-fedora-fesco.log", "meetbot", "zodbot"),
    Log("meetbot-fedora-fesco-2024.log", "meetbot", "zodbot"),
    Log("meetingology-ubuntu-tb.log", "meetbot", "meetingology"),
    Log("mootbot-ubuntu-2008.log", "meetbot", "MootBot"),
    Log("meetingology-council-2024.log", "meetbot", "meetingology"),
    Log("meetingology-foundations-2024.log", "meetbot", "meetingology"),
    Log("hcoop-meetbot-irssi.log", "hcoop", "hcoop-meetbot"),
    Log("hcoop-meetbot-board-2024.log", "hcoop", "hcoop-meetbot"),
    Log("w3c-rrsagent-wot.log", "scribe"),
    Log("w3c-rrsagent-css-2024.log", "scribe"),
    Log("w3c-rrsagent-aria-2024.log", "scribe"),
]

# Differences that are Gavel's choice or the peer's limit, not a Gavel bug: (log, element)
# -> why. Printed beside the difference; README's "Checked against the peers themselves"
# says the same.
DELIBERATE: dict[tuple[str, str], str] = {
    ("meetbot-fedora-fesco.log", "votes"):
        "not checkable here: #startvote is Fedora's MeetBot (zodbot), which has no public "
        "checkout on this machine; meetingology takes '#vote F41' as opening a vote named "
        "F41 and prints For 0, Against 0",
    ("meetbot-fedora-fesco-2024.log", "actions"):
        "MeetBot tells nicks apart by case: '#chair zbyszek' and the speaker Zbyszek are two "
        "people to it, and the action is listed under both; IRC nicks ignore case, and so "
        "does Gavel (one owner)",
    ("meetbot-fedora-fesco-2024.log", "attendees"):
        "MeetBot lists 'zbyszek (0)', the #chair spelling, beside the speaker 'Zbyszek (1)'; "
        "Gavel lists the one person who spoke",
    ("meetingology-council-2024.log", "agreed"):
        "MeetBot drops '#agreed' from anyone but a chair; Gavel records it from anyone (a "
        "group's chairs can #undo it), as its README says",
    ("meetingology-council-2024.log", "attendees"):
        "MeetBot lists a '#nick'-named person under People present with 0 lines; Gavel's "
        "#nick only makes the name known for action owners (madnuttah owns the action in "
        "both): the person was not there",
    ("hcoop-meetbot-board-2024.log", "agreed"):
        "'#accepted <text>' closes hcoop-meetbot's motion with that text as its result; "
        "Gavel closes the motion too and keeps the text as a decision, because #accepted "
        "is also MeetBot's spelling of #agreed",
    ("w3c-rrsagent-css-2024.log", "regrets"):
        "florian sent regrets, then joined (present+ florian): scribe.perl lists him under "
        "both Present and Regrets; Gavel keeps one status per person, the latest, so he is "
        "present only",
    ("w3c-rrsagent-aria-2024.log", "chairs"):
        "jamesn opened the meeting (its first Meeting: line, the log having no "
        "#startmeeting) and stays a chair so that his chair-only lines work (present- of "
        "someone else); scribe.perl has no rights to keep and lists the Chair: line only",
    ("hcoop-meetbot-irssi.log", "votes"):
        "hcoop-meetbot counts every '#vote' line, so clinton's -1 then +1 is 3 in favour to "
        "1 opposed; Gavel counts one ballot per person, the last one (a changed vote), as "
        "for every vote dialect",
    ("hcoop-meetbot-board-2024.log", "votes"):
        "hcoop-meetbot counts every '#vote' line (a changed vote counts twice); Gavel counts "
        "one ballot per person, the last one",
}

# Differences found and not (yet) fixed in Gavel, with why: reported, and still a failure.
KNOWN: dict[tuple[str, str], str] = {}


# -- running the tools --------------------------------------------------------------------

MEETBOT_DRIVER = '''\
import os, sys, tempfile
meetbot_dir, log, outbase = sys.argv[1:4]
parent = tempfile.mkdtemp()  # MeetBot uses relative imports: load it as package "MeetBot"
os.symlink(os.path.abspath(meetbot_dir), os.path.join(parent, "MeetBot"))
sys.path.insert(0, parent)
from MeetBot import meeting
M = meeting.Meeting(channel="#meeting", owner=None, filename=outbase, writeRawLog=False)
with open(log, encoding="utf-8") as f:
    M.process_meeting(f.read())
if not M._meetingIsOver:
    sys.exit("MeetBot did not reach #endmeeting")
'''

HCOOP_DRIVER = '''\
import logging, os, re, sys
from datetime import datetime, timezone
from hcoopmeetbotlogic import handler
from hcoopmeetbotlogic.interface import Context, Message
log, outdir = sys.argv[1:3]
conf = os.path.join(outdir, "HcoopMeetbot.conf")
with open(conf, "w") as f:
    f.write("[HcoopMeetbot]\\nlogDir = %s\\nurlPrefix = https://example.com\\n"
            "pattern = minutes\\ntimezone = UTC\\nuseChannelTopic = false\\n" % outdir)
handler.configure(logging.getLogger("hcoop"), conf)
LINE = re.compile(r"^\\[?(\\d\\d):(\\d\\d)(?::(\\d\\d))?\\]?\\s*<[@%&+ ~]?([^>]+)>\\s?(.*)$")
channel, network = "#hcoop", "libera"  # not "#meeting": a line opening with it is no command
for n, raw in enumerate(open(log, encoding="utf-8")):
    m = LINE.match(raw.rstrip("\\n"))
    if not m:
        continue
    h, mi, s, nick, text = m.groups()
    at = datetime(2024, 1, 1, int(h), int(mi), int(s or 0), tzinfo=timezone.utc)
    def reply(said, at=at, n=n):
        handler.outbound_message(context, Message(id="%dr" % n, timestamp=at,
            nick="hcoop-meetbot", channel=channel, network=network, payload=said))
    context = Context(get_topic=lambda: "", set_topic=lambda t: None, send_reply=reply,
                      send_message=reply)
    handler.irc_message(context, Message(id=str(n), timestamp=at, nick=nick.strip(),
                        channel=channel, network=network, payload=text))
'''

_NICK = re.compile(r"^\[?[0-9:]+\]?\s*<[@%&+ ~]?([^>]+)>")


def _without_bot(text: str, bot: str) -> str:
    """The log as the bot heard it live: without its own lines."""
    if not bot:
        return text
    kept = [line for line in text.splitlines()
            if not ((m := _NICK.match(line)) and m.group(1).strip().casefold() == bot.casefold())]
    return "\n".join(kept) + "\n"


def run_peer(log: Log, work: Path) -> str | None:
    """The peer's minutes as text (HTML or MoinMoin), or None when it is not set up."""
    source = (TRANSCRIPTS / log.name).read_text(encoding="utf-8")
    fed = work / "fed.log"
    fed.write_text(_without_bot(source, log.bot), encoding="utf-8")
    if log.peer == "meetbot":
        if not os.environ.get("MEETBOT_DIR"):
            return None
        driver = work / "meetbot_driver.py"
        driver.write_text(MEETBOT_DRIVER, encoding="utf-8")
        subprocess.run([os.environ.get("MEETBOT_PYTHON", "python3"), str(driver),
                        os.environ["MEETBOT_DIR"], str(fed), str(work / "out")],
                       check=True, cwd=work, capture_output=True)
        return (work / "out.moin.txt").read_text(encoding="utf-8")
    if log.peer == "hcoop":
        if not os.environ.get("HCOOP_PYTHON"):
            return None
        driver = work / "hcoop_driver.py"
        driver.write_text(HCOOP_DRIVER, encoding="utf-8")
        subprocess.run([os.environ["HCOOP_PYTHON"], str(driver), str(fed), str(work)],
                       check=True, cwd=work, capture_output=True)
        return (work / "minutes.html").read_text(encoding="utf-8")
    if not os.environ.get("SCRIBE_PERL"):
        return None
    done = subprocess.run(["perl", os.environ["SCRIBE_PERL"], str(fed)], check=True,
                          cwd=work, capture_output=True, text=True)
    return done.stdout


def _gavel(log: Log, *options: str) -> str:
    gavel = os.environ.get("GAVEL", f"{sys.executable} -m gavel").split()
    done = subprocess.run([*gavel, "replay", str(TRANSCRIPTS / log.name), *options],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return done.stdout


def run_gavel(log: Log) -> dict:
    return json.loads(_gavel(log, "--format", "json"))


_SECTIONS = {"Preliminaries", "Q&A, Other", "Upcoming Meetings"}


def gavel_topics(log: Log) -> list[str]:
    """The topics of Gavel's minutes in the ``meetbot`` layout, as a reader sees them."""
    minutes = _gavel(log, "--template", "meetbot")
    summary = minutes.split("## Meeting summary", 1)[-1].split("\nMeeting ended at", 1)[0]
    titles = [re.sub(r"\\([\[\]])", r"\1", title)
              for title in re.findall(r"^1\. \*\*(.*?)\*\*", summary, re.M)]
    return [title for title in titles if title not in _SECTIONS]


# -- reading the peers' minutes ---------------------------------------------------------------

def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _title(title: str) -> str:
    return "(none)" if not title or title.startswith("#") else title


def read_meetbot(moin: str) -> Elements:
    sections = dict(re.findall(r"^== (.+?) ==\n(.*?)(?=^== |\Z)", moin, re.M | re.S))
    info = sections.get("Meeting information", "")
    heading = re.search(r"^ \* (.*), started by ", info, re.M)
    title = heading.group(1) if heading else ""
    title = title.split(": ", 1)[1] if ": " in title else ""
    summary = sections.get("Meeting summary", "")
    items = re.findall(r"^ +\* ''(\w+):'' (.*?)  \(", summary, re.M)
    owners: dict[str, list[str]] = {}
    for person, body in re.findall(r"^ \* (\S+)\n((?:  \*.*\n?)*)",
                                   sections.get("Action items, by person", ""), re.M):
        for action in re.findall(r"^  \* (.*)$", body, re.M):
            if person != "**UNASSIGNED**":  # its heading for actions naming nobody it knows
                owners.setdefault(action.strip(), []).append(person)
    votes = []
    for question, result, f, a, n in re.findall(
            r"^ \* \[\[[^|]*\|(.*?)\]\]\n  \* Motion (\w+) \(For: (\d+), Against: (\d+), "
            r"Abstained: (\d+)\)", sections.get("Vote results", ""), re.M):
        votes.append(f"{question} | For {f}, Against {a}, Abstained {n} | {result}")
    return {
        "title": [_title(title)],
        "topics": re.findall(r"^=== (.+?) ===$", summary, re.M),
        "actions": [f"{text.strip()} [{', '.join(sorted(owners.get(text.strip(), [])))}]"
                    for kind, text in items if kind == "ACTION"],
        "agreed": [text.strip() for kind, text in items if kind in ("AGREED", "ACCEPTED")],
        "rejected": [text.strip() for kind, text in items if kind == "REJECTED"],
        "done": [text.strip() for kind, text in items if kind == "DONE"],
        "attendees": sorted(f"{nick} ({lines})" for nick, lines in re.findall(
            r"^ \* (\S+) \((\d+)\)$", sections.get("People present (lines said)", ""), re.M)
            if not is_meeting_bot(nick)),
        "votes": votes,
    }


def read_hcoop(page: str) -> Elements:
    title = _text(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)).removesuffix(" Minutes")
    attendees = []
    aliases: dict[str, str] = {}
    block = re.search(r"<h3>Attendees</h3>(.*?)</ol>", page, re.S)
    for item in re.findall(r"<li>(.*?)</li>", block.group(1) if block else "", re.S):
        m = re.fullmatch(r"(\S+)(?: \(aka (.+?)\))? - (\d+) lines? \(\d+%\)", _text(item))
        if m and not is_meeting_bot(m.group(1)):
            attendees.append(f"{m.group(1)} ({m.group(3)})")
            if m.group(2):
                aliases[m.group(1)] = m.group(2)
    summary = page.split("<h3>Meeting Summary</h3>", 1)[-1].split("<h3>Action Items</h3>")[0]
    events = re.findall(
        r'<span class="(topic|event)">(.*?)</span>\s*(?:<span class="(\w+)">(.*?)</span>)?',
        summary, re.S)
    topics, actions, agreed, votes = [], [], [], []
    question = ""
    for cls, first, _, body in events:
        if cls == "topic":
            if _text(first) != "Prologue":  # its heading for what precedes the first #topic
                topics.append(_text(first))
            continue
        kind, body = _text(first).rstrip(":"), _text(body)
        if kind == "ACTION":
            actions.append(body)
        elif kind == "AGREED":
            agreed.append(body)
        elif kind == "MOTION":
            question = body
        elif kind in ("ACCEPTED", "FAILED", "INCONCLUSIVE"):
            counts = re.search(r"(\d+) in favor to (\d+) opposed", body)
            tally = f"For {counts.group(1)}, Against {counts.group(2)} | " if counts else ""
            votes.append(f"{question} | {tally}{kind.lower()}")
    owners: dict[str, list[str]] = {}
    by_attendee = page.split("<h3>Action Items by Attendee</h3>", 1)[-1]
    for person, body in re.findall(r"<li>\s*([^<\s][^<]*?)\s*<ol[^>]*>(.*?)</ol>",
                                   by_attendee, re.S):
        for action in re.findall(r"<li>(.*?)</li>", body, re.S):
            text = _text(re.sub(r"\(<a .*?</a>\)", "", action))
            owners.setdefault(text, []).append(aliases.get(_text(person), _text(person)))
    return {
        "title": [_title(title)],
        "topics": topics,
        "actions": [f"{a} [{', '.join(sorted(owners.get(a, [])))}]" for a in actions],
        "agreed": agreed,
        "attendees": sorted(attendees),
        "votes": votes,
    }


def read_scribe(page: str) -> Elements:
    def listed(term: str) -> list[str]:
        m = re.search(rf"<dt>{term}</dt><dd>(.*?)</dd>", page, re.S)
        return [n.strip() for n in _text(m.group(1)).split(",") if n.strip()] if m else []
    toc = re.search(r"<nav id=toc>.*?<ol>(.*)</ol>\s*</nav>", page, re.S)
    topics, subtopics = [], []
    depth = 0
    for tag in re.finditer(r"<(/?)ol>|<li(?: class=(\w+))?><a [^>]*>(.*?)</a>",
                           toc.group(1) if toc else ""):
        if tag.group(3) is None:
            depth += -1 if tag.group(1) else 1
        elif tag.group(2) != "app":
            (subtopics if depth else topics).append(_text(tag.group(3)))
    title = re.search(r"<h1>(?:.*?<br>)?\s*(.*?)</h1>", page, re.S)
    actions = [_text(a) for a in re.findall(
        r'<li><a href="#a\d+">(.*?)</a></li>', page.split('id=ActionSummary', 1)[-1]
        .split('id=ResolutionSummary')[0], re.S)]
    if not actions:  # older layouts: the action paragraphs themselves
        actions = [_text(a) for a in re.findall(r"<strong>ACTION:</strong>(.*?)</p>", page, re.S)]
    resolutions = [_text(r) for r in re.findall(
        r"<strong>RESOLUTION:</strong>(.*?)</p>", page, re.S)]
    return {
        "title": [_title(_text(title.group(1)) if title else "")],
        "topics": topics,
        "subtopics": subtopics,
        "actions": [f"{a} [{a.split()[0].rstrip(':')}]" for a in actions],
        "agreed": resolutions,
        "attendees": sorted(listed("Present")),
        "regrets": sorted(listed("Regrets")),
        "chairs": sorted(listed("Chair")),
        "scribes": sorted(listed("Scribe")),
    }


# -- Gavel's side ------------------------------------------------------------------------

_RESULTS = {"meetbot": {"motion accepted": "carried", "motion failed": "denied"},
            "hcoop": {"motion accepted": "accepted", "motion failed": "failed",
                      "inconclusive": "inconclusive"}}


def gavel_elements(log: Log, meeting: dict, peer: Elements, topics: list[str]) -> Elements:
    """Gavel's side of each element: from its JSON data, the topics from its minutes."""
    notes = meeting["notes"]

    def action(note: dict) -> str:
        owners = note["owners"]
        if log.peer == "scribe":  # the first word, matched to a Present name's part
            first = note["text"].split()[0].rstrip(":")
            owners = [first if first.casefold() in
                      [p.casefold() for p in re.split(r"[_ ]", o)] + [o.casefold()] else o
                      for o in owners]
        return f"{note['text']} [{', '.join(sorted(owners))}]"

    elements: Elements = {
        "title": [_title("" if meeting["title"] == "Meeting" else meeting["title"])],
        "topics": topics,
        "actions": [action(n) for n in notes if n["kind"] == "action"],
        "agreed": [n["text"] for n in notes if n["kind"] == "agreed"],
    }
    if log.peer == "scribe":
        people = meeting["people"]
        elements["subtopics"] = [s for t in meeting["topics"] for s in t["subtopics"]]
        elements["attendees"] = sorted(p["name"] for p in people if p["status"] == "present")
        elements["regrets"] = sorted(p["name"] for p in people if p["status"] == "regrets")
        elements["chairs"] = sorted(meeting["chairs"])
        elements["scribes"] = sorted(meeting["scribes"])
        return elements
    elements["rejected"] = [n["text"] for n in notes if n["kind"] == "rejected"]
    elements["done"] = [n["text"].removeprefix("Done: ") for n in notes
                        if n["kind"] == "info" and n["text"].startswith("Done: ")]
    elements["attendees"] = sorted(f"{s['name']} ({s['lines']})" for s in meeting["speakers"]
                                   if not is_meeting_bot(s["name"]))
    title = elements["title"][0]
    if log.peer == "meetbot" and title != "(none)" and "meeting" not in title.lower():
        elements["title"] = [f"{title} meeting"]  # as MeetBot prints a title
    hand_closed = {v.split(" | ")[0] for v in peer.get("votes", []) if v.count(" | ") == 1}
    votes = []
    for vote in meeting["votes"]:
        tally = vote["tally"]
        result = _RESULTS[log.peer].get(vote["result"], vote["result"])
        if set(tally) != {"+1", "-1", "0"}:  # a #startvote with named options
            votes.append(f"{vote['question']} | "
                         + ", ".join(f"{k} {n}" for k, n in tally.items()) + f" | {result}")
        elif vote["question"] in hand_closed:
            votes.append(f"{vote['question']} | {result}")
        elif log.peer == "hcoop":
            votes.append(f"{vote['question']} | For {tally['+1']}, Against {tally['-1']} | "
                         f"{result}")
        else:
            votes.append(f"{vote['question']} | For {tally['+1']}, Against {tally['-1']}, "
                         f"Abstained {tally['0']} | {result}")
    elements["votes"] = votes
    return elements


# -- comparing ---------------------------------------------------------------------------

@dataclass
class Row:
    element: str
    peer: list[str]
    gavel: list[str]
    lines: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum((Counter(self.peer) & Counter(self.gavel)).values())

    @property
    def total(self) -> int:
        return sum((Counter(self.peer) | Counter(self.gavel)).values())

    @property
    def same(self) -> bool:
        return self.peer == self.gavel


def compare(peer: Elements, gavel: Elements) -> list[Row]:
    rows = []
    for element, theirs in peer.items():
        ours = gavel.get(element, [])
        row = Row(element, theirs, ours)
        only_peer = Counter(theirs) - Counter(ours)
        only_gavel = Counter(ours) - Counter(theirs)
        row.lines += [f"    peer only:  {item}" for item in only_peer.elements()]
        row.lines += [f"    Gavel only: {item}" for item in only_gavel.elements()]
        if not only_peer and not only_gavel and theirs != ours:
            row.lines.append(f"    order: peer {theirs}")
            row.lines.append(f"           Gavel {ours}")
        rows.append(row)
    return rows


PEER_NAMES = {"meetbot": "MeetBot (meetingology)", "hcoop": "hcoop-meetbot",
              "scribe": "scribe.perl"}


def main(argv: list[str]) -> int:
    chosen = [log for log in LOGS if not argv or log.name in argv]
    unexplained = 0
    summary = []
    for log in chosen:
        if not (TRANSCRIPTS / log.name).exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            minutes = run_peer(log, Path(tmp))
        if minutes is None:
            print(f"== {log.name}: {PEER_NAMES[log.peer]} is not set up (see the docstring)\n")
            continue
        reader = {"meetbot": read_meetbot, "hcoop": read_hcoop, "scribe": read_scribe}
        peer = reader[log.peer](minutes)
        meeting, topics = run_gavel(log), gavel_topics(log)
        rows = compare(peer, gavel_elements(log, meeting, peer, topics))
        in_data = [t["title"] for t in meeting["topics"] if t["title"] in topics]
        if in_data != topics:  # the data must list them in the order the minutes do
            for row in rows:
                if row.element == "topics":
                    row.gavel = [*row.gavel, "(data differs)"]
                    row.lines.append(f"    Gavel's data: {in_data}")
        print(f"== {log.name}  vs  {PEER_NAMES[log.peer]}")
        print(f"   {'element':<10} {'peer':>5} {'Gavel':>6}  ")
        for row in rows:
            verdict = "same" if row.same else "DIFFERENT"
            why = ""
            if not row.same and (log.name, row.element) in DELIBERATE:
                verdict, why = "deliberate", DELIBERATE[(log.name, row.element)]
            elif not row.same:
                unexplained += 1
                why = KNOWN.get((log.name, row.element), "")
            print(f"   {row.element:<10} {len(row.peer):>5} {len(row.gavel):>6}  {verdict}")
            for line in row.lines:
                print(line)
            if why:
                print(f"    why: {why}")
        same = sum(row.same for row in rows)
        deliberate = sum(not r.same and (log.name, r.element) in DELIBERATE for r in rows)
        summary.append((log.name, PEER_NAMES[log.peer], same, len(rows),
                        sum(r.matched for r in rows), sum(r.total for r in rows),
                        deliberate, len(rows) - same - deliberate))
        print()
    print("| log | peer | elements the same / compared | items matched / total "
          "| deliberate | not explained |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, peer_name, same, count, matched, total, deliberate, other in summary:
        print(f"| {name} | {peer_name} | {same} / {count} | {matched} / {total} "
              f"| {deliberate} | {other} |")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
