"""What transports hand inbound messages to: store first (then the platform may be told it was
received), wake the worker, and for the few requests whose answer must ride on the
acknowledgement itself (a Slack modal's field errors), handle at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.orm import Session

from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.engine.engine import Engine
from secbot.engine.messages import Reply
from secbot.inbox import store
from secbot.inbox.store import AlreadyHandled, Arrival
from secbot.inbox.worker import InboxWorker


class Intake:
    def __init__(
        self, db: Database, engine: Engine, worker: InboxWorker, clock: Clock = utcnow
    ) -> None:
        self.db = db
        self.engine = engine
        self.worker = worker
        self.clock = clock

    async def accept(self, arrivals: list[Arrival]) -> list[int | None]:
        """Stored durably when this returns: only then may the platform be told "received".
        None for an arrival seen before (a redelivery or a replayed request)."""
        if not arrivals:
            return []
        ids = await asyncio.to_thread(store.store, self.db, arrivals, self.clock())
        if any(i is not None for i in ids):
            self.worker.wake()
        return ids

    async def handle_now(self, arrival: Arrival) -> list[Reply] | None:
        """Store and handle at once, for an answer the acknowledgement must carry. The entry
        stays open so the worker sends the replies; None for an arrival seen before."""
        now = self.clock()
        held = now + timedelta(seconds=30)
        (entry_id,) = await asyncio.to_thread(store.store, self.db, [arrival], now, held_until=held)
        if entry_id is None:
            return None
        try:
            return await asyncio.to_thread(self._handle, entry_id, arrival)
        finally:
            await asyncio.to_thread(store.release, self.db, entry_id)
            self.worker.wake()

    def _handle(self, entry_id: int, arrival: Arrival) -> list[Reply] | None:
        now = self.clock()

        def settle(session: Session, replies: list[Reply]) -> None:
            # Field errors go back on the acknowledgement; the inbox sends only the rest.
            store.settle(session, entry_id, [r for r in replies if not r.field_errors], now)

        try:
            return self.engine.handle(arrival.inbound, settle=settle)
        except AlreadyHandled:
            return None

    async def bot_removed(self, platform: str, workspace: str, chat_id: str, reason: str) -> bool:
        """Idempotent and quick: done before the platform is answered, so it is never lost."""
        return await asyncio.to_thread(
            self.engine.bot_removed, platform, workspace, chat_id, reason
        )
