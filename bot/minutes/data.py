"""The meeting as data (``gavel replay --format json``, ``gavel minutes N --format json``).

Other tools build on it, so its shape is a contract: docs/meeting.schema.json describes it,
and the tests validate the output against that file. Text is given as people typed it
(no Markdown escaping: a consumer renders it its own way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.config import Group
from bot.domain import Meeting, NoteKind, Section
from bot.minutes.action_owners import KnownPeople
from bot.minutes.order import taken_up_first
from bot.store import Store

SCHEMA_VERSION = 1
_STATUSES = {"present": "present", "regrets": "regrets"}
_PROBLEM = re.compile(r"line (\d+): (.*)", re.DOTALL)
_SECTION_TOPICS = {Section.NONE: "", Section.ANNOUNCEMENTS: "Announcements",
                   Section.QA: "Q&A, Other", Section.ITEM: "",
                   Section.UPCOMING: "Upcoming Meetings"}


def meeting_data(store: Store, meeting: Meeting, group: Group,
                 problems: Iterable[str] = ()) -> dict[str, Any]:
    """Everything the minutes are made of, as plain JSON-ready values."""
    from bot.minutes import closing_heading

    agenda = store.agenda(meeting.id)
    numbers = {item.id: number for number, item in enumerate(agenda, 1)}
    items = taken_up_first(agenda, lambda item: item.id, store.taken_up(meeting.id))
    titles = {item.id: item.title for item in items}
    known = KnownPeople.of_meeting(store, meeting.id)
    sections = {**_SECTION_TOPICS, Section.QA: closing_heading(group)}
    notes = []
    subtopics = [n for n in store.notes(meeting.id) if n.kind is NoteKind.SUBTOPIC]
    for note in store.notes(meeting.id):
        topic = titles.get(note.item_id, "") if note.item_id is not None else (
            sections[note.section])
        notes.append({
            "kind": note.kind.value, "text": note.text, "topic": topic,
            "depth": note.depth, "author": note.author_name, "time": note.at.isoformat(),
            "owners": list(known.owners_of(note.text)) if note.kind is NoteKind.ACTION
            else [],
        })
    return {
        "schema": SCHEMA_VERSION,
        "id": meeting.id,
        "group": meeting.group_name,
        "title": meeting.title,
        "date": meeting.meeting_date,
        "started": meeting.started_at.isoformat() if meeting.started_at else None,
        "ended": meeting.ended_at.isoformat() if meeting.ended_at else None,
        "links": dict(meeting.links),
        "people": [{"name": a.person.name, "github": a.person.github,
                    "affiliation": a.person.affiliation,
                    "status": _STATUSES.get(a.status, "absent")}
                   for a in store.attendance(meeting.id)],
        "speakers": [{"name": name, "lines": lines}
                     for _, name, lines in store.lines_said(meeting.id)],
        "chairs": store.role_names(meeting.id, "chair"),
        "scribes": store.role_names(meeting.id, "scribe"),
        "topics": [{"title": item.title, "agendum": numbers[item.id],
                    "reference": item.reference, "url": item.url,
                    "source": item.source.value, "discussed": item.discussed,
                    "subtopics": [n.text for n in subtopics if n.item_id == item.id]}
                   for item in items],
        "notes": notes,
        "votes": votes_data(store, meeting.id),
        "problems": [_problem(text) for text in problems],
    }


def votes_data(store: Store, meeting_id: int) -> list[dict[str, Any]]:
    """Each vote: its question, options, the ballots per option, the result (empty while
    open), and whether quorum was met (None when none was required)."""
    from bot.store.dialect_rows import ballots_of, votes_of

    found = []
    for vote in votes_of(store, meeting_id):
        ballots = ballots_of(store, vote.id)
        tally = {option: 0 for option in vote.options}
        for _, _, choice in ballots:
            tally[choice] = tally.get(choice, 0) + 1
        found.append({"question": vote.question, "options": list(vote.options),
                      "tally": tally, "result": vote.result,
                      "quorum": (len(ballots) >= vote.votes_required)
                      if vote.closed and vote.votes_required else None})
    return found


def _problem(text: str) -> dict[str, Any]:
    """``line 12: not a chat line ...`` -> its number and what is wrong."""
    match = _PROBLEM.match(text)
    if match:
        return {"line": int(match.group(1)), "problem": match.group(2)}
    return {"line": None, "problem": text}
