"""When groups meet: RRULEs on wall-clock time, daylight-saving nights, skips, moves, and
the errors a broken schedule gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.config import Group, Schedule
from bot.schedules.plan import plan_group
from bot.schedules.recurrence import ScheduleError, recurring_schedule


def group(rrule: str, start: str, zone: str, **schedule: object) -> Group:
    reminders = schedule.pop("reminders", ["24h", "1h", "0m"])
    return Group(name="Test WG", reminders=reminders,  # type: ignore[arg-type]
                 schedule=Schedule(rrule=rrule, start=start, timezone=zone, **schedule))  # type: ignore[arg-type]


def starts(g: Group, begin: str, end: str) -> list[datetime]:
    return [o.start for o in recurring_schedule(g).between(
        datetime.fromisoformat(begin).replace(tzinfo=UTC),
        datetime.fromisoformat(end).replace(tzinfo=UTC))]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_every_other_thursday_keeps_14_00_new_york_across_daylight_saving() -> None:
    g = group("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08T14:00", "America/New_York")
    found = starts(g, "2026-02-01", "2026-04-01")
    local = [s.astimezone(ZoneInfo("America/New_York")) for s in found]
    assert [t.strftime("%Y-%m-%d %H:%M") for t in local] == [
        "2026-02-05 14:00", "2026-02-19 14:00", "2026-03-05 14:00", "2026-03-19 14:00"]
    # 19:00 UTC in winter, 18:00 UTC once New York is on daylight time (8 March 2026).
    assert [s.hour for s in found] == [19, 19, 19, 18]


def test_spring_forward_night_new_york_a_missing_0230_is_held_at_0330() -> None:
    g = group("FREQ=WEEKLY;BYDAY=SU", "2026-03-01T02:30", "America/New_York")
    assert starts(g, "2026-03-01", "2026-03-16") == [
        utc("2026-03-01T07:30"),  # 02:30 EST
        utc("2026-03-08T07:30"),  # 02:30 does not exist: 03:30 EDT, as RFC 5545 reads it
        utc("2026-03-15T06:30"),  # 02:30 EDT
    ]


def test_fall_back_night_new_york_a_twice_happening_0130_is_the_first_one() -> None:
    g = group("FREQ=WEEKLY;BYDAY=SU", "2026-10-25T01:30", "America/New_York")
    assert starts(g, "2026-10-25", "2026-11-09") == [
        utc("2026-10-25T05:30"),  # 01:30 EDT
        utc("2026-11-01T05:30"),  # 01:30 EDT, not the second 01:30 (EST) an hour later
        utc("2026-11-08T06:30"),  # 01:30 EST
    ]


def test_spring_forward_night_amsterdam() -> None:
    g = group("FREQ=WEEKLY;BYDAY=SU", "2026-03-22T02:30", "Europe/Amsterdam")
    assert starts(g, "2026-03-22", "2026-04-06") == [
        utc("2026-03-22T01:30"),  # 02:30 CET
        utc("2026-03-29T01:30"),  # 02:30 missing: 03:30 CEST
        utc("2026-04-05T00:30"),  # 02:30 CEST
    ]


def test_fall_back_night_amsterdam() -> None:
    g = group("FREQ=WEEKLY;BYDAY=SU", "2026-10-18T02:30", "Europe/Amsterdam")
    assert starts(g, "2026-10-18", "2026-11-02") == [
        utc("2026-10-18T00:30"),  # 02:30 CEST
        utc("2026-10-25T00:30"),  # the first 02:30 (CEST)
        utc("2026-11-01T01:30"),  # 02:30 CET
    ]


def test_every_other_week_through_a_53_iso_week_year_has_no_7_day_gap() -> None:
    assert datetime(2026, 12, 31).isocalendar().week == 53
    g = group("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08T14:00", "America/New_York")
    found = starts(g, "2026-01-01", "2027-12-31")
    gaps = {(b.astimezone(ZoneInfo("America/New_York")).date()
             - a.astimezone(ZoneInfo("America/New_York")).date()).days
            for a, b in pairwise(found)}
    assert gaps == {14}
    assert len(found) == 52
    days = {f.date().isoformat() for f in found}
    # An ISO-week rule (cron's week='*/2') would meet on 31 Dec (week 53) and again on
    # 7 Jan (week 1): the RRULE keeps 24 Dec -> 7 Jan.
    assert {"2026-12-24", "2027-01-07"} <= days
    assert "2026-12-31" not in days


def test_first_thursday_of_each_month_at_16_00_utc() -> None:
    g = group("FREQ=MONTHLY;BYDAY=1TH", "2026-01-01T16:00", "UTC")
    found = starts(g, "2026-01-01", "2027-01-01")
    assert [f.strftime("%m-%d %H:%M") for f in found] == [
        "01-01 16:00", "02-05 16:00", "03-05 16:00", "04-02 16:00", "05-07 16:00",
        "06-04 16:00", "07-02 16:00", "08-06 16:00", "09-03 16:00", "10-01 16:00",
        "11-05 16:00", "12-03 16:00"]


def test_skipped_date_and_moved_meeting() -> None:
    g = group("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08T14:00", "America/New_York",
              skip=["2026-12-24"], moves={"2026-12-10": "2026-12-11T09:30"})
    found = starts(g, "2026-11-20", "2027-01-10")
    local = [f.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
             for f in found]
    assert local == ["2026-11-26 14:00", "2026-12-11 09:30", "2027-01-07 14:00"]


@pytest.mark.parametrize(("schedule", "key", "words"), [
    ({"rrule": "FREQ=FORTNIGHTLY", "start": "2026-01-08T14:00"}, "schedule.rrule",
     "not a valid RRULE"),
    ({"rrule": "FREQ=WEEKLY", "start": "2026-01-08T14:00", "timezone": "America/Nowhere"},
     "schedule.timezone", "unknown time zone 'America/Nowhere'"),
    ({"rrule": "FREQ=WEEKLY", "start": "next thursday"}, "schedule.start",
     "not a local date and time"),
    ({"rrule": "FREQ=WEEKLY"}, "schedule.start", "needed with schedule.rrule"),
    ({"rrule": "FREQ=WEEKLY;BYDAY=TH", "start": "2026-01-08T14:00",
      "moves": {"2026-01-09": "2026-01-10T10:00"}}, "schedule.moves.2026-01-09",
     "no meeting on 2026-01-09"),
    ({"rrule": "FREQ=WEEKLY", "start": "2026-01-08T14:00", "skip": ["24/12"]},
     "schedule.skip[0]", "not a date"),
])
def test_a_broken_schedule_names_the_group_and_the_key(schedule: dict[str, object], key: str,
                                                       words: str) -> None:
    g = Group(name="Broken WG", schedule=Schedule(**schedule))  # type: ignore[arg-type]
    with pytest.raises(ScheduleError) as caught:
        plan_group(g, utc("2026-01-01T00:00"))
    assert caught.value.key == key
    assert str(caught.value).startswith(f"group 'Broken WG': {key}: ")
    assert words in str(caught.value)


def test_an_offset_longer_than_the_gap_between_meetings_is_refused() -> None:
    g = group("FREQ=WEEKLY;BYDAY=TH", "2026-01-08T14:00", "UTC", reminders=["8d", "1h"])
    with pytest.raises(ScheduleError) as caught:
        plan_group(g, utc("2026-01-01T00:00"))
    assert caught.value.key == "reminders[0]"
    assert "longer than the 7 days between meetings" in str(caught.value)


def test_an_unreadable_offset_is_refused() -> None:
    g = group("FREQ=WEEKLY;BYDAY=TH", "2026-01-08T14:00", "UTC", reminders=["1h", "soon"])
    with pytest.raises(ScheduleError, match=r"reminders\[1\]: 'soon' is not an offset"):
        plan_group(g, utc("2026-01-01T00:00"))


def test_plan_keeps_the_horizon_and_parses_offsets() -> None:
    g = group("FREQ=WEEKLY;BYDAY=TH", "2026-01-08T14:00", "UTC", horizon_days=21,
              reminders=["1d12h", "90m", "0"])
    plan = plan_group(g, utc("2026-01-01T00:00"))
    assert [o.start.day for o in plan.occurrences] == [8, 15]
    assert plan.offsets == [timedelta(hours=36), timedelta(minutes=90), timedelta(0)]
