"""The inbox worker: answers each chat in order, answers after a crash what was stored (and
sends kept replies without handling twice), retries a failed handling and then apologises,
and retries a reply the platform refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from secbot.db.models import Incident
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound, Reply
from secbot.inbox import store
from secbot.inbox.store import Arrival, Entry
from secbot.inbox.worker import SORRY, InboxWorker
from tests.support.world import World

Sent = list[tuple[str, str]]


def arrival(key: str, user: str, text: str) -> Arrival:
    inbound = Inbound("console", "", user, user, ChatKind.DIRECT, text=text, message_key=key)
    return Arrival(key, inbound)


def recorder(sent: Sent, fail_first: int = 0) -> Callable[[Entry, list[Reply]], object]:
    failures = {"left": fail_first}

    async def deliver(entry: Entry, replies: list[Reply]) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("platform down")
        sent.extend((entry.key, r.text) for r in replies)

    return deliver


def run_until_quiet(worker: InboxWorker, db: Database, seconds: float = 10.0) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop, drain=seconds))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline and await asyncio.to_thread(store.open_count, db):
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(main())


def incidents(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count(Incident.submission_id))) or 0)


def test_each_chat_is_answered_in_order_and_once(db: Database) -> None:
    world = World(db)
    alice_code, bob_code = world.invite(Role.FOCAL_POINT, "BRB"), world.invite(Role.DELEGATE, "JAM")
    arrivals = [
        arrival("a1", "alice", f"join {alice_code}"),
        arrival("b1", "bob", f"join {bob_code}"),
        arrival("a2", "alice", "report Boat without lights at the north pier"),
        arrival("a3", "alice", "mine"),
        arrival("b2", "bob", "mine"),
    ]
    store.store(db, arrivals, utcnow())
    store.store(db, arrivals[2:3], utcnow())  # a redelivery
    sent: Sent = []
    worker = InboxWorker(db, Engine(db), poll=0.05)
    worker.add_transport("console", recorder(sent))  # type: ignore[arg-type]
    run_until_quiet(worker, db)
    alice = [text for key, text in sent if key.startswith("a")]
    assert "Welcome" in alice[0] and "Filed BRB-0001" in alice[1] and "BRB-0001" in alice[2]
    assert [key for key, _ in sent if key.startswith("a")] == ["a1", "a2", "a3"]
    assert incidents(db) == 1 and worker.handled == 5


def test_after_a_crash_stored_entries_are_answered_and_kept_replies_not_redone(
    db: Database,
) -> None:
    world = World(db)
    code = world.invite(Role.FOCAL_POINT, "BRB")
    store.store(db, [arrival("a1", "alice", f"join {code}")], utcnow())
    store.store(db, [arrival("a2", "alice", "report Drone over the harbour")], utcnow())
    engine = Engine(db)
    # The first process handled both, then died before sending anything.
    for entry_key in ("a1", "a2"):
        (entry,) = store.claim(db, worker="dead", now=utcnow(), lease=60, limit=1)
        assert entry.key == entry_key
        engine.handle(
            entry.inbound, settle=lambda s, r, e=entry: store.settle(s, e.id, r, utcnow())
        )
        if entry_key == "a1":
            store.close(db, entry.id, utcnow())  # a1's reply went out; a2's did not
    assert incidents(db) == 1
    sent: Sent = []
    worker = InboxWorker(db, Engine(db), poll=0.05)  # SQLite: the dead worker's lease is freed
    worker.add_transport("console", recorder(sent))  # type: ignore[arg-type]
    if db.is_postgres:  # another process's lease is honoured until it runs out
        worker.clock = lambda: utcnow() + timedelta(seconds=61)
    run_until_quiet(worker, db)
    assert [key for key, _ in sent] == ["a2"] and "Filed BRB-0001" in sent[0][1]
    assert incidents(db) == 1 and worker.handled == 0, "kept replies were sent, not redone"


def test_a_failing_message_is_retried_then_apologised_for_and_the_chat_goes_on(
    db: Database,
) -> None:
    class Flaky(Engine):
        def handle(self, inbound: Inbound, settle: object = None) -> list[Reply]:
            if inbound.text == "boom":
                raise RuntimeError("a bug")
            return super().handle(inbound, settle)  # type: ignore[arg-type]

    store.store(db, [arrival("x1", "zed", "boom"), arrival("x2", "zed", "help")], utcnow())
    sent: Sent = []
    worker = InboxWorker(db, Flaky(db), poll=0.05)
    worker.add_transport("console", recorder(sent))  # type: ignore[arg-type]
    clock = {"t": utcnow()}

    def ticking() -> datetime:
        clock["t"] += timedelta(seconds=3)  # past each retry's wait
        return clock["t"]

    worker.clock = ticking
    run_until_quiet(worker, db, seconds=15)
    assert sent[0] == ("x1", SORRY.text)
    assert sent[1][0] == "x2" and "haven't joined" in sent[1][1]


def test_a_refused_reply_is_sent_again_later(db: Database) -> None:
    store.store(db, [arrival("y1", "zed", "help")], utcnow())
    sent: Sent = []
    worker = InboxWorker(db, Engine(db), poll=0.05)
    worker.add_transport("console", recorder(sent, fail_first=2))  # type: ignore[arg-type]
    clock = {"t": utcnow()}

    def ticking() -> datetime:
        clock["t"] += timedelta(seconds=10)
        return clock["t"]

    worker.clock = ticking
    run_until_quiet(worker, db, seconds=15)
    assert [key for key, _ in sent] == ["y1"] and worker.handled == 1
