"""Published minutes turned back into the chat a group would have typed, and the group
config a user would write for them, so the corpus can be replayed through Gavel.

The chat is what people do in a meeting: the chair opens it and sets its links, each
person marks themselves present (``#here Name @handle from Org``), the agenda's issues are
on it (``#agenda add <url> <title>``: what GitHub's labelled issues would give), and the
scribe moves through the topics (``#topic announcements``, ``#topic Vulnerability Review``,
``#topic nodejs/node#123``, ``#topic Strategic Initiatives``, ``#topic upcoming``) noting
what was said (``#info``, ``#info - sub-point``, ``#paragraph``). The config holds what
does not change per meeting in a group's files: title, label and org, invitees, standing
items with their URLs, the layout and its style knobs (the Present line, the label
sentence, the calendar, blank lines between items).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.commands.notes import MAX_DEPTH
from bot.config import Group, Links, MinutesStyle
from bot.minutes import present_line
from tests.minutes_structure import Entry, Person, read_outline, read_person

CHAIR = "chair"
_DATE_TAIL = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*$")
_LABEL = re.compile(r"Extracted from (?P<labels>.+?) (?P<spelling>labell?ed) issues and pull "
                    r"requests from the (?P<orgs>.+?) prior to the meeting")
_GITHUB_ITEM = re.compile(r"\((https://github\.com/([\w.-]+/[\w.-]+)/(issues|pull)/(\d+))"
                          r"[^)]*\)\s*$|<?(https://github\.com/([\w.-]+/[\w.-]+)/(issues|pull)/"
                          r"(\d+))>?\s*$")
_LINK_KEYS = {"recording": "recording", "github issue": "issue", "minutes google doc": "doc",
              "minutes": "doc"}
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")


# What in a published file no chat could produce, by kind: the corpus test names each
# miss by these, so what is left to do (or what the files got wrong) reads at a glance.
LAYOUT = "layout"  # a title, section or heading the group's layout does not have
PEOPLE = "people"  # a line under Present that Gavel would write another way
ITEM = "agenda item"  # an item in a form Gavel does not write, or under another heading
STANDING = "standing item"  # left unticked though notes follow it
LABEL = "label sentence"  # worded, punctuated or placed as Gavel does not write it
NOTE = "note"  # deeper than a note can be typed
CATEGORIES = (LAYOUT, PEOPLE, ITEM, STANDING, LABEL, NOTE)


@dataclass(frozen=True)
class Untypeable:
    """Something in the published file that no chat could produce, and of what kind."""

    category: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.category}] {self.detail}"


@dataclass
class Conversion:
    """A published file as its meeting's chat, with the group config it needs."""

    group: Group
    lines: list[str] = field(default_factory=list)  # JSON lines, one message each
    untypeable: list[Untypeable] = field(default_factory=list)  # what no chat could produce


class _Chat:
    def __init__(self, day: date) -> None:
        self.clock = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)
        self.lines: list[str] = []

    def say(self, nick: str, text: str) -> None:
        self.clock += timedelta(seconds=10)
        self.lines.append(json.dumps({"user": nick, "text": text,
                                      "ts": self.clock.isoformat()}))


def _nick(name: str, handle: str) -> str:
    """Their handle; someone listed by handle alone (``@sam-github``) chats under it."""
    if not handle and re.fullmatch(r"@[\w.-]+", name):
        return name[1:]
    return handle or re.sub(r"\W+", "_", name).strip("_") or "someone"


