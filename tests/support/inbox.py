"""Drive one direct message through the real inbox, as a transport would: stored first, then
handled and answered by the worker; returns the replies the worker handed to the transport."""

from __future__ import annotations

import asyncio

from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind
from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound, Reply
from secbot.inbox import store
from secbot.inbox.store import Arrival, Entry
from secbot.inbox.worker import InboxWorker


def through_inbox(db: Database, engine: Engine, user: str, message: str, key: str) -> list[Reply]:
    inbound = Inbound("console", "", user, user, ChatKind.DIRECT, text=message, message_key=key)
    store.store(db, [Arrival(key, inbound)], utcnow())
    worker = InboxWorker(db, engine, poll=0.05)
    sent: list[Reply] = []

    async def deliver(entry: Entry, replies: list[Reply]) -> None:
        sent.extend(replies)

    worker.add_transport("console", deliver)  # type: ignore[arg-type]

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop, drain=5))
        for _ in range(400):
            if not await asyncio.to_thread(store.open_count, db):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(main())
    return sent
