"""The Security WG meeting of 2023-01-19, written as chat lines, gives its published minutes.

The transcript (tests/transcripts/) uses the command language; the published minutes are
read from ../shared/corpus. Same sections, people, repository groups, items, nested notes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.replay import replay
from bot.config import Settings
from bot.store import Database
from tests.conftest import CORPUS, SECURITY_WG, require_corpus
from tests.minutes_structure import read_structure

TRANSCRIPT = Path(__file__).parent / "transcripts" / "security-wg-2023-01-19.txt"
PUBLISHED = CORPUS / "nodejs-security-wg" / "2023-01-19.md"


@pytest.fixture(autouse=True)
def _corpus() -> None:
    require_corpus(PUBLISHED)


@pytest.fixture
def minutes(database_url: str) -> str:
    database = Database.open(database_url)
    try:
        with TRANSCRIPT.open() as lines:
            result = replay(lines, Settings(groups=[SECURITY_WG]), SECURITY_WG,
                            date(2023, 1, 19), database=database)
    finally:
        database.close()
    assert result.problems == []
    return result.minutes


def test_title_links_and_sections_match_the_published_minutes(minutes: str) -> None:
    ours, published = read_structure(minutes), read_structure(PUBLISHED.read_text())
    assert ours.title == published.title == "Node.js  Security WorkGroup Meeting 2023-01-19"
    assert ours.links == published.links
    # Ours may add an "Action items" section; the published sections all appear, in order.
    assert [s for s in ours.sections if s in published.sections] == published.sections


def test_the_same_people_are_present(minutes: str) -> None:
    ours, published = read_structure(minutes), read_structure(PUBLISHED.read_text())
    assert ours.present == published.present
    assert "* Security wg team: @nodejs/security-wg" in minutes


def test_standing_items_are_ticked_when_discussed(minutes: str) -> None:
    ours, published = read_structure(minutes), read_structure(PUBLISHED.read_text())
    assert ours.standing == published.standing


def test_repository_groups_items_and_nested_notes_match(minutes: str) -> None:
    ours, published = read_structure(minutes), read_structure(PUBLISHED.read_text())
    assert list(ours.repositories) == list(published.repositories)
    for repo, items in published.repositories.items():
        assert ours.repositories[repo] == items, repo


def test_the_undone_note_is_not_in_the_minutes(minutes: str) -> None:
    assert "Native modules maybe" not in minutes