def _style(markdown: str) -> dict[str, Any]:
    """The knobs a group with this file would set, read from how the file is written."""
    present = re.search(r"^## Present\n(.*?)^## ", markdown, re.M | re.S)
    styles: Counter[str] = Counter()
    for line in (present.group(1) if present else "").splitlines():
        if "@nodejs/" in line or not line.startswith(("* ", "- ")):
            continue  # the invitees, or no person's entry (a stray line is no style)
        if re.search(r"\(@[\w.-]+\)", line):
            styles["Name (@handle)"] += 1
        elif re.search(r":\s*@[\w.-]+", line):
            styles["Name: @handle"] += 1
        elif re.search(r"\s@[\w.-]+", line):
            styles["Name @handle"] += 1
    knobs: dict[str, Any] = {}
    if styles:
        knobs["present_line"] = styles.most_common(1)[0][0]
    # Items of a repository separated by blank lines, or not.
    together = len(re.findall(r"^\* .*\n\* ", markdown, re.M))
    apart = len(re.findall(r"^\* .*\n(?:  .*\n)*\n\* ", markdown, re.M))
    knobs["blank_between_items"] = apart > together
    # The label sentence before or after the announcements under the same heading.
    label = markdown.find("Extracted from")
    heading = markdown.rfind("\n#", 0, label)
    before = re.sub(r"<!--.*?-->", "", markdown[heading:label].split("\n", 2)[-1], flags=re.S)
    knobs["label_first"] = label < 0 or not before.strip("\n *\\")
    return knobs


