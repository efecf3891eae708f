"""The live meeting page's event stream: ``GET <meeting page>/events`` (server-sent
events) under both of the archive's prefixes, ``/archive/<token>/`` and, for public
groups, ``/groups/<slug>/``.

Without HackMD, the archive's page of a running meeting is the meeting's live document
(issue 15). Its script opens this stream; each event carries the page's ``#record`` part
rendered again (the minutes so far and the transcript), and the script swaps it in.

* Who may read: exactly as the page itself: the archive's own token check (constant
  time, cached token table), the same 404 and body for an unknown token, a private
  group's ``/groups/`` path, another group's meeting or an unknown one.
* Finding changes: the chat may be heard by another process (``gavel console``, another
  replica on PostgreSQL), so nothing tells this server of a new line; it reads the
  meeting's change marker (``bot.store.live_marker``, one indexed statement) every
  ``[web] live_poll_seconds``, once per meeting however many follow it, and renders the
  record once per change for all of them.
* The marker is read before the record: a record read while the chat wrote (each
  statement sees what is committed when it runs) may hold a line its minutes do not yet
  show, but that write moved the marker, so the next look sends the whole of it.
* The event id is the marker: a browser that reconnects with ``Last-Event-ID`` gets
  nothing until the record differs from what it has.
* A comment every ``HEARTBEAT_SECONDS`` keeps proxies from closing an idle stream and
  finds readers who have gone.
* At most ``[web] live_streams_per_group`` streams per group on this server: past that,
  503 and one line (the page then reloads every 30 s, as with JavaScript off).
* The meeting's end is the last event (``end``, the final record), then the stream
  closes; a request for an ended meeting's stream is answered 204, which tells the
  browser's EventSource to stop reconnecting.
* On shutdown every stream is closed at once, so that stopping the server does not wait
  for readers to leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from dataclasses import dataclass

from aiohttp import web

from adapters.web_archive import HEADERS, NO_ARCHIVE, ArchiveRoutes
from bot.archive.pages import meeting_record
from bot.config import Group
from bot.domain import Status
from bot.store.live_marker import LiveState, live_state

log = logging.getLogger("gavel.web.live")

HEARTBEAT_SECONDS = 15.0
TOO_MANY = "too many people follow this group's meetings live on this server; reload later\n"
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Update:
    kind: str  # "record", "end" (the last record, then the stream closes), "close"
    marker: str
    html: str

    def frame(self) -> bytes:
        """The update as one server-sent event; every line of the HTML a ``data:`` line
        (a line break inside a chat line, even a lone CR, must not end the field)."""
        data = "".join(f"data: {line}\n" for line in _LINE_BREAKS.split(self.html))
        return f"event: {self.kind}\nid: {self.marker}\n{data}\n".encode()


class Listener:
    """One open stream: the newest update it has not sent yet (a record replaces an older
    one it never sent: each is the whole record)."""

    def __init__(self, sent: str) -> None:
        self.sent = sent  # the marker the browser has: Last-Event-ID, then each sent
        self.pending: Update | None = None
        self.ready = asyncio.Event()

    def offer(self, update: Update) -> None:
        if self.pending is not None and self.pending.kind != "record":
            return  # "end" and "close" are final
        self.pending = update
        self.ready.set()

    def take(self) -> Update | None:
        update, self.pending = self.pending, None
        self.ready.clear()
        return update


class MeetingFeed:
    """One running meeting followed by one or more streams: a single poll loop for all."""

    def __init__(self, feeds: LiveFeeds, group: Group, meeting_id: int) -> None:
        self.feeds = feeds
        self.group = group
        self.meeting_id = meeting_id
        self.listeners: set[Listener] = set()
        self.latest: Update | None = None
        self.task: asyncio.Task[None] | None = None

    def join(self, listener: Listener) -> None:
        self.listeners.add(listener)
        if self.latest is not None:
            listener.offer(self.latest)
        if self.task is None:
            self.task = asyncio.create_task(self.run(), name=f"live-{self.meeting_id}")

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    def publish(self, update: Update) -> None:
        self.latest = update
        for listener in self.listeners:
            listener.offer(update)

    async def run(self) -> None:
        try:
            while self.listeners and not self.feeds.stopping.is_set():
                try:
                    state, html = await self.feeds.archive._in_thread(self._look)
                except Exception:  # the database is away: the readers keep what they have
                    log.warning("live page of meeting %s: reading it failed", self.meeting_id,
                                exc_info=True)
                    state, html = None, None
                else:
                    if state is None:  # gone (deleted): nothing more to show
                        return
                    if state.status != Status.RUNNING:
                        self.publish(Update("end", state.marker, html or ""))
                        return
                    if html is not None:
                        self.publish(Update("record", state.marker, html))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.feeds.stopping.wait(),
                                           self.feeds.poll_seconds)
        finally:
            if self.feeds.feeds.get(self.meeting_id) is self:
                del self.feeds.feeds[self.meeting_id]
            for listener in self.listeners:
                listener.offer(Update("close", "", ""))

    def _look(self) -> tuple[LiveState | None, str | None]:
        """The meeting's state, and its record when the marker moved (or it ended)."""
        with self.feeds.archive.core.database.transaction() as store:
            state = live_state(store, self.group.name, self.meeting_id)
            if state is None:
                return None, None
            if state.status == Status.RUNNING and self.latest is not None \
                    and self.latest.marker == state.marker:
                return state, None
            return state, meeting_record(store, self.group, self.meeting_id)


