"""Who owns an action item: like MeetBot, anyone known to the meeting whose name the action
text mentions, plus any ``@handle``.

Owners are worked out when the minutes are compiled, not when the action is noted, so a
person who arrives later still owns the actions that name them, and noting stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.domain import NAME_ONLY
from bot.store import Store

_HANDLE = re.compile(r"(?<![\w/])@([A-Za-z0-9][A-Za-z0-9-]{0,38})\b")


@dataclass(frozen=True)
class KnownPeople:
    """Spellings (casefolded) -> the name the minutes use for that person."""

    names: dict[str, str]

    @classmethod
    def of_meeting(cls, store: Store, meeting_id: int) -> KnownPeople:
        names: dict[str, str] = {}
        for _, speaker, _lines in store.lines_said(meeting_id):
            names[speaker.casefold()] = speaker
        for nick in store.role_names(meeting_id, "nick"):
            names[nick.casefold()] = nick
        for attendance in store.attendance(meeting_id):
            person = attendance.person
            names[person.name.casefold()] = person.name
            first = person.name.split()[0] if person.name.split() else ""
            if len(first) >= 3:
                names.setdefault(first.casefold(), person.name)
            if person.github:
                names[person.github.casefold()] = person.name
            if not person.user_id.startswith(NAME_ONLY):
                names[person.user_id.casefold()] = person.name
        return cls(names)

    def owners_of(self, text: str) -> tuple[str, ...]:
        owners: list[str] = []
        for handle in _HANDLE.findall(text):
            name = self.names.get(handle.casefold(), "@" + handle)
            if name not in owners:
                owners.append(name)
        folded = text.casefold()
        for key, name, pattern in self._patterns:
            # The substring test first: most names are not in most actions, and it is
            # much cheaper than the word-boundary search that decides.
            if key in folded and name not in owners and pattern.search(folded):
                owners.append(name)
        return tuple(owners)

    def spellings_said(self, text: str, owners: Collection[str]) -> Iterator[tuple[str, str]]:
        """(spelling, owner) for each spelling of one of ``owners`` that ``text`` says as
        ``owners_of`` reads it: as a word of its own, or as an ``@handle``."""
        folded = text.casefold()
        handles = {handle.casefold() for handle in _HANDLE.findall(text)}
        for key, name, pattern in self._patterns:
            if name in owners and (key in handles or (key in folded and pattern.search(folded))):
                yield key, name

    @cached_property
    def _patterns(self) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
        """Each spelling with its pattern, longest first; compiled once per minutes, and
        live, once per set of people the meeting knows (each ``#action`` reads that set
        afresh, and it rarely changes between two actions)."""
        return _patterns_of(tuple(self.names.items()))


@lru_cache(maxsize=16)
def _patterns_of(names: tuple[tuple[str, str], ...]
                 ) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    return tuple((key, name, re.compile(_word(key)))
                 for key, name in sorted(names, key=lambda kv: -len(kv[0])))


def _word(key: str) -> str:
    """A spelling (casefolded) said as a word of its own, not as part of an ``@handle``."""
    return rf"(?<![\w@]){re.escape(key)}(?!\w)"
