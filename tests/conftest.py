"""Shared fixtures: a real database (a SQLite file, and a schema on the machine's
PostgreSQL), and a ``Chat`` that drives the core as people in a channel would."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.commands.handler import MeetingBot
from bot.config import Group, Settings
from bot.effects import Acknowledge, Effect, Post, PrivateReply
from bot.events import Author, Event, EventKind, Place
from bot.store import Database

# Shared fixtures that live beside their helpers (the Discord modules' ``fake``).
pytest_plugins = ["tests.discord_harness"]

POSTGRES_URL = os.environ.get("GAVEL_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Published minutes the acceptance tests compare against: ../shared/corpus beside the
# repository, or wherever $GAVEL_CORPUS says (a worktree sits elsewhere).
CORPUS = Path(os.environ.get("GAVEL_CORPUS")
              or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def require_corpus(path: Path) -> None:
    """Skip, saying why, when the corpus is absent; fail instead under CI (``$CI`` set),
    where it is always present: a silent skip there would hide a broken acceptance test."""
    if path.exists():
        return
    reason = (f"needs the corpus file {path} (put ../shared/corpus beside the repository "
              "or set GAVEL_CORPUS)")
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the acceptance tests must run", pytrace=False)
    pytest.skip(reason)


def postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the machine's PostgreSQL, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # make the cause plain: PostgreSQL must run for the suite
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is needed by the test suite "
                    f"(scripts/test starts it): {exc}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gavel.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.open(database_url)
    yield db
    db.close()


SECURITY_WG = Group(
    name="Security WG",
    title="Node.js Security team Meeting",
    github_org="nodejs",
    agenda_label="security-wg-agenda",
    minutes_repo="nodejs/security-wg",
    standing_items=["Vulnerability Review - https://github.com/nodejs/nodejs-dependency-vuln-assessments/issues"],
    invitees="Security wg team: @nodejs/security-wg",
    chairs=["RafaelGSS"],
)


class Chat:
    """People talking in one channel; every line goes through the real handler."""

    def __init__(self, bot: MeetingBot, place: Place | None = None,
                 start: datetime | None = None) -> None:
        self.bot = bot
        self.place = place or Place("console", "wg")
        self.clock = start or datetime(2023, 1, 19, 15, 0, tzinfo=UTC)
        self.counter = 0

    def _event(self, kind: EventKind, who: str, text: str, **extra: object) -> Event:
        self.clock += timedelta(seconds=15)
        return Event(kind, self.place, Author(who, who), self.clock, text, **extra)  # type: ignore[arg-type]

    def say(self, who: str, text: str, **extra: object) -> list[Effect]:
        self.counter += 1
        extra.setdefault("message_id", f"m{self.counter}")
        return self.bot.handle(self._event(EventKind.MESSAGE, who, text, **extra))

    def slash(self, who: str, text: str) -> list[Effect]:
        return self.bot.handle(self._event(EventKind.COMMAND, who, text))

    def edit(self, who: str, message_id: str, text: str) -> list[Effect]:
        return self.bot.handle(self._event(EventKind.EDIT, who, text, message_id=message_id))

    def delete(self, who: str, message_id: str) -> list[Effect]:
        return self.bot.handle(self._event(EventKind.DELETE, who, "", message_id=message_id))

    def press(self, who: str, action: str) -> list[Effect]:
        return self.bot.handle(self._event(EventKind.BUTTON, who, "", action=action))

    def minutes(self, effects: list[Effect]) -> str:
        for effect in effects:
            if isinstance(effect, Post) and effect.attachment is not None:
                return effect.attachment.content
        raise AssertionError(f"no minutes among {effects}")


def posts(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Post)]


def private(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, PrivateReply)]


def acked(effects: list[Effect]) -> bool:
    return any(isinstance(e, Acknowledge) for e in effects)


@pytest.fixture
def settings() -> Settings:
    return Settings(groups=[SECURITY_WG])


@pytest.fixture
def chat(database: Database, settings: Settings) -> Chat:
    return Chat(MeetingBot(database, settings))
