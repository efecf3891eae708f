"""The stack floor of a replay: the least any replay built on Gavel's stack can cost.

``bench_replay.py`` runs this beside ``gavel replay`` and MeetBot on the same log, as one
more child process, so the three are measured alike. It does the smallest job that still
is a replay on this stack (Python, SQLAlchemy Core, a SQLite file, Jinja2), the pipeline
issue 16 measured as its own floor:

- one table for the lines said and one for the notes, created in a new SQLite file;
- every line read with one pattern, stored, and ``#info``/``#idea``/``#agreed``/
  ``#action``/``#topic`` stored as notes, all in one transaction;
- the notes read back in order and streamed through a Jinja2 template into a Markdown
  file (a list per topic), never held whole.

It keeps no agenda, people, owners, edits, undo, nesting, dialects or layouts, and loads
none of Gavel's code: whatever ``gavel replay`` takes above it is what Gavel itself costs.
What it takes above MeetBot is what the stack costs before any of Gavel's work begins.

    .venv/bin/python bench/replay_floor.py LOG OUT.md
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from jinja2 import Environment
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)

LINE = re.compile(r"^\[(\d\d:\d\d:\d\d)\] <([^>]+)> (.*)$")
NOTE = re.compile(r"^#(info|idea|agreed|action|topic)\s+(.*)$", re.IGNORECASE)

metadata = MetaData()
said = Table("said", metadata, Column("id", Integer, primary_key=True),
             Column("at", String(8), nullable=False), Column("nick", String(200), nullable=False),
             Column("text", Text, nullable=False))
notes = Table("notes", metadata, Column("id", Integer, primary_key=True),
              Column("line_id", Integer, ForeignKey("said.id"), nullable=False),
              Column("kind", String(20), nullable=False), Column("text", Text, nullable=False))

# Built once, run with each line's values: the cheapest way through SQLAlchemy Core.
ADD_LINE = insert(said)
ADD_NOTE = insert(notes)

MINUTES = Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      autoescape=False).from_string("""\
# Minutes

{% for kind, text, nick, at in notes %}
{% if kind == "topic" %}

## {{ text }}

{% else %}
* {{ kind | upper }}: {{ text }} ({{ nick }}, {{ at }})
{% endif %}
{% endfor %}
""")


def replay(log: Path, out: Path, database: Path) -> None:
    engine = create_engine(f"sqlite:///{database}")
    metadata.create_all(engine)
    with engine.begin() as connection, log.open(encoding="utf-8") as lines:
        for line in lines:
            match = LINE.match(line.rstrip("\n"))
            if match is None:
                continue
            at, nick, text = match.groups()
            line_id = connection.execute(ADD_LINE, {"at": at, "nick": nick, "text": text}
                                         ).inserted_primary_key[0]
            if (note := NOTE.match(text)) is not None:
                connection.execute(ADD_NOTE, {"line_id": line_id, "kind": note.group(1).lower(),
                                              "text": note.group(2)})
    with engine.connect() as connection, out.open("w", encoding="utf-8") as minutes:
        rows = connection.execution_options(yield_per=256).execute(
            select(notes.c.kind, notes.c.text, said.c.nick, said.c.at)
            .join(said, notes.c.line_id == said.c.id).order_by(notes.c.id))
        MINUTES.stream(notes=rows).dump(minutes)
    engine.dispose()


def main() -> None:
    log, out = (Path(arg) for arg in sys.argv[1:3])
    with tempfile.TemporaryDirectory(prefix="replay-floor-") as folder:
        replay(log, out, Path(folder) / "replay.db")


if __name__ == "__main__":
    main()
