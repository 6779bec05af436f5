"""Keeps this process's index current with changes other processes made (a second replica on
the same PostgreSQL): before each message, the submissions named in the change log since last
time are refreshed. Visibility never waits on this: every hit is re-checked against SQL.

Change ids are given out in insert order but may commit out of order, so each look goes back
LOOKBACK ids and skips the ones already applied.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import delete, select

from secbot.db.models import IndexChange
from secbot.db.session import Database
from secbot.knowledge.index import KnowledgeIndex

log = logging.getLogger(__name__)

LOOKBACK = 1000


class IndexFollower:
    def __init__(self, db: Database, index: KnowledgeIndex) -> None:
        self.db = db
        self.index = index
        self.highest = 0
        self.applied: set[int] = set()
        self._lock = threading.Lock()

    def start_from_now(self) -> None:
        """At start the index was repaired from SQL: earlier changes are in it already."""
        with self.db.reading() as session:
            self.highest = int(
                session.scalar(select(IndexChange.id).order_by(IndexChange.id.desc()).limit(1)) or 0
            )

    def follow(self) -> int:
        """Refresh what changed since the last look; the number of submissions refreshed."""
        with self._lock:
            floor = max(0, self.highest - LOOKBACK)
            with self.db.reading() as session:
                rows = list(
                    session.execute(
                        select(IndexChange.id, IndexChange.submission_id).where(
                            IndexChange.id > floor
                        )
                    )
                )
            fresh = [(cid, sid) for cid, sid in rows if cid not in self.applied]
            if not fresh:
                return 0
            submissions = {sid for _, sid in fresh}
            try:
                self.index.refresh_submissions(submissions)
            except Exception:
                log.exception("index follow failed; will try again")
                return 0
            self.applied.update(cid for cid, _ in fresh)
            self.highest = max(self.highest, *(cid for cid, _ in fresh))
            self.applied = {cid for cid in self.applied if cid > self.highest - LOOKBACK}
            return len(submissions)


def prune_changes(db: Database, before: datetime) -> int:
    with db.transaction() as session:
        result = session.execute(delete(IndexChange).where(IndexChange.at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]
