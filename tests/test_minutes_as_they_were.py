"""Minutes of a meeting show the people as they were at that meeting: rendering an old
meeting again (``gavel minutes N``) after someone changed their name, handle or
affiliation gives the same minutes as on the day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bot.store import Database
from bot.store.database import create_database_engine, upgrade
from tests.test_cli import gavel

FIRST = ("#startmeeting Budget review\n"
         "ann: #here Ann Lee @annlee from Acme\n"
         "bob: #here\n"
         "#action ann to send the numbers\n"
         "#endmeeting\n")
SECOND = ("#startmeeting Budget review\n"
          "ann: #here Ann Smith @annsmith from Globex\n"
          "bob: #here Bob Jones @bobj from Initech\n"
          "#endmeeting\n")


def test_old_minutes_keep_the_names_people_had_then(tmp_path: Path, database_url: str) -> None:
    db = ("--database", database_url)
    assert gavel(tmp_path, *db, "run", "--user", "rafael", stdin=FIRST).returncode == 0
    on_the_day = gavel(tmp_path, *db, "minutes", "1")
    assert "* Ann Lee from Acme @annlee\n* bob\n" in on_the_day.stdout
    assert "Action (Ann Lee): ann to send the numbers" in on_the_day.stdout

    second = gavel(tmp_path, *db, "run", "--user", "rafael", stdin=SECOND)
    assert "Ann Smith from Globex @annsmith" in second.stdout

    again = gavel(tmp_path, *db, "minutes", "1")
    assert again.returncode == 0, again.stderr
    assert again.stdout == on_the_day.stdout
    meetbot = gavel(tmp_path, *db, "minutes", "1", "--template", "meetbot")
    assert "* Ann Lee from Acme @annlee" in meetbot.stdout
    assert "Globex" not in meetbot.stdout and "Bob Jones" not in meetbot.stdout


def test_upgrading_fills_the_shown_names_of_earlier_meetings(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        upgrade(engine, "0005")  # a database from before attendance kept its own names
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO meetings (id, group_name, title, platform, channel, status, "
                "meeting_date) VALUES (1, 'WG', 'WG Meeting', 'console', 'wg', 'ended', "
                "'2023-01-19')"))
            connection.execute(text(
                "INSERT INTO people (id, platform, user_id, name, github, affiliation) "
                "VALUES (7, 'console', 'ann', 'Ann Lee', 'annlee', 'Acme')"))
            connection.execute(text(
                "INSERT INTO attendance (meeting_id, person_id, status, how, at) "
                "VALUES (1, 7, 'present', 'command', :at)"),
                {"at": datetime(2023, 1, 19, 15, 0, tzinfo=UTC)})
    finally:
        engine.dispose()
    database = Database.open(database_url)
    try:
        with database.transaction() as store:
            store.save_person("console", "ann", "Ann Smith", "annsmith", "Globex")  # later
            [row] = store.attendance(1)
            assert (row.person.name, row.person.github, row.person.affiliation) == \
                ("Ann Lee", "annlee", "Acme")
    finally:
        database.close()
