"""The inbox worker: claims open entries, handles each once through the engine (marking it
handled in the same transaction as its effects), then has the transport send the replies.

After a crash nothing is lost: an entry stored but not handled is handled on the next start;
one handled but not answered is answered then (its replies were kept with it). The one window
left is a crash between a reply reaching the platform and `close`: that reply goes out twice.

Direct notices (reports.notices: a task for a member's party, a need on a report they see) are
committed with the log entry that causes them and sent here too, to the member's direct chat,
with the same guarantee and the same one window.
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
from secbot.reports import notices

log = logging.getLogger(__name__)

Deliver = Callable[[Entry, list[Reply]], Awaitable[None]]
"""A transport's way of sending one entry's replies where they belong."""

SendDirect = Callable[[str, str, str], Awaitable[None]]
"""A transport's way of sending one text to a member's direct chat (workspace, user id, text);
raises when the platform did not take it."""

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
        self.direct: dict[str, SendDirect] = {}
        self.concurrency = concurrency
        self.lease = lease
        self.poll = poll
        self.clock = clock
        self.name = worker_name()
        self._wake = asyncio.Event()
        self._busy: dict[str, asyncio.Task[None]] = {}
        self.handled = 0
        self._notices: asyncio.Task[int] | None = None

    def add_transport(
        self, platform: str, deliver: Deliver, direct: SendDirect | None = None
    ) -> None:
        self.deliverers[platform] = deliver
        if direct is not None:
            self.direct[platform] = direct

    def wake(self) -> None:
        """A transport stored something: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event, drain: float = 10.0) -> None:
        """Until `stop`; then what was already stored is still handled, for up to `drain`
        seconds, so a graceful stop answers everything the platforms delivered."""
        if not self.db.is_postgres:
            await asyncio.to_thread(store.release_leases, self.db)
            await asyncio.to_thread(self._release_notices)
        while not stop.is_set():
            self._start_notices()
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
        if self._notices is not None:
            await self._notices
        await self.send_notices()

    def _start_notices(self) -> None:
        """Notices go out beside the replies, never in their way: one pass at a time, in a
        task of its own, so a slow platform does not hold up the claiming of messages."""
        if self.direct and (self._notices is None or self._notices.done()):
            self._notices = asyncio.create_task(self.send_notices())

    async def send_notices(self) -> int:
        """Send the due direct notices of every platform with a direct sender; how many went.
        Never raises: what failed is tried again on a later pass."""
        try:
            return await self._send_notices()
        except Exception:
            log.exception("sending direct notices failed; retrying")
            return 0

    async def _send_notices(self) -> int:
        sent = 0
        for platform, send in self.direct.items():
            try:
                claimed = await asyncio.to_thread(self._claim_notices, platform)
            except Exception:
                log.exception("claiming %s notices failed; retrying", platform)
                continue
            for item in claimed:
                try:
                    await send(item.workspace, item.user_id, item.text)
                except Exception as failure:
                    error = f"{type(failure).__name__}: {failure}"
                    log.warning("direct notice %s not sent: %s", item.id, error)
                    await asyncio.to_thread(self._settle_notice, item.id, error)
                    continue
                await asyncio.to_thread(self._settle_notice, item.id, "")
                sent += 1
        return sent

    def _release_notices(self) -> None:
        with self.db.transaction() as session:
            notices.release_leases(session)

    def _claim_notices(self, platform: str) -> list[notices.Pending]:
        with self.db.transaction() as session:
            return notices.claim(
                session,
                platform,
                now=self.clock(),
                lease=self.lease * 2,
                postgres=self.db.is_postgres,
            )

    def _settle_notice(self, notice_id: int, error: str) -> None:
        with self.db.transaction() as session:
            if error:
                notices.mark_failed(session, notice_id, error, self.clock())
            else:
                notices.mark_sent(session, notice_id, self.clock())

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
