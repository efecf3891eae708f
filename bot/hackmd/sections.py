"""The note's text: Gavel's generated blocks between markers, and people's text around them.

Everything here is pure. Gavel owns only what lies between
``<!-- gavel:<name>:start -->`` and ``<!-- gavel:<name>:end -->``; it rewrites those
blocks from the chat's record and never touches a character outside them, so whatever
people type anywhere else in the note survives every write.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.agenda_lines import agenda_line
from bot.minutes import MinutesView, NoteLine
from bot.ports import AgendaEntry
from bot.text import literal, literal_without_pings

SECTIONS = ("present", "agenda", "notes", "actions")
HEADINGS = {"present": "Present", "agenda": "Agenda", "notes": "Notes",
            "actions": "Action items"}
GUIDE = ("<!-- gavel: Gavel keeps the blocks between the gavel markers up to date from the "
         "chat; write anywhere outside them and it is kept. -->")


def start_marker(name: str) -> str:
    return f"<!-- gavel:{name}:start -->"


def end_marker(name: str) -> str:
    return f"<!-- gavel:{name}:end -->"


def block(name: str, body: str) -> str:
    inside = body.strip("\n")
    return f"{start_marker(name)}\n{inside + chr(10) if inside else ''}{end_marker(name)}"


# -- what the blocks hold ------------------------------------------------------------------


def agenda_before(entries: Iterable[AgendaEntry], standing: Iterable[str]) -> str:
    """The agenda as known before the meeting: standing items, then GitHub's, by repo."""
    lines = [f"* {literal(title)}" for title in standing]
    for entry in entries:
        lines.append(agenda_line(literal(entry.title), entry.number, entry.url,
                                 entry.repo))
    return "\n".join(lines)


def _notes(lines: Iterable[NoteLine], lead: str = "") -> list[str]:
    return [f"{lead}{'  ' * line.depth}* {line.text}".replace("\n", "\n" + lead + "  ")
            for line in lines]


def blocks_of(view: MinutesView) -> dict[str, str]:
    """Each block's text from the meeting as the chat recorded it."""
    agenda: list[str] = []
    for item in [*view.standing, *[i for items in view.repositories.values() for i in items],
                 *view.other_items]:
        box = "x" if item.discussed else " "
        link = f" [{item.reference}]({item.url})" if item.url else ""
        agenda.append(f"- [{box}] {item.title}{link}")
        agenda.extend(_notes(item.notes, "  "))
    notes = _notes([*view.general, *view.announcements])
    if view.qa:
        notes += ["", "Q&A:", *_notes(view.qa)]
    if view.upcoming:
        notes += ["", "Upcoming Meetings:", *_notes(view.upcoming)]
    actions = [f"* [ ] {text} ({owners})" if owners else f"* [ ] {text}"
               for owners, text in view.actions]
    present = [f"* {person}" for person in view.present]
    if view.regrets:
        present += ["", f"Regrets: {', '.join(view.regrets)}"]
    return {"present": "\n".join(present), "agenda": "\n".join(agenda),
            "notes": "\n".join(notes), "actions": "\n".join(actions)}


def new_note(heading: str, links: Mapping[str, str], agenda: str) -> str:
    """The note as created before the meeting: the minutes' layout, agenda filled in."""
    parts = [f"# {literal(heading)}", "", GUIDE, "", "## Links", ""]
    parts += [f"* **{label}**: {url}" for label, url in links.items() if url] or ["*"]
    for name in SECTIONS:
        parts += ["", f"## {HEADINGS[name]}", "", block(name, agenda if name == "agenda"
                                                         else "")]
    parts += ["", "## Q&A, Other", "", "## Upcoming Meetings", ""]
    return "\n".join(parts)


# -- merging -----------------------------------------------------------------------------------


def fill(content: str, blocks: Mapping[str, str]) -> str:
    """``content`` with each named block's inside replaced, and nothing else changed.

    A block whose markers someone deleted comes back at the end of the note under its
    heading, so the chat's record is never lost from the note.
    """
    for name, body in blocks.items():
        start, end = start_marker(name), end_marker(name)
        at = content.find(start)
        stop = content.find(end, at + len(start)) if at >= 0 else -1
        if at < 0 or stop < 0:
            content = content.rstrip("\n") + f"\n\n## {HEADINGS.get(name, name)}\n\n" \
                f"{block(name, body)}\n"
            continue
        content = content[:at] + block(name, body) + content[stop + len(end):]
    return content


_BLOCK = re.compile(r"<!-- gavel:(\w+):start -->.*?<!-- gavel:\1:end -->", re.DOTALL)


def people_text(content: str) -> str:
    """What people wrote: the note with Gavel's blocks (and guide) emptied out."""
    emptied = _BLOCK.sub(lambda m: f"<!-- gavel:{m.group(1)} -->", content)
    return emptied.replace(GUIDE, "").replace("\r\n", "\n").strip()


def edited_by_people(initial: str, current: str) -> bool:
    return people_text(initial) != people_text(current)


def without_markers(content: str) -> str:
    """The note as minutes: the markers and the guide are Gavel's plumbing, not minutes."""
    lines = [line for line in content.replace("\r\n", "\n").split("\n")
             if not (line.startswith("<!-- gavel:") and line.rstrip().endswith("-->"))]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


@dataclass(frozen=True)
class EditSummary:
    added: int
    removed: int
    sample: tuple[str, ...]  # a few of the lines people added

    def describe(self) -> str:
        text = f"{self.added} line(s) added and {self.removed} removed by hand"
        if self.sample:
            # Shown as typed, cut before escaping (not inside an escape or a code span),
            # and pinging nobody: it goes into the pull request's comment.
            text += ", e.g.:\n" + "\n".join(f"> {literal_without_pings(line.strip()[:120])}"
                                             for line in self.sample)
        return text


def summarise_edits(initial: str, current: str, sample: int = 3) -> EditSummary:
    """A short diff of what people changed outside Gavel's blocks."""
    before = people_text(initial).split("\n")
    after = people_text(current).split("\n")
    added, removed = [], 0
    for line in difflib.ndiff(before, after):
        if line.startswith("+ ") and line[2:].strip():
            added.append(line[2:])
        elif line.startswith("- ") and line[2:].strip():
            removed += 1
    return EditSummary(len(added), removed, tuple(added[:sample]))
