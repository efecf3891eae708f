"""Group commit: many callers' small database steps done in one transaction.

When hundreds of reminders fall due in the same second, a transaction (and a thread hop)
for each claim and each "sent" mark costs more than the post itself, and SQLite runs
writers one at a time anyway. ``GroupCommit`` queues the items submitted while a flush
is running and hands them all to the next flush, which runs in a worker thread: one
transaction for the lot. A lone item is flushed at once, so nothing waits for a batch
to fill up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """``await submit(item)`` returns ``flush(items)[i]`` for the batch ``item`` went in.

    ``flush`` takes a list and returns one result per item, in order; if it raises, every
    caller of that batch gets the exception.
    """

    def __init__(self, flush: Callable[[list[Item]], Sequence[Result]],
                 limit: int = 500) -> None:
        self.flush = flush
        self.limit = limit
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:self.limit]
                del self._waiting[:self.limit]
                await self._flush_batch(batch)
        finally:
            # Cancelled (the loop is stopping): nobody may wait for ever.
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()

    async def _flush_batch(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await asyncio.to_thread(self.flush, [item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
