"""Reads minutes in the Node.js layout back into their structure, so that ours can be
compared with the published ones regardless of spacing and name punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PERSON = re.compile(
    r"^(?P<name>.+?)(?:\s+from\s+(?P<aff>[^@(:]+?))?[\s:]*(?:\(?@(?P<handle>[\w-]+)\)?)?$")
_ITEM = re.compile(r"^\* (?P<title>.+?) \[#(?P<number>\d+)\]\((?P<url>[^)]+)\)\s*$")


@dataclass
class Item:
    title: str
    number: int
    notes: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Structure:
    title: str = ""
    sections: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    present: list[tuple[str, str, str]] = field(default_factory=list)
    standing: list[tuple[bool, str]] = field(default_factory=list)
    repositories: dict[str, list[Item]] = field(default_factory=dict)


def _person(line: str) -> tuple[str, str, str]:
    match = _PERSON.match(line.strip())
    assert match, line
    return (match.group("name").strip(), (match.group("aff") or "").strip(),
            match.group("handle") or "")


def read_structure(markdown: str) -> Structure:
    result = Structure()
    section = ""
    repo = ""
    item: Item | None = None
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("# "):
            result.title = line[2:]
        elif line.startswith("## "):
            section, repo, item = line[3:], "", None
            result.sections.append(section)
        elif line.startswith("### "):
            repo, item = line[4:], None
            result.sections.append(line)
            result.repositories[repo] = []
        elif not line.strip():
            continue
        elif section == "Links" and line.startswith("* **"):
            label, _, url = line[4:].partition("**:")
            result.links[label] = url.strip()
        elif section == "Present" and line.startswith("* "):
            text = line[2:]
            if "@nodejs/" not in text:
                result.present.append(_person(text))
        elif section == "Announcements" and (match := re.match(r"- \[([ X])\] (.*)", line)):
            result.standing.append((match.group(1) == "X", match.group(2)))
        elif repo and (match := _ITEM.match(line)):
            item = Item(match.group("title"), int(match.group("number")))
            result.repositories[repo].append(item)
        elif repo and item is not None and (match := re.match(r"^( +)\* (.*)", line)):
            depth = len(match.group(1)) // 2 - 1
            item.notes.append((depth, match.group(2).strip()))
    return result


# -- the whole document as an outline ---------------------------------------------------
# Every element a reader sees, in order, with formatting that renders the same made equal
# (spacing, list markers and indent widths, `\[` for `[`, `<url>` for a bare URL in the
# links, a handle's punctuation): two files with the same outline look the same to a
# member, apart from spacing.

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[*+-]|\d+[.)])\s+(.*)$")
_STANDING = re.compile(r"^\[([ xX])\]\s+(.*)$")
_LINKED_ITEM = re.compile(
    r"^(?P<title>.+?)\s+\[#?(?P<number>\d+)\]\(<?(?P<url>[^)\s>]+)>?\)?\s*$")
_BARE_ITEM = re.compile(r"^(?P<title>.+?)\s+#(?P<number>\d+)\s*$")
_URL_ITEM = re.compile(
    r"^(?P<title>.+?)\s+<?(?P<url>https://github\.com/[\w.-]+/[\w.-]+/(?:issues|pull)/"
    r"(?P<number>\d+))>?\s*$")
_LINK_LINE = re.compile(r"^[*-]\s+\*\*(?P<label>[^*]+)\*\*:?\s*(?P<url>.*)$")
_CALENDAR = re.compile(r"^[*-]\s+\*\*(?P<label>[^*]*Calendar)\*\*:\s*<?(?P<url>[^>\s]*)>?\s*$")
_PERSON_LINE = re.compile(
    r"^(?P<name>.+?)(?:\s+from\s+(?P<aff>.+?))?(?:\s*:?\s*\(?@(?P<handle>[\w.-]+)\)?)?"
    r"(?:\s*(?P<remark>\([^()@]*\)))?\s*$")
_REPOSITORY_HEADING = re.compile(r"^[\w.-]+/[\w.-]+$")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")


def plain(text: str) -> str:
    """Text as it renders: spaces collapsed, backslash escapes and entities read."""
    text = _ESCAPED.sub(r"\1", " ".join(text.split()))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str
    handle: str
    remark: str


def read_person(text: str) -> Person:
    match = _PERSON_LINE.match(" ".join(text.split()))
    assert match, text
    return Person(plain(match.group("name")).rstrip(":").strip(),
                  plain(match.group("aff") or ""), match.group("handle") or "",
                  plain(match.group("remark") or ""))


@dataclass
class Entry:
    """One line a reader sees: ``kind`` is heading, link, invitees, person, regrets, label,
    standing, item, note, text, calendar or calendar-text."""

    kind: str
    text: str
    depth: int = 0
    section: str = ""
    extra: tuple[str, ...] = ()

    def key(self) -> tuple[str, str, int, str, tuple[str, ...]]:
        return (self.kind, self.text, self.depth, self.section, self.extra)

    def __str__(self) -> str:
        where = f"[{self.section}] " if self.section else ""
        deep = "  " * self.depth
        more = f" {self.extra}" if self.extra else ""
        return f"{where}{self.kind}: {deep}{self.text}{more}"


@dataclass
class Outline:
    entries: list[Entry] = field(default_factory=list)

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]


def read_outline(markdown: str) -> Outline:
    """The outline of minutes in the Node.js layouts (Security WG, TSC)."""
    outline = Outline()
    section = ""  # the "## " heading
    sub = ""  # the "### " heading
    indents: list[int] = []  # the indent of each open list level
    last: Entry | None = None  # the entry a continuation line joins
    last_body = ""  # its list entry's text as written, continuation lines included
    in_comment = False
    blank = False  # a blank line came before this one
    for raw in markdown.lstrip("\ufeff").splitlines():
        line = raw.rstrip()
        if in_comment or line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if not line.strip():
            blank = True
            continue
        after_blank, blank = blank, False
        if match := _HEADING.match(line):
            level, title = len(match.group(1)), plain(match.group(2))
            if level == 1:
                outline.entries.append(Entry("title", title))
            else:
                if level == 2:
                    section, sub = title, ""
                else:
                    sub = title
                outline.entries.append(Entry("heading", title, level))
            indents, last = [], None
            continue
        where = f"{section}/{sub}" if sub else section
        bullet = _BULLET.match(line)
        if bullet is None:
            joins = (raw.startswith(" ") and last is not None and last.kind == "note") or (
                not after_blank and last is not None
                and last.kind in ("note", "text", "label"))
            if last is not None and joins and "Extracted from" not in line:
                last.text = plain(last.text + " " + line)  # a wrapped line
                last_body += " " + line.strip()
                if last.kind == "note" and last.depth == 0 and _REPOSITORY_HEADING.match(sub):
                    # An item's title wrapped before its link: the item, as it renders.
                    again = _entry(section, sub, where, 0, last_body, last_body)
                    if again is not None and again.kind == "item":
                        outline.entries[-1] = last = again
                continue
            stripped = line.strip()
            if plain(stripped).lstrip("*").startswith("Extracted from"):
                last = Entry("label", plain(stripped).strip("*"))
            elif section == "Present" and stripped.startswith("Regrets:"):
                last = Entry("regrets", plain(stripped[len("Regrets:"):]))
            elif section == "Upcoming Meetings":
                last = Entry("calendar-text", plain(stripped))
            else:
                last = Entry("text", plain(stripped), section=where)
            outline.entries.append(last)
            indents = []
            continue
        indent = len(bullet.group(1).expandtabs(4))
        while indents and indent < indents[-1] - 1:
            indents.pop()
        if indents and indent <= indents[-1] + 1 and indent >= indents[-1] - 1:
            depth = len(indents) - 1
        else:
            indents.append(indent)
            depth = len(indents) - 1
        body = last_body = bullet.group(2)
        last = _entry(section, sub, where, depth, body, line)
        if last is None:
            continue
        outline.entries.append(last)
    return outline


def _entry(section: str, sub: str, where: str, depth: int, body: str,
           line: str) -> Entry | None:
    if section == "Links":
        match = _LINK_LINE.match(line.strip())
        if match:
            url = match.group("url").strip().strip("<>").strip()
            if not url.startswith(("http://", "https://")):
                return None  # an empty link, or a template placeholder: no link
            return Entry("link", match.group("label").strip(), extra=(url,))
    if section == "Present":
        if "@nodejs/" in body or "@openjs-foundation/" in body:
            return Entry("invitees", plain(body))
        person = read_person(body)
        return Entry("person", person.name, extra=(person.affiliation, person.handle,
                                                   person.remark))
    if section == "Upcoming Meetings" and (match := _CALENDAR.match(line.strip())):
        return Entry("calendar", plain(match.group("label")), extra=(match.group("url"),))
    if match := _STANDING.match(body):
        return Entry("standing", plain(match.group(2)), depth, where,
                     ("X" if match.group(1) in "xX" else " ",))
    if _REPOSITORY_HEADING.match(sub) and depth == 0:
        for pattern in (_LINKED_ITEM, _URL_ITEM, _BARE_ITEM):
            if match := pattern.match(body.strip()):
                return Entry("item", plain(match.group("title")), 0, where,
                             (match.group("number"),))
    return Entry("note", plain(body), depth, where)
