"""The brief scheduler inside `secbot serve`: every `brief_check_seconds` it queues the
scheduled briefs that are due (engine.brief_schedule) into the alert outbox, whose dispatcher
sends them. Any number of processes may run it: the issue's unique key keeps each brief one."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from secbot.db.session import Database
from secbot.domain.clock import Clock
from secbot.engine.brief_maker import BriefMaker
from secbot.engine.brief_schedule import queue_due

log = logging.getLogger(__name__)


async def run_brief_scheduler(
    db: Database,
    stop: asyncio.Event,
    *,
    clock: Clock,
    interval: float,
    maker: BriefMaker | None = None,
) -> None:
    """Until `stop`: queue what is due, then wait. A failed round is logged and retried."""
    while not stop.is_set():
        try:
            queued = await asyncio.to_thread(queue_due, db, clock(), maker)
            if queued:
                log.info("queued %d scheduled brief(s)", len(queued))
        except Exception:
            log.exception("queuing scheduled briefs failed; trying again next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
