"""One store API: only ``bot/store`` (and the migrations) speak SQL.

Every other module asks a ``Store`` (or a row module beside it, taking the ``Store``), so
the SQL, the dialect quirks and the transaction's caches live in one place. Walks the
source with ``ast`` rather than grep: a moved or re-wrapped import is still caught.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from bot.domain import ItemSource
from bot.events import Place
from bot.store import Database
from bot.store.dialect_rows import clear_role, retitle_item
from bot.store.schema import meetings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters", "gavel")
ALLOWED = ("bot/store/", "bot/migrations/")
# Parsing a database URL is not SQL: the dry run reads a SQLite path out of one.
URL_PARSING = {"make_url"}
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PLACE = Place("slack", "C1", "T1")


def _problems(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{where}:{node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy" or a.name == "bot.store.schema"]
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            names = {a.name for a in node.names}
            if top == "sqlalchemy" and not names <= URL_PARSING:
                found.append(f"{where}:{node.lineno}: from {node.module} import "
                             + ", ".join(sorted(names)))
            elif node.module == "bot.store.schema" or (
                    node.module == "bot.store" and "schema" in names):
                found.append(f"{where}:{node.lineno}: from {node.module} import schema")
        elif isinstance(node, ast.Attribute) and node.attr == "connection":
            found.append(f"{where}:{node.lineno}: .connection (a Store's SQL connection)")
    return found


def test_no_module_outside_the_store_speaks_sql() -> None:
    sources = [path for package in PACKAGES if (ROOT / package).is_dir()
               for path in sorted((ROOT / package).rglob("*.py"))
               if not str(path.relative_to(ROOT)).startswith(ALLOWED)]
    assert len(sources) > 50  # the walk did find the code
    problems = [problem for path in sources for problem in _problems(path)]
    assert problems == [], "SQL outside bot/store:\n" + "\n".join(problems)


def test_the_walk_catches_what_it_forbids(tmp_path: Path) -> None:
    """The checker itself: each forbidden form is reported, URL parsing is not."""
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy\nfrom sqlalchemy import select\n"
                      "from bot.store.schema import meetings\n"
                      "from sqlalchemy.engine import make_url\n"
                      "def f(store):\n    return store.connection\n", encoding="utf-8")
    problems = _problems(sample, tmp_path)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "import sqlalchemy", "from sqlalchemy import select",
        "from bot.store.schema import schema", ".connection (a Store's SQL connection)"]


def test_a_row_module_write_is_seen_by_the_same_transaction(database: Database) -> None:
    """A replay runs a whole log in one transaction, whose ``Store`` caches the running
    meeting, its agenda and its roles: a write made beside the ``Store`` (a scribe's
    ``s/old/new/`` on a topic, a new list of voters, a renamed meeting) is read back as
    written, not as the cache last saw it."""
    with database.transaction() as store:
        meeting = store.start_meeting(PLACE, "Security WG", "Security WG meeting",
                                      "2026-03-02", NOW, "U1")
        item = store.add_agenda_item(meeting.id, ItemSource.ADHOC, "Triage backlog")
        store.add_role(meeting.id, "voter", "U2", "Ada")
        # Read once, so each is cached in this transaction.
        assert store.running_meeting(PLACE).title == "Security WG meeting"  # type: ignore[union-attr]
        assert [i.title for i in store.agenda(meeting.id)] == ["Triage backlog"]
        assert store.has_role(meeting.id, "voter", "U2")

        retitle_item(store, item.id, "Triage the backlog")
        clear_role(store, meeting.id, "voter")
        store.write(update(meetings).where(meetings.c.id == meeting.id)
                    .values(title="Security WG: triage"))

        assert [i.title for i in store.agenda(meeting.id)] == ["Triage the backlog"]
        found = store.agenda_item_named(meeting.id, "triage the backlog")
        assert found is not None and found.id == item.id
        assert not store.has_role(meeting.id, "voter", "U2")
        running = store.running_meeting(PLACE)
        assert running is not None and running.title == "Security WG: triage"