class LiveFeeds:
    """The event streams of this server, by meeting, and how many each group has open."""

    def __init__(self, archive: ArchiveRoutes, poll_seconds: float, streams_per_group: int,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.archive = archive
        self.poll_seconds = poll_seconds
        self.streams_per_group = streams_per_group
        self.heartbeat_seconds = heartbeat_seconds
        self.feeds: dict[int, MeetingFeed] = {}
        self.streams: Counter[str] = Counter()
        self.stopping = asyncio.Event()

    async def stop(self, _app: web.Application | None = None) -> None:
        """Close every stream now (``on_shutdown``: before the server waits for its
        requests to finish)."""
        self.stopping.set()
        for feed in list(self.feeds.values()):
            for listener in feed.listeners:
                listener.offer(Update("close", "", ""))

    async def events(self, request: web.Request) -> web.StreamResponse:
        group = await self.archive._group(request)  # the archive's own access rules
        wanted = request.match_info["meeting"]
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) < 12):
            raise web.HTTPNotFound(text=NO_ARCHIVE)
        meeting_id = int(wanted)

        def look() -> LiveState | None:
            with self.archive.core.database.transaction() as store:
                return live_state(store, group.name, meeting_id)

        state = await self.archive._in_thread(look)
        if state is None:
            raise web.HTTPNotFound(text=NO_ARCHIVE)
        if state.status != Status.RUNNING or self.stopping.is_set():
            return web.Response(status=204, headers=HEADERS)  # EventSource: stop here
        if self.streams[group.name] >= self.streams_per_group:
            return web.Response(status=503, text=TOO_MANY, headers=HEADERS)
        self.streams[group.name] += 1
        try:
            return await self._stream(request, group, meeting_id)
        finally:
            self.streams[group.name] -= 1
            if not self.streams[group.name]:
                del self.streams[group.name]

    async def _stream(self, request: web.Request, group: Group, meeting_id: int
                      ) -> web.StreamResponse:
        headers = {**HEADERS, "Content-Type": "text/event-stream; charset=utf-8",
                   "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        if group.archive != "public":
            headers["X-Robots-Tag"] = "noindex, nofollow"
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        listener = Listener(request.headers.get("Last-Event-ID", ""))
        feed = self.feeds.get(meeting_id)
        if feed is None:
            feed = self.feeds[meeting_id] = MeetingFeed(self, group, meeting_id)
        feed.join(listener)
        try:
            await response.write(b": following the meeting\n\n")
            while True:
                try:
                    await asyncio.wait_for(listener.ready.wait(), self.heartbeat_seconds)
                except TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                update = listener.take()
                if update is None or update.kind == "close":
                    break
                if update.kind == "record" and update.marker == listener.sent:
                    continue  # the browser has this one (Last-Event-ID)
                await response.write(update.frame())
                listener.sent = update.marker
                if update.kind == "end":
                    break
        except ConnectionResetError:
            pass  # the reader left
        finally:
            feed.leave(listener)
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response


def add_live_routes(app: web.Application, archive: ArchiveRoutes) -> None:
    settings = archive.core.settings.web
    feeds = LiveFeeds(archive, settings.live_poll_seconds, settings.live_streams_per_group)
    for prefix in ("/archive/{token}", "/groups/{slug}"):
        app.router.add_get(prefix + "/meetings/{meeting}/events", feeds.events)
    app.on_shutdown.append(feeds.stop)
