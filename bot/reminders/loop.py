"""The reminder loop: timers from reminder rows, a row claim before every post.

APScheduler (``AsyncIOScheduler``, memory job store) is only the alarm clock. The rows are
the truth: every refresh re-plans the schedules, stores new rows, and sets a ``DateTrigger``
for each pending reminder not yet timed in this process. When a timer fires, the reminder
is claimed with one conditional UPDATE; only the claimer posts. So any number of processes
(replicas, or a restarted bot) may time the same reminder and it is still posted once.

- Fired within ``on_time`` of its due time: posted. Later but inside the group's grace
  period (the bot was down): posted, marked late. Past the grace, or once the meeting has
  ended: logged, not posted.
- A failed post releases the claim with a ``next_attempt_at`` (exponential backoff); this
  process times the retry, and any other process may take it from then on.
- Stopping lets every post already under way finish: one that went out is marked sent,
  one that failed is released for the next start to retry. (APScheduler's shutdown
  cancels its running jobs, so the work runs in tasks of our own that it cannot cancel.)
- ``run(until)`` and ``settle(until)`` return only once every reminder due by ``until``
  (clock time) has been handled, however slowly the machine ran: a test or a dry run
  waits on the clock, not on real seconds.

Hundreds of reminders can fall due in the same second (groups meet on the hour). So the
claims submitted together go to the database as one transaction (``GroupCommit``; each
row still conditional), as do the "sent" marks, and each meeting's links, zone table and
``.ics`` are rendered once, ahead of time (``ReminderRenderer``), for all its reminders.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.calendars.public_links import PublicLinks, public_links
from bot.config import Group, Settings
from bot.effects import Post
from bot.events import Place
from bot.memory import memory_text
from bot.ports import AgendaSource, EffectSink
from bot.reminders.group_commit import GroupCommit
from bot.reminders.render import ReminderRenderer
from bot.reminders.text import AGENDA_FROM, reminder_post
from bot.schedules.clock import Clock, SystemClock
from bot.schedules.ics_feed import fetch_feed
from bot.schedules.materialise import FeedReader, materialise
from bot.schedules.recurrence import Occurrence, ScheduleError
from bot.store import Database
from bot.store import reminder_rows as rows

log = logging.getLogger("gavel.reminders")


@dataclass(frozen=True)
class ReminderPolicy:
    """Timings of the loop. Durations are on the loop's clock (fake time in tests)."""

    lease: timedelta = timedelta(minutes=5)  # a claim outlives any one post attempt
    on_time: timedelta = timedelta(minutes=2)  # fired later than this: marked late
    retry_base: timedelta = timedelta(seconds=10)
    retry_max: timedelta = timedelta(minutes=10)
    refresh_every: timedelta = timedelta(minutes=5)
    lookahead: timedelta = timedelta(hours=6)  # timers are set this far ahead
    default_grace: timedelta = timedelta(minutes=60)
    delivery_timeout_seconds: float = 60.0  # real seconds


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def grace_of(group: Group | None, policy: ReminderPolicy) -> timedelta:
    if group is None or group.schedule is None:
        return policy.default_grace
    return timedelta(minutes=group.schedule.grace_minutes)


@dataclass
class FireStats:
    """What the loop did, for logs, tests and the benchmark."""

    lateness: list[float] = field(default_factory=list)  # real seconds a timer fired late
    # Real seconds from a reminder's planned instant to handing its post to the adapter:
    # what readers notice (the timer plus the claim and the rendering).
    post_lateness: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


