"""Keeps the retrieval index in step with SQL: full rebuild, start-up repair, and targeted
refreshes after every commit that touches a submission or a share."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.erasures import Erasure
from secbot.db.session import Database
from secbot.knowledge.index_state import IndexState
from secbot.knowledge.lexical_index import LexicalIndex
from secbot.knowledge.units import Unit, all_units, submission_units
from secbot.knowledge.vector_index import VectorIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RepairReport:
    embedded: int
    relabelled: int
    removed: int
    total: int
    checked: str = "repaired"
    """`unchanged` (the stamp matched: the vector store was not read), `repaired`, `rebuilt`."""


def erased_public_ids(session: Session, submission_ids: list[int]) -> list[str]:
    """The ids of these submissions that were erased (their tombstones say which)."""
    return list(
        session.scalars(select(Erasure.public_id).where(Erasure.submission_id.in_(submission_ids)))
    )


class KnowledgeIndex:
    def __init__(
        self,
        db: Database,
        vector: VectorIndex,
        lexical: LexicalIndex,
        state: IndexState | None = None,
    ) -> None:
        self.db = db
        self.vector = vector
        self.lexical = lexical
        self.state = state
        self._stamp_current = False

    def _units(self) -> list[Unit]:
        with self.db.reading() as session:
            return list(all_units(session))

    def rebuild(self) -> RepairReport:
        units = self._units()
        self._forget()
        self.vector.reset()
        self.vector.upsert(units)
        self.lexical.replace_all(units)
        self._stamp(units)
        return RepairReport(len(units), 0, 0, len(units), "rebuilt")

    def start_up(self) -> RepairReport:
        """At start: when the stamp says the index was built from exactly these units with this
        embedder, only the in-memory BM25 side is built; otherwise repair (or rebuild, for a
        new embedder) and stamp. Neither path loads the model unless a text must be embedded."""
        units = self._units()
        stamp = self.state.read() if self.state else None
        if self.state is not None and stamp is not None:
            if stamp == self.state.stamp(units) and self.vector.count() == len(units):
                self.lexical.replace_all(units)
                self.lexical.warm()
                self.vector.warm()  # the in-process vectors, read once from the store
                self._stamp_current = True
                return RepairReport(0, 0, 0, len(units), "unchanged")
            if stamp.embedder != self.state.embedder:
                log.info("embedder changed (%s): rebuilding the index", self.state.embedder)
                return self.rebuild()
        return self.repair(units)

    def repair(self, units: list[Unit] | None = None) -> RepairReport:
        """Bring the index to SQL's state, embedding only what is new or reworded."""
        units = self._units() if units is None else units
        self._forget()
        existing = self.vector.fingerprints()
        wanted = {u.id for u in units}
        embed = [u for u in units if u.id not in existing or existing[u.id][1] != u.text]
        relabel = [
            u
            for u in units
            if u.id in existing
            and existing[u.id][1] == u.text
            and existing[u.id][0] != u.fingerprint
        ]
        removed = [i for i in existing if i not in wanted]
        self.vector.upsert(embed)
        self.vector.update_metadata(relabel)
        self.vector.delete(removed)
        self.lexical.replace_all(units)
        self.lexical.warm()
        self.vector.warm()
        self._stamp(units)
        return RepairReport(len(embed), len(relabel), len(removed), len(units))

    def _stamp(self, units: list[Unit]) -> None:
        if self.state is not None:
            self.state.save(self.state.stamp(units))
            self._stamp_current = True

    def _forget(self) -> None:
        """Before the vector store changes: a crash half-way must not leave a valid stamp."""
        if self.state is not None:
            self.state.forget()
            self._stamp_current = False

    def refresh_submissions(self, submission_ids: Iterable[int]) -> None:
        ids = sorted(set(submission_ids))
        if not ids:
            return
        with self.db.reading() as session:
            units = list(submission_units(session, ids))
            gone = erased_public_ids(session, ids) if len(units) < len(ids) else []
        if gone:
            self.remove_submissions(gone)
        if not units:
            return
        if self._stamp_current:
            self._forget()
        existing = self.vector.collection.get(ids=[u.id for u in units], include=["documents"])
        texts = dict(zip(existing["ids"], existing["documents"], strict=True))
        reword = [u for u in units if texts.get(u.id) != u.text]
        relabel = [u for u in units if texts.get(u.id) == u.text]
        self.vector.upsert(reword)
        self.vector.update_metadata(relabel)
        self.lexical.upsert(units)

    def remove_submissions(self, public_ids: Iterable[str]) -> None:
        """Erased submissions leave both indexes (deleting an absent id is a no-op)."""
        unit_ids = [f"sub:{p}" for p in public_ids]
        if not unit_ids:
            return
        if self._stamp_current:
            self._forget()
        self.vector.delete(unit_ids)
        self.lexical.delete(unit_ids)

    def on_commit(self, submission_ids: set[int]) -> None:
        """Called after a commit; a failure here is logged, and start-up repair mends it.
        Visibility never depends on it: every hit is re-checked against SQL."""
        try:
            self.refresh_submissions(submission_ids)
        except Exception:
            log.exception("index refresh failed for %d submissions", len(submission_ids))
