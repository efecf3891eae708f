"""Every template-era file of the corpus, typed as its meeting's chat and replayed with
the config a user would write for its group, gives minutes with the published structure.

"Template-era": the files written from the Node.js minutes template (a ``## Links`` and a
``## Present`` section), Security WG since late 2017 and every TSC file. The chat comes
from ``tests.corpus_chat`` (the converter), the comparison from
``tests.minutes_structure.read_outline``: title, sections, links, invitees, people,
label sentence, standing items ticked or not, repositories and their items, every note
with its nesting, the calendar. The summary (``pytest -s``, and the assertion message)
lists each file that does not match, with why: what in the published file no chat could
produce (``untypeable``), and the first differences.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from adapters.replay import replay
from bot.config import Settings
from bot.store import Database
from tests.conftest import CORPUS, require_corpus
from tests.corpus_chat import convert
from tests.minutes_structure import read_outline

# The rate this branch reaches; a change that lowers it fails here, with the misses listed.
AT_LEAST = 0.42


def template_era(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*/*.md"))
    return [f for f in files
            if "## Links" in (text := f.read_text(encoding="utf-8")) and "## Present" in text]


@dataclass
class Outcome:
    path: Path
    exact: bool
    reasons: list[str]
    # Equal once a paragraph and a list entry at the same place count as one (the
    # published file wrote a note as a paragraph; every Gavel note is a list entry).
    same_places: bool = False


def _places(outline: list[str]) -> list[str]:
    return [line.replace("] text: ", "] note: ", 1) for line in outline]


def replay_file(path: Path) -> Outcome:
    published = path.read_text(encoding="utf-8")
    day = date.fromisoformat(path.stem[:10])
    conversion = convert(published, day)
    database = Database.open("sqlite://")
    try:
        result = replay(conversion.lines, Settings(groups=[conversion.group]),
                        conversion.group, day, database=database)
    finally:
        database.close()
    assert result.problems == [], (path, result.problems)
    ours = [str(e) for e in read_outline(result.minutes).entries]
    theirs = [str(e) for e in read_outline(published).entries]
    if ours == theirs:
        return Outcome(path, True, [])
    diff = [line for line in difflib.unified_diff(theirs, ours, "published", "ours",
                                                  lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    reasons = [f"published file: {why}" for why in dict.fromkeys(conversion.untypeable)]
    reasons += [f"differs: {line[:160]}" for line in diff[:4]]
    return Outcome(path, False, reasons, _places(ours) == _places(theirs))


def test_the_corpus_replays_into_its_published_structure() -> None:
    require_corpus(CORPUS / "nodejs-TSC")
    files = template_era(CORPUS)
    assert len(files) > 100, f"expected the whole corpus under {CORPUS}"
    outcomes = [replay_file(path) for path in files]
    exact = [o for o in outcomes if o.exact]
    misses = [o for o in outcomes if not o.exact]
    lines = [f"corpus replay: {len(exact)} of {len(outcomes)} template-era files match "
             f"their published structure exactly ({len(exact) / len(outcomes):.0%}); "
             f"{len(exact) + sum(o.same_places for o in misses)} when a paragraph counts as "
             "a list entry at the same place"]
    for miss in misses:
        lines.append(f"  {miss.path.parent.name}/{miss.path.name}:")
        lines.extend(f"    {reason}" for reason in miss.reasons)
    summary = "\n".join(lines)
    print(summary)
    assert len(exact) / len(outcomes) >= AT_LEAST, summary
    # Every miss is explained: by something no chat could type, or by the differences.
    assert all(miss.reasons for miss in misses), summary


@pytest.mark.parametrize("name", ["nodejs-TSC/2026-05-06.md", "nodejs-security-wg/2026-03-19.md",
                                  "nodejs-security-wg/2023-01-19.md"])
def test_the_most_recent_files_of_each_layout_match_exactly(name: str) -> None:
    path = CORPUS / name
    require_corpus(path)
    outcome = replay_file(path)
    assert outcome.exact, "\n".join(outcome.reasons)