class ReminderService:
    def __init__(self, database: Database, settings: Settings, sinks: Mapping[str, EffectSink],
                 clock: Clock | None = None, agenda_source: AgendaSource | None = None,
                 worker: str | None = None, policy: ReminderPolicy | None = None,
                 read_feed: FeedReader = fetch_feed) -> None:
        self.database = database
        self.settings = settings
        self.sinks = dict(sinks)
        self.clock = clock or SystemClock()
        self.agenda_source = agenda_source
        self.worker = worker or default_worker_id()
        self.policy = policy or ReminderPolicy()
        self.read_feed = read_feed
        self.scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={
            # Our rows decide lateness and grace; APScheduler must run every timer it has.
            "misfire_grace_time": None, "coalesce": True, "max_instances": 1})
        self.due: dict[int, datetime] = {}  # reminder id -> clock instant it is timed for
        self.timed: dict[int, datetime] = {}  # reminder id -> real instant its timer is set for
        self._awaiting_step: set[int] = set()  # timed on a clock that has not reached it
        self._progress = asyncio.Event()  # set whenever a timer's work ends
        self.errors: list[ScheduleError] = []
        self.stats = FireStats()
        self.renderer = ReminderRenderer()
        self._groups = group_index(settings)
        self._public: dict[str, PublicLinks] = {}  # group name -> its feed and short links
        self._in_flight: set[asyncio.Task[None]] = set()
        self._rendering_ahead: asyncio.Task[None] | None = None
        # Reminders falling due together are claimed, and marked sent, in one transaction.
        self._claims: GroupCommit[int, rows.Reminder | None] = GroupCommit(self._claim_many)
        self._sent: GroupCommit[tuple[int, datetime, bool], None] = \
            GroupCommit(self._mark_sent_many)

    # -- the loop ----------------------------------------------------------------------

    async def run(self, until: datetime | None = None) -> None:
        """Refresh, then sleep until the next refresh; forever, or until ``until`` (then
        return once everything due by it is handled). A ``SteppedClock`` does not move by
        itself: give it an ``until`` it already shows, or none (run until cancelled)."""
        self.start()
        try:
            while True:
                try:
                    await self.refresh()
                except Exception:  # a database hiccup must not end the reminders for good
                    log.exception("reminder refresh failed; trying again at the next one")
                now = self.clock.now()
                if until is not None and now >= until:
                    await self.settle(until)
                    return
                wake = now + self.policy.refresh_every
                if until is not None:
                    wake = min(wake, until)
                await asyncio.sleep(max(0.0, self.clock.real_delay(wake)))
        finally:
            await self.stop()

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    async def stop(self) -> None:
        """No new timers; every post under way finishes and is marked sent (or released
        for a retry) before this returns, so a restart neither repeats nor loses it."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels only its wrappers (``_on_timer``)
        if self._rendering_ahead is not None:
            self._rendering_ahead.cancel()
            await asyncio.gather(self._rendering_ahead, return_exceptions=True)
        while self._in_flight:  # ``wait``, not ``gather``: being cancelled must not cancel them
            await asyncio.wait(list(self._in_flight))

    async def settle(self, until: datetime) -> None:
        """Return once every reminder timed for ``until`` or earlier (clock time) has been
        handled: posted, given up, taken by another process, or re-timed past ``until``.
        Reminders a ``SteppedClock`` has just reached are timed now."""
        self.start()
        while True:
            for reminder_id in [r for r in self._awaiting_step if self.due[r] <= until]:
                self._set_timer(reminder_id, datetime.now(UTC))
            if not self._in_flight and all(at > until for at in self.due.values()):
                return
            self._progress.clear()
            await self._progress.wait()

    async def refresh(self) -> int:
        """Store what the schedules say, and time every pending reminder due soon."""
        now = self.clock.now()
        report = await asyncio.to_thread(materialise, self.database, self.settings, now,
                                         read_feed=self.read_feed)
        self.errors = report.errors
        self._public = await asyncio.to_thread(all_public_links, self.database, self.settings)
        self.renderer.clear()  # a changed schedule or a new day: render afresh
        self._groups = group_index(self.settings)
        # Look past the next refresh, or a reminder due just after it would wait for it.
        ahead = max(self.policy.lookahead, 2 * self.policy.refresh_every)
        return await self.time_pending(now, now + ahead)

    async def time_pending(self, now: datetime, until: datetime) -> int:
        """Set timers for pending reminders due before ``until`` (overdue ones fire now)."""
        def load() -> list[rows.Reminder]:
            with self.database.transaction() as store:
                return rows.pending_reminders(store, now - timedelta(days=400),
                                              until, platforms=list(self.sinks))

        loaded = await asyncio.to_thread(load)
        self.render_ahead(loaded, now + self.policy.refresh_every + self.policy.on_time)
        added = 0
        # Each add_job wakes a running scheduler to re-scan its jobs: with thousands of
        # new timers that re-scan dominates, so add them paused and wake it once.
        self.scheduler.pause()
        try:
            for pending in loaded:
                if pending.id in self.due:
                    continue
                at = max(pending.due_at, pending.next_attempt_at or pending.due_at)
                self.time(pending.id, at)
                added += 1
        finally:
            self.scheduler.resume()
        return added

    def render_ahead(self, pending: list[rows.Reminder], until: datetime) -> None:
        """Render, in the background and soonest first, each meeting with a reminder due
        before ``until`` (about the next refresh), so that when reminders fall due
        together their posts are ready rather than rendered while the others wait."""
        if self._rendering_ahead is not None:
            self._rendering_ahead.cancel()
        meetings = list(dict.fromkeys(
            (p.meeting.group_name, p.meeting.occurrence)
            for p in sorted(pending, key=lambda p: p.due_at) if p.due_at < until))
        # Stay inside the cache, or the last rendered would push out the first needed.
        meetings = meetings[:self.renderer.size // 2]
        if meetings:
            self._rendering_ahead = asyncio.create_task(self._render_meetings(meetings))

    async def _render_meetings(self, meetings: list[tuple[str, Occurrence]],
                               chunk: int = 50) -> None:
        # Small chunks: between them the event loop gets the interpreter back to fire
        # timers that are due meanwhile.
        for start in range(0, len(meetings), chunk):
            await asyncio.to_thread(self._render_chunk, meetings[start:start + chunk])

    def _render_chunk(self, meetings: list[tuple[str, Occurrence]]) -> None:
        for group_name, occurrence in meetings:
            group = self._groups.get(group_name.casefold())
            if group is None:
                continue
            try:
                self.renderer.parts(group, occurrence, self._public.get(group.name))
            except Exception:  # the reminder renders again when due, and reports then
                log.exception("group %r: rendering the reminder ahead failed", group_name)

    def time(self, reminder_id: int, at: datetime) -> None:
        self.due[reminder_id] = at
        delay = self.clock.real_delay(at)
        if math.isinf(delay):  # a stepped clock: ``settle`` times it once a step reaches it
            self._awaiting_step.add(reminder_id)
            self.timed.pop(reminder_id, None)
            self._drop_timer(reminder_id)
            return
        self._set_timer(reminder_id, datetime.now(UTC) + timedelta(seconds=max(0.0, delay)))

    def _set_timer(self, reminder_id: int, real: datetime) -> None:
        self._awaiting_step.discard(reminder_id)
        self.timed[reminder_id] = real
        self.scheduler.add_job(self._on_timer, DateTrigger(run_date=real), args=[reminder_id],
                               id=f"reminder-{reminder_id}", replace_existing=True)

    def _drop_timer(self, reminder_id: int) -> None:
        if self.scheduler.get_job(f"reminder-{reminder_id}") is not None:
            self.scheduler.remove_job(f"reminder-{reminder_id}")

    def _untime(self, reminder_id: int) -> None:
        """The reminder is done with here (sent, missed, given up, or someone else's)."""
        self.due.pop(reminder_id, None)
        self.timed.pop(reminder_id, None)
        self._awaiting_step.discard(reminder_id)

    async def _on_timer(self, reminder_id: int) -> None:
        """APScheduler's job. The work runs in a task of our own, shielded: the scheduler's
        shutdown cancels the jobs it runs, and a post already under way must still be
        marked sent (or released) afterwards; ``stop`` waits for these tasks."""
        work = asyncio.create_task(self._fire_and_count(reminder_id))
        self._in_flight.add(work)
        work.add_done_callback(self._work_done)
        await asyncio.shield(work)

    def _work_done(self, work: asyncio.Task[None]) -> None:
        self._in_flight.discard(work)
        self._progress.set()

    async def _fire_and_count(self, reminder_id: int) -> None:
        planned = self.timed.get(reminder_id)
        if planned is not None:
            self.stats.lateness.append((datetime.now(UTC) - planned).total_seconds())
        try:
            self.stats.count(await self.fire(reminder_id))
        except Exception:
            log.exception("reminder %s: unexpected failure", reminder_id)
            self._untime(reminder_id)

    # -- one reminder --------------------------------------------------------------------

    async def fire(self, reminder_id: int) -> str:
        """Claim, then post, mark late, give up or schedule a retry. Returns the outcome."""
        claimed = await self._claims.submit(reminder_id)
        now = self.clock.now()
        if claimed is None:
            self._untime(reminder_id)  # someone else has it, or it is done
            return "taken"
        group = self._groups.get(claimed.meeting.group_name.casefold())
        grace = grace_of(group, self.policy)
        overdue = now - claimed.due_at
        if group is None or now > claimed.due_at + grace or now >= claimed.meeting.ends_at:
            reason = ("its group is no longer configured" if group is None else
                      f"due {claimed.due_at:%Y-%m-%d %H:%M} UTC, {_minutes(overdue)} ago: past "
                      f"the {_minutes(grace)} grace period (the bot was away)")
            await asyncio.to_thread(self._settle, rows.mark_missed, reminder_id, now, reason)
            log.warning("group %r: reminder for the meeting of %s not posted: %s",
                        claimed.meeting.group_name, f"{claimed.meeting.starts_at:%Y-%m-%d %H:%M}",
                        reason)
            self._untime(reminder_id)
            return "missed"
        late = overdue > self.policy.on_time
        try:
            post = await self._render(group, claimed, late)
            self._note_post_lateness(reminder_id)
            await asyncio.wait_for(self._deliver(claimed.platform, post),
                                   self.policy.delivery_timeout_seconds)
        except Exception as exc:
            return await self._failed(claimed, now, grace, exc)
        await self._sent.submit((reminder_id, self.clock.now(), late))
        self._untime(reminder_id)
        log.info("group %r: reminder %s posted%s", group.name, reminder_id,
                 " late" if late else "")
        return "late" if late else "sent"

    async def _render(self, group: Group, claimed: rows.Reminder, late: bool) -> Post:
        """In the loop when the meeting's parts are ready and no agenda is to be read (most
        reminders); otherwise in a thread, as writing an .ics or asking GitHub blocks."""
        place = Place(claimed.platform, claimed.channel, claimed.workspace)
        memory: tuple[str, ...] = ()
        if claimed.offset >= AGENDA_FROM:  # the long-range reminder carries the agenda
            memory = await asyncio.to_thread(self._memory, group)
        args = (group, place, claimed.meeting.occurrence, claimed.offset, late,
                self.agenda_source, self._public.get(group.name), memory)
        ready = self.renderer.ready_post(*args)
        post = ready if ready is not None else await asyncio.to_thread(self.renderer.post, *args)
        if group.uses_hackmd:  # the meeting's live note, once it exists
            from bot.hackmd.notes_ahead import note_link_in

            post = await asyncio.to_thread(note_link_in, self.database, group,
                                           claimed.meeting.occurrence.start, post)
        return post

    def _memory(self, group: Group) -> tuple[str, ...]:
        with self.database.transaction() as store:
            return tuple(memory_text(store, group.name))

    def _note_post_lateness(self, reminder_id: int) -> None:
        planned = self.timed.get(reminder_id)
        if planned is not None:
            self.stats.post_lateness.append((datetime.now(UTC) - planned).total_seconds())

    async def _deliver(self, platform: str, post: Post) -> None:
        sink = self.sinks.get(platform)
        if sink is None:
            raise RuntimeError(f"no {platform} adapter is running")
        await sink.deliver([post])

    async def _failed(self, claimed: rows.Reminder, now: datetime, grace: timedelta,
                      exc: Exception) -> str:
        error = f"{type(exc).__name__}: {exc}"[:500]
        delay = min(self.policy.retry_base * 2 ** max(0, claimed.attempts - 1),
                    self.policy.retry_max)
        retry_at = now + delay
        group = claimed.meeting.group_name
        if retry_at > claimed.due_at + grace or retry_at >= claimed.meeting.ends_at:
            reason = f"gave up after {claimed.attempts} attempts: {error}"
            await asyncio.to_thread(self._settle, rows.mark_missed, claimed.id, now, reason)
            log.error("group %r: reminder %s not posted: %s", group, claimed.id, reason)
            self._untime(claimed.id)
            return "failed"
        await asyncio.to_thread(self._settle, rows.release, claimed.id, retry_at, error)
        log.warning("group %r: posting reminder %s failed (attempt %d: %s); retrying in %s",
                    group, claimed.id, claimed.attempts, error, _minutes(delay))
        self.time(claimed.id, retry_at)
        return "retry"

    # -- database steps (run in a worker thread) ----------------------------------------

    def _claim_many(self, reminder_ids: list[int]) -> list[rows.Reminder | None]:
        """One transaction claims every reminder of the batch it can (``rows.claim_many``,
        still conditional row by row); the others, and repeats of an id, get None."""
        now = self.clock.now()
        with self.database.transaction() as store:
            got = rows.claim_many(store, reminder_ids, self.worker, now,
                                  self.policy.lease)
            found = rows.reminders_by_id(store, got)
        results: list[rows.Reminder | None] = []
        for reminder_id in reminder_ids:
            results.append(found.pop(reminder_id, None))  # a repeated id is not posted twice
        return results

    def _mark_sent_many(self, sent: list[tuple[int, datetime, bool]]) -> list[None]:
        with self.database.transaction() as store:
            rows.mark_sent_many(store, self.worker, sent)
        return [None] * len(sent)

    def _settle(self, step: object, reminder_id: int, now: datetime, *extra: object) -> None:
        with self.database.transaction() as store:
            step(store, reminder_id, self.worker, now, *extra)  # type: ignore[operator]


def all_public_links(database: Database, settings: Settings) -> dict[str, PublicLinks]:
    """Each scheduled group's feed and short-link addresses (its tokens are made the first
    time), or nothing when no ``web.public_url`` is configured."""
    if not settings.web.public_url:
        return {}
    found: dict[str, PublicLinks] = {}
    with database.transaction() as store:
        for group in settings.groups:
            links = public_links(store, settings, group) if group.schedule else None
            if links is not None:
                found[group.name] = links
    return found


def group_index(settings: Settings) -> dict[str, Group]:
    """Groups by case-folded name, first one winning as in ``Settings.group_named``: a
    reminder looks its group up in a dict rather than scanning thousands of groups."""
    index: dict[str, Group] = {}
    for group in settings.groups:
        index.setdefault(group.name.casefold(), group)
    return index


def _minutes(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 10:
        return f"{delta.total_seconds():.1f} s"
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


def preview_reminders(database: Database, settings: Settings, now: datetime,
                      group_name: str | None = None, count: int = 5,
                      agenda_source: AgendaSource | None = None,
                      read_feed: FeedReader = fetch_feed) -> tuple[list[tuple[rows.Reminder, Post]],
                                                                   list[ScheduleError]]:
    """The next ``count`` reminders with the posts they will make (stores the plan first)."""
    groups = settings.groups if group_name is None else \
        [g for g in settings.groups if g.name == group_name]
    report = materialise(database, settings, now, groups=groups, read_feed=read_feed)
    with database.transaction() as store:
        pending = rows.pending_reminders(store, now, now + timedelta(days=400),
                                         group_name=group_name)[:count]
    public = all_public_links(database, settings)
    previews = []
    for item in pending:
        group = settings.group_named(item.meeting.group_name)
        if group is None:
            continue
        place = Place(item.platform, item.channel, item.workspace)
        memory: tuple[str, ...] = ()
        if item.offset >= AGENDA_FROM:
            with database.transaction() as store:
                memory = tuple(memory_text(store, group.name))
        previews.append((item, reminder_post(group, place, item.meeting.occurrence, item.offset,
                                             agenda_source=agenda_source,
                                             public=public.get(group.name), memory=memory)))
    return previews, report.errors
