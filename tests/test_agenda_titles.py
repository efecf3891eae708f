"""An agenda item is named by its title as people type it, found through the key the
store keeps beside each title (``title_key``) as the rules read it over the whole agenda:
first the title in any case with its spaces collapsed, else without a standing item's
link (`` - https://...``, any case); within a rule, the first item in agenda order."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.domain import ItemSource
from bot.events import Place
from bot.store import Database
from bot.store.dialect_rows import retitle_item

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

# The rules as ``#topic`` read them over every title of the agenda before titles had keys,
# with the link's scheme in any case (``HTTPS://`` is a link too).
_TAIL = re.compile(r"\s+-\s+<?https?://\S+>?\s*$", re.IGNORECASE)


def _spaced(title: str) -> str:
    return " ".join(title.split()).casefold()


def _bare(title: str) -> str:
    return " ".join(_TAIL.sub("", title).split()).casefold()


def named_by_the_rules(titles: Sequence[str], text: str) -> int | None:
    for key in (_spaced, _bare):
        for place, title in enumerate(titles):
            if key(title) == key(text):
                return place
    return None


# Pieces whose case folding, spacing or link-ness is easy to get wrong.
_WORDS = ["Foo", "foo", "FOO", "ß", "SS", "ss", "ſ", "s", "K", "k", "\u212a", "ﬆ", "st",
          "ẖ", "x.org", "Review", "<", ">", "/", "-", "–"]
_SPACES = [" ", "  ", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "\n"]
_SCHEMES = ["https://", "HTTPS://", "http://", "HTTP://", "hTTpſ://", "<https://", "httpß://"]


def _space(rng: random.Random) -> str:
    return rng.choice(_SPACES) if rng.random() < 0.8 else " "


def _random_title(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(0, 3))]
    title = "".join(word + _space(rng) for word in words).rstrip() if words else ""
    if rng.random() < 0.5:  # a link, as standing items carry
        link = rng.choice(_SCHEMES) + rng.choice(["x.org", "X.org/A", "ſ>", "a>"])
        title += _space(rng) + "-" + _space(rng) + link
    if rng.random() < 0.2:
        title = _space(rng) + title
    if rng.random() < 0.2:
        title += _space(rng)
    return title


def _retyped(rng: random.Random, title: str) -> str:
    """``title`` as someone might type it again: another case, other spaces, the link
    left off or another given."""
    text = rng.choice([title, title.upper(), title.lower(), title.swapcase(), title.casefold()])
    if rng.random() < 0.5:
        text = re.sub(r"\s+", lambda _: _space(rng), text)
    if rng.random() < 0.3:
        text = _TAIL.sub("", text)
    if rng.random() < 0.2:
        text += " - " + rng.choice(_SCHEMES) + "y.org"
    if rng.random() < 0.3:
        text = text.strip() if rng.random() < 0.5 else " " + text
    return text


def test_a_title_names_the_item_the_rules_over_the_whole_agenda_name(
        database: Database) -> None:
    """Randomised (seeded): the store's keyed lookup, live and over an agenda read
    whole, names the same item as the rules over every title, for titles of folded
    letters (``ß``, ``ſ``, the Kelvin sign), Unicode spaces and links in any case."""
    rng = random.Random(20261204)
    cases = 0
    for number in range(120):
        titles = [_random_title(rng) for _ in range(rng.randint(1, 8))]
        titles += [_retyped(rng, rng.choice(titles)) for _ in range(rng.randint(0, 3))]
        texts = [_retyped(rng, rng.choice(titles)) for _ in range(16)]
        texts += [_random_title(rng) for _ in range(8)]
        texts = [text for text in texts if text.strip()]  # (a command's text is never blank)
        with database.transaction() as store:
            meeting = store.start_meeting(Place("console", f"wg{number}"), "WG", "WG meeting",
                                          "2026-03-02", NOW, "U1")
            ids = [store.add_agenda_item(meeting.id, ItemSource.ADHOC, title).id
                   for title in titles]
        with database.transaction() as store:
            live = [store.agenda_item_named(meeting.id, text) for text in texts]
            store.agenda(meeting.id)  # read whole, as a replay does
            cached = [store.agenda_item_named(meeting.id, text) for text in texts]
        for text, found, found_cached in zip(texts, live, cached, strict=True):
            place = named_by_the_rules(titles, text)
            expected = None if place is None else ids[place]
            assert (found and found.id, found_cached and found_cached.id) == (
                expected, expected), (titles, text)
            cases += 1
    assert cases > 2000


def test_a_link_typed_in_capitals_still_names_the_standing_item(database: Database) -> None:
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "WG", "WG meeting",
                                      "2026-03-02", NOW, "U1")
        standing = store.add_agenda_item(
            meeting.id, ItemSource.STANDING,
            "Vulnerability Review - https://github.com/nodejs/nodejs-dependency-vuln-assessments")
    with database.transaction() as store:
        found = store.agenda_item_named(meeting.id, "vulnerability review - HTTPS://x.org")
    assert found is not None and found.id == standing.id


def test_a_title_that_is_only_a_link_is_named_with_or_without_a_space_before_it(
        database: Database) -> None:
    """``" - https://x.org"`` has a link to leave off (a space before the dash) and
    ``"- https://x.org"`` has none, yet both read the same in any spacing: the one key
    kept per title is not the only one a text is looked up by."""
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "WG", "WG meeting",
                                      "2026-03-02", NOW, "U1")
        spaced = store.add_agenda_item(meeting.id, ItemSource.ADHOC, " - https://x.org")
        unspaced = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "- https://y.org")
    with database.transaction() as store:
        found = [store.agenda_item_named(meeting.id, text)
                 for text in ("- HTTPS://x.org", " - https://y.org")]
    assert [item and item.id for item in found] == [spaced.id, unspaced.id]


def test_a_retitled_item_is_named_by_its_new_title_only(database: Database) -> None:
    """``s/old/new/`` on a topic writes the key with the title."""
    with database.transaction() as store:
        meeting = store.start_meeting(Place("console", "wg"), "WG", "WG meeting",
                                      "2026-03-02", NOW, "U1")
        item = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Triage backlog")
        retitle_item(store, item.id, "Triage the backlog")
    with database.transaction() as store:
        assert store.agenda_item_named(meeting.id, "triage backlog") is None
        found = store.agenda_item_named(meeting.id, "TRIAGE  the backlog")
    assert found is not None and found.id == item.id
