"""The alert dispatcher: one loop per platform claims due deliveries from the outbox, sends each
through the platform's client, and records the outcome.

Any number of dispatchers (threads of `secbot serve`, or `secbot dispatch` processes) may run
against one PostgreSQL database: claims skip rows another worker holds, and the send window is a
locked row, so the platform limits hold for all of them together. On SQLite run one.

Stopping (SIGTERM) stops claiming and waits for the sends already in flight to finish and be
recorded, so a graceful restart repeats nothing. A hard kill leaves those few deliveries
`sending`; their lease runs out and they are sent again (at least once beats never).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from secbot.alerts import outbox
from secbot.alerts.outbox import Claimed, Limits, Outcome, Policy, Retry
from secbot.db.session import Database

log = logging.getLogger(__name__)


class Sender(Protocol):
    """A platform adapter (transports.alert_senders) that sends one delivery and says how it
    went; the dispatcher knows no platform SDK."""

    platform: str

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send(self, item: Claimed) -> Outcome: ...


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    def __init__(
        self,
        db: Database,
        senders: list[Sender],
        *,
        limits: dict[str, Limits],
        policy: Policy | None = None,
        max_in_flight: int = 32,
        worker: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.senders = senders
        self.limits = limits
        self.policy = policy or Policy()
        self.max_in_flight = max_in_flight
        self.worker = worker or worker_name()
        self.clock = clock
        self.rng = random.Random()
        self.stats: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> None:
        started: list[Sender] = []
        try:
            for sender in self.senders:
                await sender.start()
                started.append(sender)
            log.info("dispatcher up", extra={"platform": ",".join(s.platform for s in started)})
            await asyncio.gather(*(self._loop(sender, stop) for sender in started))
        finally:
            for sender in started:
                try:
                    await sender.stop()
                except Exception:  # closing a client must not hide why we stopped
                    log.exception("closing %s sender failed", sender.platform)

    async def _loop(self, sender: Sender, stop: asyncio.Event) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        stopping = asyncio.create_task(stop.wait())
        next_claim = 0.0
        try:
            while not stop.is_set():
                room = self.max_in_flight - len(in_flight)
                if room > 0 and self.clock() >= next_claim:
                    claimed, wait = await self._claim(sender.platform, room)
                    for item in claimed:
                        in_flight.add(asyncio.create_task(self._deliver(sender, item)))
                    next_claim = self.clock() + wait
                    if claimed:
                        continue
                timeout = max(0.005, next_claim - self.clock()) if room > 0 else None
                done, _ = await asyncio.wait(
                    {*in_flight, stopping}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                in_flight.difference_update(done)
        finally:
            if in_flight:
                log.info("finishing %d sends in flight", len(in_flight))
                await asyncio.gather(*in_flight, return_exceptions=True)
            stopping.cancel()

    async def _claim(self, platform: str, room: int) -> tuple[list[Claimed], float]:
        def work() -> tuple[list[Claimed], float]:
            with self.db.transaction() as session:
                return outbox.claim(
                    session,
                    platform,
                    worker=self.worker,
                    room=room,
                    limits=self.limits[platform],
                    policy=self.policy,
                    now=self.clock(),
                    postgres=self.db.is_postgres,
                )

        try:
            return await asyncio.to_thread(work)
        except Exception:
            log.exception("claiming %s deliveries failed; trying again shortly", platform)
            return [], 1.0

    async def _deliver(self, sender: Sender, item: Claimed) -> None:
        try:
            outcome: Outcome = await sender.send(item)
        except Exception as error:  # a sender bug must not kill the loop; the delivery retries
            log.exception("sending delivery %d failed unexpectedly", item.delivery_id)
            outcome = Retry(f"unexpected {type(error).__name__}")
        answered_at = self.clock()  # before the database wait, which the platform never saw
        self.stats[type(outcome).__name__.lower()] += 1
        for attempt in range(5):
            try:
                status = await asyncio.to_thread(self._record, item, outcome, answered_at)
                self.stats[f"status:{status}"] += 1
                return
            except Exception:
                log.exception("recording delivery %d failed (try %d)", item.delivery_id, attempt)
                await asyncio.sleep(0.2 * 2**attempt)

    def _record(self, item: Claimed, outcome: Outcome, answered_at: float) -> str:
        with self.db.transaction() as session:
            return outbox.record(
                session,
                item,
                outcome,
                limits=self.limits[item.platform],
                policy=self.policy,
                now=self.clock(),
                postgres=self.db.is_postgres,
                rng=self.rng,
                answered_at=answered_at,
            )
