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
