"""Attendance over time: for a group's last N meetings, who came (present, regrets,
absent), each person's rate and, where the group lists its members, quorum per meeting.

One query for the meetings and one for their attendance rows (``bot.store.history``);
``gavel attendance``, ``/meeting attendance`` and the web archive's chart all read this.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Group
from bot.store import Store
from bot.store.history import Mark, MeetingSummary, marks, past_meetings

PRESENT, REGRETS, ABSENT = "present", "regrets", ""
SYMBOLS = {PRESENT: "P", REGRETS: "r", ABSENT: "."}


@dataclass(frozen=True, slots=True)
class PersonHistory:
    name: str
    marks: tuple[str, ...]  # per meeting, oldest first: "present" | "regrets" | ""
    member: bool = False

    @property
    def present(self) -> int:
        return self.marks.count(PRESENT)

    @property
    def rate(self) -> float:
        return self.present / len(self.marks) if self.marks else 0.0


@dataclass(frozen=True, slots=True)
class AttendanceHistory:
    group: str
    meetings: tuple[MeetingSummary, ...]  # oldest first
    people: tuple[PersonHistory, ...]  # most present first
    members: int  # how many the group lists (0: it lists none, so no quorum)
    quorum: int  # members present needed
    # Per meeting, worked out once (a chart of 100 meetings x 200 people asks often).
    present_counts: tuple[int, ...] = ()
    member_counts: tuple[int, ...] = ()

    def present_at(self, index: int) -> int:
        return self.present_counts[index]

    def quorate(self, index: int) -> bool:
        return self.member_counts[index] >= self.quorum


def _spellings(mark: Mark) -> set[str]:
    names = {mark.name.casefold(), mark.user_id.casefold()}
    if mark.github:
        names.add(mark.github.casefold())
    return names


def quorum_of(group: Group) -> int:
    """Members present needed: the group's ``quorum``, else a majority of its members."""
    return group.quorum or len(group.members) // 2 + 1


def attendance_history(store: Store, group: Group, last: int,
                       newest: list[MeetingSummary] | None = None) -> AttendanceHistory:
    """The group's last ``last`` ended meetings and everyone who came or sent regrets to
    any of them, plus its listed members (absent throughout if they never came).
    ``newest``: the group's past meetings, newest first, when the caller has them."""
    if newest is None:
        newest = past_meetings(store, group.name, last)
    meetings = tuple(reversed(newest[:last]))
    column = {meeting.id: n for n, meeting in enumerate(meetings)}
    rows: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    spellings: dict[int, set[str]] = {}
    for mark in marks(store, list(column)):
        row = rows.setdefault(mark.person_id, [ABSENT] * len(meetings))
        row[column[mark.meeting_id]] = mark.status
        names[mark.person_id] = mark.name
        spellings[mark.person_id] = _spellings(mark)
    wanted = {member.lstrip("@").casefold(): member for member in group.members}
    people = []
    for person_id, row in rows.items():
        is_member = not wanted.keys().isdisjoint(spellings[person_id])
        for spelling in spellings[person_id]:
            wanted.pop(spelling, None)
        people.append(PersonHistory(names[person_id], tuple(row), is_member))
    people.extend(PersonHistory(member, (ABSENT,) * len(meetings), True)
                  for member in wanted.values())
    people.sort(key=lambda p: (-p.present, p.name.casefold()))
    present = [0] * len(meetings)
    members = [0] * len(meetings)
    for person in people:
        for n, status in enumerate(person.marks):
            if status == PRESENT:
                present[n] += 1
                members[n] += person.member
    return AttendanceHistory(group.name, meetings, tuple(people), len(group.members),
                             quorum_of(group), tuple(present), tuple(members))


def attendance_text(history: AttendanceHistory) -> str:
    """The history as plain lines: readable in a terminal and in a chat message."""
    count = len(history.meetings)
    if not count:
        return f"{history.group} has no past meetings yet."
    lines = [f"{history.group}: attendance at the last {_plural(count, 'meeting')} "
             "(P present, r regrets, . absent)",
             "Meetings: " + "  ".join(f"{n}) {m.date}" for n, m in
                                      enumerate(history.meetings, 1))]
    width = max((len(p.name) for p in history.people), default=0)
    for person in history.people:
        symbols = " ".join(SYMBOLS[mark] for mark in person.marks)
        lines.append(f"{person.name:<{width}}  {symbols}  {person.present}/{count} "
                     f"{person.rate:.0%}")
    totals = " ".join(str(history.present_at(n)) for n in range(count))
    lines.append(f"Present per meeting: {totals}")
    if history.members:
        verdicts = " ".join("yes" if history.quorate(n) else "no" for n in range(count))
        lines.append(f"Quorum ({history.quorum} of {history.members} members): {verdicts}")
    return "\n".join(lines)


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
