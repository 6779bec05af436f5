"""The daily retention job inside `secbot serve`: every `retention_check_seconds` it erases what
is past its period (rights.retention) and finishes any erasure a crash left pending. Any number
of processes may run it: a submission already erased is simply not found again."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from secbot.db.session import Database
from secbot.domain.clock import Clock
from secbot.rights.compaction import Compactor
from secbot.rights.retention import Periods, erase_expired

log = logging.getLogger(__name__)


def retention_round(db: Database, periods: Periods, clock: Clock, compactor: Compactor) -> int:
    """One round: erase what expired (one transaction), then compact. The number erased."""
    with db.transaction() as session:
        erased = erase_expired(session, periods, clock())
    compactor.run()  # pending erasures too (its after-commit hook may have done it already)
    return len(erased)


async def run_retention(
    db: Database,
    stop: asyncio.Event,
    *,
    periods: Periods,
    clock: Clock,
    compactor: Compactor,
    interval: float,
) -> None:
    """Until `stop`: a round, then wait. A failed round is logged and tried again next time."""
    while not stop.is_set():
        try:
            erased = await asyncio.to_thread(retention_round, db, periods, clock, compactor)
            if erased:
                log.info("retention erased %d submission(s)", erased)
        except Exception:
            log.exception("the retention round failed; trying again next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
