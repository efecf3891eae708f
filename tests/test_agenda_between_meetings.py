"""``#agenda add`` between meetings is kept for the next meeting: ``/meeting agenda``, the
reminder and the meeting issue show it beside GitHub's labelled items (with the group's
open actions), and the next ``#startmeeting`` puts it on the agenda."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.commands.handler import MeetingBot
from bot.config import ChannelBinding, Settings
from bot.effects import Effect, Post
from bot.github.agenda import GitHubAgenda, fetch_agenda
from bot.github.meeting_issue import ensure_issue
from bot.reminders.loop import ReminderPolicy, ReminderService
from bot.schedules.clock import SteppedClock
from bot.store import Database
from tests.conftest import Chat, acked, posts, private
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, LABEL, Sleeps, client, fake  # noqa: F401

MEETING = datetime(2026, 1, 8, 15, 0, tzinfo=UTC)  # the group's first Thursday meeting
DUE = MEETING - timedelta(hours=24)
WG = replace(GROUP, reminders=["24h"], chairs=["chair"],
             channels=[ChannelBinding(platform="console", channel="wg")])


class ListSink:
    platform = "console"

    def __init__(self) -> None:
        self.posts: list[Post] = []

    async def deliver(self, effects: list[Effect]) -> None:
        self.posts.extend(e for e in effects if isinstance(e, Post))


async def test_items_added_between_meetings_reach_the_next_meeting(
        fake: FakeGitHub, database: Database) -> None:  # noqa: F811
    fake.add_issue("nodejs/node", 101, "Fix the parser", labels=[LABEL])
    fake.add_issue("nodejs/node", 150, "Bump undici")  # not labelled: added in chat
    github = client(fake, Sleeps())
    source = GitHubAgenda(github)
    settings = Settings(groups=[WG])
    chat = Chat(MeetingBot(database, settings, agenda_source=source),
                start=datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    chat.say("chair", "#startmeeting")
    chat.say("alice", "hello")
    chat.say("chair", "#action alice to draft the advisory")
    chat.say("chair", "#endmeeting")

    assert acked(chat.say("alice", "#agenda add nodejs/node#150"))
    assert private(chat.slash("bob", "add Review the threat model @everyone")) == [
        "Kept for the next meeting's agenda: Review the threat model @everyone"]
    assert private(chat.say("carol", "#agenda add nodejs/node#150")) == [
        "Already on the next meeting's agenda: Bump undici (nodejs/node#150) "
        "https://github.com/nodejs/node/issues/150"]
    [upcoming] = private(chat.slash("carol", "agenda"))
    assert "  • Fix the parser (issue nodejs/node#101)" in upcoming
    assert "Added in chat:\n  • Bump undici (nodejs/node#150)" in upcoming
    assert "  • Review the threat model @everyone" in upcoming

    # The meeting issue, opened two days ahead, lists them beside the labelled items.
    outcome = ensure_issue(github, WG, MEETING, fetch_agenda(github, WG), database)
    body = fake.issues("nodejs/security-wg")[-1]["body"]
    assert outcome.action == "created"
    assert "* Fix the parser [#101]" in body
    assert "### Added in chat\n\n* Bump undici [nodejs/node#150](" in body
    assert "* Review the threat model `@everyone`" in body  # shown, never a ping
    assert "### Open actions\n\n* alice: A-1 alice to draft the advisory" in body

    # The reminder a day ahead carries them too.
    sink = ListSink()
    clock = SteppedClock(DUE - timedelta(seconds=2))
    service = ReminderService(database, settings, {"console": sink}, clock, agenda_source=source,
                              policy=ReminderPolicy(refresh_every=timedelta(seconds=300)))
    service.start()
    try:
        await service.refresh()
        clock.set(DUE + timedelta(seconds=1))
        await service.settle(DUE + timedelta(seconds=1))
    finally:
        await service.stop()
    [reminder] = [p.text for p in sink.posts]
    assert "- Fix the parser (nodejs/node#101)" in reminder
    assert ("Added in chat for this meeting:\n- Bump undici (nodejs/node#150) "
            "https://github.com/nodejs/node/issues/150\n- Review the threat model @everyone"
            in reminder)
    assert "Open actions:\n- alice: A-1 alice to draft the advisory" in reminder

    # The meeting starts with them on its agenda, once, and the open action listed.
    chat.clock = MEETING
    [started] = posts(chat.say("chair", "#startmeeting"))
    assert "2. Fix the parser (nodejs/node#101)\n3. Bump undici (nodejs/node#150)\n" \
        "4. Review the threat model @everyone\n" in started
    assert "- alice: A-1 alice to draft the advisory" in started
    chat.say("chair", "#endmeeting")
    [after] = private(chat.slash("carol", "agenda"))
    assert "Added in chat" not in after
