"""The inbox worker: claims open entries, handles each once through the engine (marking it
handled in the same transaction as its effects), then has the transport send the replies.

After a crash nothing is lost: an entry stored but not handled is handled on the next start;
one handled but not answered is answered then (its replies were kept with it). The one window
left is a crash between a reply reaching the platform and `close`: that reply goes out twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from sqlalchemy.orm import Session

from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.engine.engine import Engine
from secbot.engine.messages import Reply
from secbot.inbox import store
from secbot.inbox.store import AlreadyHandled, Entry

log = logging.getLogger(__name__)

Deliver = Callable[[Entry, list[Reply]], Awaitable[None]]
"""A transport's way of sending one entry's replies where they belong."""

SORRY = Reply(
    "Sorry, something went wrong while handling that message, and nothing was changed. "
    "Please try again in a minute."
)
HANDLE_ATTEMPTS = 3
DELIVERY_ATTEMPTS = 6


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class InboxWorker:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        *,
        concurrency: int = 8,
        lease: float = 15.0,
        poll: float = 0.5,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.engine = engine
        self.deliverers: dict[str, Deliver] = {}
        self.concurrency = concurrency
        self.lease = lease
        self.poll = poll
        self.clock = clock
        self.name = worker_name()
        self._wake = asyncio.Event()
        self._busy: dict[str, asyncio.Task[None]] = {}
        self.handled = 0

    def add_transport(self, platform: str, deliver: Deliver) -> None:
        self.deliverers[platform] = deliver

    def wake(self) -> None:
        """A transport stored something: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event, drain: float = 10.0) -> None:
        """Until `stop`; then what was already stored is still handled, for up to `drain`
        seconds, so a graceful stop answers everything the platforms delivered."""
        if not self.db.is_postgres:
            await asyncio.to_thread(store.release_leases, self.db)
        while not stop.is_set():
            if await self._claim_some():
                continue  # there may be more
            self._wake.clear()
            waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(waits, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()
        deadline = asyncio.get_running_loop().time() + drain
        while asyncio.get_running_loop().time() < deadline:
            claimed = await self._claim_some()
            if not claimed and not self._busy:
                break
            if not claimed:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.05)
        if self._busy:
            await asyncio.wait(list(self._busy.values()))

    async def _claim_some(self) -> int:
        free = self.concurrency - len(self._busy)
        if free <= 0:
            return 0
        try:
            claimed = await asyncio.to_thread(
                store.claim,
                self.db,
                worker=self.name,
                now=self.clock(),
                lease=self.lease,
                limit=free,
                exclude_lanes=list(self._busy),
            )
        except Exception:
            log.exception("inbox claim failed; retrying")
            return 0
        for entry in claimed:
            lane = store.lane_of(entry.inbound)
            task = asyncio.create_task(self._process(entry))
            self._busy[lane] = task
            task.add_done_callback(partial(self._done, lane))
        return len(claimed)

    def _done(self, lane: str, _task: asyncio.Task[None]) -> None:
        self._busy.pop(lane, None)
        self._wake.set()

    async def _process(self, entry: Entry) -> None:
        try:
            replies = entry.replies
            if not entry.handled:
                handled = await asyncio.to_thread(self._handle, entry)
                if handled is None:
                    return
                replies = handled
                self.handled += 1
            await self._deliver(entry, replies)
        except Exception:  # never let one entry stop the worker
            log.exception("inbox entry %s failed", entry.id)

    def _handle(self, entry: Entry) -> list[Reply] | None:
        """The engine's replies, committed with the entry marked handled; None when the entry
        must wait (another worker got it, or handling failed and will be tried again)."""
        now = self.clock()

        def settle(session: Session, replies: list[Reply]) -> None:
            store.settle(session, entry.id, replies, now)

        try:
            return self.engine.handle(entry.inbound, settle=settle)
        except AlreadyHandled:
            return None
        except Exception as error:
            log.exception("handling inbox entry %s failed", entry.id)
            attempts = store.postpone(
                self.db, entry.id, repr(error), until=now + timedelta(seconds=2)
            )
            if attempts < HANDLE_ATTEMPTS:
                return None
            with self.db.transaction() as session:  # give up: apologise, let the chat go on
                store.settle(session, entry.id, [SORRY], now)
            return [SORRY]

    async def _deliver(self, entry: Entry, replies: list[Reply]) -> None:
        deliver = self.deliverers.get(entry.platform)
        error = ""
        if deliver is not None and replies:
            try:
                await deliver(entry, replies)
            except Exception as failure:
                error = f"{type(failure).__name__}: {failure}"
                log.warning("replies for inbox entry %s not sent: %s", entry.id, error)
                delay = min(60.0, 2.0 ** (entry.attempts + 1))
                attempts = await asyncio.to_thread(
                    store.postpone,
                    self.db,
                    entry.id,
                    error,
                    until=self.clock() + timedelta(seconds=delay),
                )
                if attempts < DELIVERY_ATTEMPTS:
                    return
        elif deliver is None and replies:
            error = f"no transport for {entry.platform}"
        await asyncio.to_thread(store.close, self.db, entry.id, self.clock(), error)
