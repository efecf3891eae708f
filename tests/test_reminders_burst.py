"""Many reminders due at the same instant: claimed together but still each once, and each
meeting's links, zone table and .ics rendered once yet saying exactly what a fresh render
says (the agenda still read afresh)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config import ChannelBinding, Group, Links, Schedule, Settings
from bot.events import Place
from bot.ports import AgendaEntry
from bot.reminders.loop import ReminderPolicy, ReminderService
from bot.reminders.render import ReminderRenderer
from bot.reminders.text import reminder_post
from bot.schedules.clock import SteppedClock
from bot.schedules.materialise import materialise
from bot.schedules.recurrence import recurring_schedule
from bot.store import Database
from bot.store import reminder_rows as rows
from tests.test_reminders import ListSink, step_through

START = datetime(2026, 1, 8, 13, 59, 58, tzinfo=UTC)  # two seconds before the 1h reminders
FAST = ReminderPolicy(refresh_every=timedelta(seconds=300))


def groups(count: int, zone: str = "UTC") -> list[Group]:
    """``count`` groups meeting at 15:00 in ``zone``, each bound to two channels."""
    return [Group(name=f"WG {n}", reminders=["1h"], links=Links(join=f"https://zoom.us/j/{n}"),
                  channels=[ChannelBinding(platform="slack", channel=f"C{n}"),
                            ChannelBinding(platform="slack", channel=f"D{n}")],
                  schedule=Schedule(rrule="FREQ=WEEKLY;BYDAY=TH", start="2026-01-08T15:00",
                                    timezone=zone))
            for n in range(count)]


def test_claiming_many_at_once_takes_each_free_row_once(database: Database) -> None:
    now = datetime(2026, 1, 8, 14, tzinfo=UTC)
    materialise(database, Settings(groups=groups(5)), datetime(2026, 1, 1, tzinfo=UTC))
    with database.transaction() as store:
        ids = [r.id for r in rows.pending_reminders(store, now, now + timedelta(1))]
        assert len(ids) == 10
        assert rows.claim(store, ids[0], "other", now, timedelta(minutes=5))
        rows.mark_sent(store, ids[0], "other", now, False)
        assert rows.claim(store, ids[1], "other", now, timedelta(minutes=5))
        got = rows.claim_many(store, [*ids, ids[2], ids[2]], "me", now,
                              timedelta(minutes=5))
        again = rows.claim_many(store, ids, "third", now, timedelta(minutes=5))
    assert got == ids[2:]  # not the sent one, not the one "other" holds; a repeat once
    assert again == []


async def test_a_burst_due_together_is_posted_once_each_by_two_loops(database_url: str) -> None:
    settings = Settings(groups=groups(30))
    first, second = Database.open(database_url), Database.open(database_url)
    try:
        sinks = [ListSink(), ListSink()]
        clock = SteppedClock(START)
        services = [ReminderService(db, settings, {"slack": sink}, clock, policy=FAST,
                                    worker=f"w{n}")
                    for n, (db, sink) in enumerate(zip([first, second], sinks, strict=True))]
        await step_through(services, clock, START + timedelta(seconds=2))
    finally:
        first.close()
        second.close()
    posts = sinks[0].posts + sinks[1].posts
    assert sorted(p.place.channel for p in posts) == sorted(
        [f"C{n}" for n in range(30)] + [f"D{n}" for n in range(30)])
    for post in posts:
        n = post.place.channel[1:]
        assert post.text.startswith(f"Coming up in 1 hour: WG {n} Meeting")
        assert f"Join: https://zoom.us/j/{n}\n" in post.text
        assert post.attachment is not None and f"wg-{n}.ics" == post.attachment.filename


class ChangingAgenda:
    """Each call adds an item, as issues labelled between two reminders would."""

    last_problem = ""

    def __init__(self) -> None:
        self.calls = 0

    def agenda_for(self, group: Group) -> list[AgendaEntry]:
        self.calls += 1
        return [AgendaEntry("nodejs/node", n, f"Item {n}", f"https://github.com/i/{n}")
                for n in range(1, self.calls + 1)]

    def lookup(self, repo: str, number: int) -> AgendaEntry | None:
        return None


def unstamped(ics: str) -> list[str]:
    """The file without its DTSTAMP lines (the time it was written)."""
    return [line for line in ics.splitlines() if not line.startswith("DTSTAMP")]


def test_a_meeting_is_rendered_once_for_every_channel_and_offset_and_reads_the_same() -> None:
    group = replace(groups(2, "Europe/Amsterdam")[1], agenda_labels=["agenda"])
    occurrence = recurring_schedule(group).between(START, START + timedelta(days=7))[0]
    renderer = ReminderRenderer()
    agenda = ChangingAgenda()
    places = [Place("slack", "C1"), Place("slack", "D1")]
    for place in places:
        for offset, late in [(timedelta(hours=1), False), (timedelta(0), True)]:
            cached = renderer.post(group, place, occurrence, offset, late, agenda)
            fresh = reminder_post(group, place, occurrence, offset, late, agenda)
            assert (cached.text, cached.buttons, cached.when) == \
                (fresh.text, fresh.buttons, fresh.when)
            assert cached.attachment and fresh.attachment
            assert unstamped(cached.attachment.content) == unstamped(fresh.attachment.content)
    parts = renderer.parts(group, occurrence)
    assert renderer.parts(group, occurrence) is parts  # rendered once, then reused
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam" in parts.attachment.content
    # The agenda is not cached: a day-ahead reminder lists what is labelled now.
    first = renderer.post(group, places[0], occurrence, timedelta(hours=24), False, agenda)
    second = renderer.post(group, places[1], occurrence, timedelta(hours=24), False, agenda)
    assert "Item 1" in first.text and "Item 2" not in first.text
    assert "Item 2" in second.text
    assert renderer.ready_post(group, places[0], occurrence, timedelta(hours=24), False,
                               agenda) is None


def test_a_changed_group_or_a_refresh_renders_afresh() -> None:
    group = groups(1)[0]
    occurrence = recurring_schedule(group).between(START, START + timedelta(days=7))[0]
    renderer = ReminderRenderer()
    place = Place("slack", "C0")
    before = renderer.post(group, place, occurrence, timedelta(hours=1))
    moved = replace(group, links=Links(join="https://meet.example/new"))
    after = renderer.post(moved, place, occurrence, timedelta(hours=1))
    assert "https://zoom.us/j/0" in before.text and "https://meet.example/new" in after.text
    parts = renderer.parts(moved, occurrence)
    renderer.clear()
    assert renderer.ready_post(moved, place, occurrence, timedelta(hours=1)) is None
    assert renderer.parts(moved, occurrence) is not parts