def convert(markdown: str, day: date) -> Conversion:
    outline = read_outline(markdown).entries
    chat = _Chat(day)
    untypeable = _Untypeable()
    config: dict[str, Any] = {"name": "Corpus group", "timezone": "UTC"}
    style: dict[str, Any] = _style(markdown)
    links: dict[str, str] = {"calendar": ""}
    standing: list[str] = []
    agenda: list[str] = []  # `#agenda add` lines, in the file's order
    body: list[tuple[str, str]] = []  # (nick, text) after the agenda is set

    title = next((e.text for e in outline if e.kind == "title"), "")
    if not title:
        untypeable.add(LAYOUT, "the file has no title line")
    config["title"] = _DATE_TAIL.sub("", title) or "Meeting"
    chat.say(CHAIR, "#startmeeting")
    dated = re.search(r"(\d{4}-\d{2}-\d{2})\s*$", title)
    if dated and dated.group(1) != day.isoformat():  # held on another day than its file's
        chat.say(CHAIR, f"Date: {dated.group(1)}")
    sections = [e.text for e in outline if e.kind == "heading" and e.depth == 2]
    tsc = any(e.kind == "heading" and e.depth == 3 and e.text == "Announcements"
              for e in outline)
    config["template"] = "nodejs-tsc" if tsc else "nodejs"
    known = {"Links", "Present", "Agenda", "Announcements", "Upcoming Meetings"}
    closing = [s for s in sections if s not in known]
    default_closing = "Strategic Initiatives" if tsc else "Q&A, Other"
    if closing and closing[0] != default_closing:
        style["closing_heading"] = closing[0]
    if len(closing) > 1:
        untypeable.add(LAYOUT, f"two closing sections ({', '.join(closing)}): a layout has one")
    if not closing:
        untypeable.add(LAYOUT, f"no closing section (the layout always has "
                               f"'## {style.get('closing_heading', default_closing)}')")
    expected = (["Links", "Present", "Agenda"] + ([] if tsc else ["Announcements"])
                + closing[:1] + ["Upcoming Meetings"])
    if [s for s in sections if s in expected] != expected:
        untypeable.add(LAYOUT, f"sections in another order: {sections}")

    topic = ""  # the topic the chat is on
    parent_depth = 0  # the depth of the entry the notes hang under

    def move(to: str) -> None:
        nonlocal topic
        if topic != to:
            body.append((CHAIR, f"#topic {to}"))
            topic = to

    section = sub = ""
    items_here = False  # an issue or pull request came under this "### owner/repo"
    after_standing = False  # a standing item came in this section
    unticked: set[str] = set()  # standing items the file leaves unticked
    labelled = False  # the label sentence came
    for entry in outline:
        if entry.kind == "heading":
            items_here = False
            if entry.depth == 2:
                section, sub = entry.text, ""
                parent_depth = 0
                after_standing = False
                if section == "Announcements":
                    move("announcements")
                elif section in closing[:1]:
                    move(section)
                elif section in closing[1:]:
                    untypeable.add(LAYOUT, f"'## {section}': a second closing section")
            else:
                sub = entry.text
                parent_depth = 0
                if entry.depth > 3:
                    untypeable.add(ITEM, f"an item written as a heading: {sub[:50]!r}")
                if section == "Agenda" and sub == "Announcements":
                    move("announcements")
                elif section == "Agenda" and not _REPOSITORY.match(sub):
                    standing.append(sub)
                    move(sub)
            continue
        if entry.kind == "calendar-text" and not links["calendar"]:
            move("upcoming")  # a sentence opening the section, before the calendar entry
            body.append((CHAIR, "#paragraph " + entry.text))
            continue
        _typed(entry, chat, config, links, style, untypeable)
        labelled = labelled or entry.kind == "label"
        if entry.kind == "standing":
            after_standing = True
            standing.append(entry.text)
            bare = re.sub(r"\s+-\s+<?https?://\S+>?\s*$", "", entry.text)
            if entry.extra[0] == "X":
                move(bare)
            else:  # a topic only if notes follow (which would tick it)
                topic = ""
                body.append(("", bare))
                unticked.add(bare)
            parent_depth = entry.depth + 1
        elif entry.kind == "item":
            items_here = True
            reference = _reference(entry, sub, markdown)
            if _REPOSITORY.match(sub) and not reference[0].startswith(f"{sub}#"):
                untypeable.add(ITEM, f"{reference[0]} listed under ### {sub} (Gavel lists an "
                                     "item under its own repository)")
            agenda.append(f"#agenda add {reference[1]} {entry.text}")
            topic = ""
            parent_depth = 1
            body.append(("", reference[0]))  # a topic only if notes follow
        elif entry.kind in ("note", "text"):
            if section == "Present":
                untypeable.add(PEOPLE, f"a line that is no list entry (its bullet is missing "
                                       f"or mistyped): {entry.text[:60]!r}")
                if not entry.text.startswith("#"):  # someone was there: they said #here
                    person = read_person(entry.text)
                    _typed(Entry("person", person.name, extra=(
                        person.affiliation, person.handle, person.remark)),
                        chat, config, links, style, untypeable)
                continue
            if section == "Upcoming Meetings":  # a word on the next meetings
                move("upcoming")
                marks = "-" * min(max(entry.depth, 0), MAX_DEPTH)
                body.append((CHAIR, "#info " + marks + (" " if marks else "") + entry.text))
                continue
            if "Extracted from" in entry.text:
                untypeable.add(LABEL, "the label sentence as a list entry")
            if _REPOSITORY.match(sub) and not items_here:
                untypeable.add(ITEM, f"an entry under ### {sub} before its first issue or pull "
                                     f"request, or an item Gavel cannot read as one: "
                                     f"{entry.text[:50]!r}")
            if body and body[-1][0] == "":
                if body[-1][1] in unticked:
                    untypeable.add(STANDING, f"'{body[-1][1]}' unticked though notes follow "
                                             "(a topic with notes is ticked)")
                body[-1] = (CHAIR, f"#topic {body[-1][1]}")
                topic = body[-1][1]
            if (section == "Announcements" and not sub and not after_standing
                    and labelled and not style["label_first"]):
                untypeable.add(LABEL, "announcements on both sides of the label sentence")
            if (section == "Announcements" and not sub and entry.depth == 0
                    and topic != "announcements" and not after_standing):
                move("announcements")
            if entry.kind == "text":  # a paragraph of its own under the topic
                body.append((CHAIR, "#paragraph " + entry.text))
                continue
            depth = max(entry.depth - parent_depth, -1)
            if depth > MAX_DEPTH:
                untypeable.add(NOTE, f"a note {depth} levels deep (#info takes {MAX_DEPTH})")
            marks = "<" if depth < 0 else "-" * min(depth, MAX_DEPTH)
            body.append((CHAIR, "#info " + marks + (" " if marks else "") + entry.text))
    for line in agenda:
        chat.say(CHAIR, line)
    for nick, text in body:
        if nick:
            chat.say(nick, text)
    chat.say(CHAIR, "#endmeeting")

    config["standing_items"] = standing
    config["links"] = Links(**links)
    config["minutes"] = MinutesStyle(**style)
    return Conversion(Group(**config), chat.lines, list(untypeable))


class _Untypeable(dict[Untypeable, None]):
    """The reasons found, each once, in the order found."""

    def add(self, category: str, detail: str) -> None:
        self[Untypeable(category, detail)] = None


def _typed(entry: Entry, chat: _Chat, config: dict[str, Any], links: dict[str, str],
           style: dict[str, Any], untypeable: _Untypeable) -> None:
    """What the start of the meeting and the config say: links, people, the label."""
    if entry.kind == "link":
        key = _LINK_KEYS.get(entry.text.casefold())
        url = entry.extra[0]
        if key is None:
            untypeable.add(LAYOUT, f"a link Gavel has no name for: {entry.text}")
            return
        doc_label = "Minutes Google Doc" if "docs.google.com" in url else "Minutes"
        if key == "doc" and entry.text != doc_label:  # the group names its notes link
            style["doc_link_name"] = entry.text
        chat.say(CHAIR, f"#meetinglink {key} {url}")
    elif entry.kind == "invitees":
        config["invitees"] = entry.text
    elif entry.kind == "person":
        affiliation, handle, remark = entry.extra
        text = entry.text + (f" @{handle}" if handle else "") + (
            f" {remark}" if remark else "") + (f" from {affiliation}" if affiliation else "")
        chat.say(_nick(entry.text, handle), f"#here {text}")
        only_handle = not handle and re.fullmatch(r"@[\w.-]+", entry.text) is not None
        ours = read_person(present_line(
            _nick(entry.text, handle) if only_handle else entry.text + (
                f" {remark}" if remark else ""),
            entry.text[1:] if only_handle else handle, affiliation,
            style.get("present_line", "")))
        if (("@" in entry.text and not only_handle)
                or ours != Person(entry.text, affiliation, handle, remark)):
            untypeable.add(PEOPLE, f"{entry.text!r}: {_why_not_ours(entry.text)}")
    elif entry.kind == "regrets":
        chat.say(CHAIR, f"#regrets {entry.text}")
    elif entry.kind == "label":
        match = _LABEL.search(entry.text)
        if match is None or not entry.text.endswith("meeting."):
            untypeable.add(LABEL, f"one Gavel does not write: {entry.text[-50:]!r}")
        if match is None:
            return
        config["agenda_labels"] = re.findall(r"\*\*([^*]+)\*\*", match.group("labels"))
        config["github_orgs"] = re.findall(r"\*\*([^*]+?) org\*\*", match.group("orgs"))
        style["label_spelling"] = match.group("spelling")
    elif entry.kind == "calendar":
        style["calendar_name"] = entry.text
        links["calendar"] = entry.extra[0]
        style["calendar_text"] = ""
    elif entry.kind == "calendar-text":
        style["calendar_text"] = entry.text


def _why_not_ours(name: str) -> str:
    """Why a person's published entry reads otherwise than Gavel's line for the same
    ``#here``: the slip in the entry, where one is plain."""
    if name.count("(") != name.count(")"):
        return "unbalanced parentheses (a typo): Gavel keeps them but puts the @handle first"
    if re.search(r"\([^()]*\)$", name):
        return ("'Name (remark):' with the handle left out after the colon: Gavel writes "
                "no colon without a handle, so '(remark)' ends the line")
    return "Gavel writes a person as name, affiliation, @handle, remark"


def _reference(entry: Entry, repo: str, markdown: str) -> tuple[str, str]:
    """(what `#topic` names the item by, what `#agenda add` is given) for an item."""
    number = entry.extra[0]
    for line in markdown.splitlines():
        if f"#{number}" in line or f"/{number}" in line:
            match = _GITHUB_ITEM.search(line.strip())
            if match:
                url = match.group(1) or match.group(5)
                owner = match.group(2) or match.group(6)
                if url.endswith(f"/{number}"):
                    return f"{owner}#{number}", url
    return f"{repo}#{number}", f"https://github.com/{repo}/issues/{number}"
