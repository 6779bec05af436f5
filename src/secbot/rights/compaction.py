"""After an erasure commits: the derived copies go too. The index entries, the words in free
database pages and write-ahead logs (SQLite: secure_delete, checkpoint, VACUUM; PostgreSQL:
VACUUM of the tables touched), the embedded Chroma store's own SQLite file, and any file under
the data dir that quoted the erased words (console transcripts, exports, briefs).

Each tombstone is marked `compacted_at` only when all of it succeeded; a failure (a busy
database, a crash) leaves it pending, and the next compaction (the next erasure, the daily job,
`secbot admin erasure compact`, start-up) finishes it: the index side is rebuildable from SQL."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from secbot.db.erasures import Erasure
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.knowledge.index import KnowledgeIndex
from secbot.reports import link_suggest, similar
from secbot.rights.erasure import FRAGMENTS_KEY
from secbot.rights.scrub import Fragments

log = logging.getLogger(__name__)

_PG_TABLES = (
    "inbox",
    "drafts",
    "alerts",
    "brief_issues",
    "brief_files",
    "report_updates",
    "incidents",
    "threat_entries",
    "submissions",
    "shares",
    "report_links",
    "response_entries",
    "direct_notices",
    "index_changes",
)
_SKIP_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Compacted:
    erasures: int
    files_scrubbed: int


class Compactor:
    def __init__(
        self,
        db: Database,
        data_dir: Path | None,
        *,
        chroma_url: str | None = None,
        index: Callable[[], KnowledgeIndex | None] | None = None,
    ) -> None:
        """`index` gives this process's loaded index (its in-memory BM25 side too); without
        one the Chroma collection is opened directly (no model is needed to delete)."""
        self.db = db
        self.data_dir = data_dir
        self.chroma_url = chroma_url
        self.index = index

    def attach(self) -> None:
        """Compact after every commit that erased something (the chat's `erase` included)."""
        self.db.after_each_commit(self._after_commit)

    def _after_commit(self, session: Session) -> None:
        fragments: list[str] | None = session.info.pop(FRAGMENTS_KEY, None)
        if fragments is None:
            return
        try:
            self.run(fragments)
        except Exception:
            log.exception("compaction after an erasure failed; the next one finishes it")

    def run(self, fragments: Iterable[str] = ()) -> Compacted:
        """Finish every pending erasure; `fragments`: erased words still held in memory."""
        forget_cached_texts()
        scrubbed = self.scrub_files(Fragments(fragments))
        with self.db.reading() as session:
            pending = list(
                session.execute(
                    select(Erasure.id, Erasure.public_id).where(Erasure.compacted_at.is_(None))
                )
            )
        if not pending:
            return Compacted(0, scrubbed)
        self.remove_from_index([public_id for _, public_id in pending])
        if self.data_dir is not None and not self.chroma_url:
            compact_chroma(self.data_dir / "chroma", [f"sub:{p}" for _, p in pending])
        self.compact_database()
        with self.db.transaction() as session:
            session.execute(
                update(Erasure)
                .where(Erasure.id.in_([i for i, _ in pending]))
                .values(compacted_at=utcnow())
            )
        self.compact_database()  # the tombstone update's own WAL frames
        return Compacted(len(pending), scrubbed)

    def remove_from_index(self, public_ids: list[str]) -> None:
        index = self.index() if self.index is not None else None
        if index is not None:
            index.remove_submissions(public_ids)
            return
        if self.data_dir is None or (
            not self.chroma_url and not (self.data_dir / "chroma").exists()
        ):
            return
        from secbot.knowledge.vector_index import COLLECTION, make_client

        client = make_client(self.data_dir, self.chroma_url)
        if COLLECTION in {c if isinstance(c, str) else c.name for c in client.list_collections()}:
            client.get_collection(COLLECTION).delete(ids=[f"sub:{p}" for p in public_ids])

    def compact_database(self) -> None:
        if self.db.is_postgres:
            with self.db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in _PG_TABLES:
                    conn.execute(text(f'VACUUM "{table}"'))
            return
        with self.db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                # FTS5 keeps a deleted row's trigrams in its segments until they are merged:
                # 'optimize' rewrites the index without them before VACUUM drops the pages.
                if cursor.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'incident_search'"
                ).fetchone():
                    cursor.execute(
                        "INSERT INTO incident_search(incident_search) VALUES ('optimize')"
                    )
                    raw.commit()
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.execute("VACUUM")
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                cursor.close()
        if busy and busy[0]:
            raise RuntimeError("the SQLite write-ahead log is busy; compaction will retry")

    def scrub_files(self, fragments: Fragments) -> int:
        """Blank the erased words in text files under the data dir; a binary file that holds
        them verbatim is removed. Chroma's store and the database files are compacted instead."""
        if not fragments or self.data_dir is None or not self.data_dir.exists():
            return 0
        count = 0
        # Mailboxes and exports are JSON: a fragment with a quote or a backslash is stored
        # escaped there, so the escaped spellings are looked for too.
        spellings = [fragments, escaped(fragments, ascii_only=False), escaped(fragments, True)]
        for path in sorted(self.data_dir.rglob("*")):
            if not path.is_file() or _skipped(path, self.data_dir):
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            raw = path.read_bytes()
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                if any(f.encode() in raw for f in fragments.texts):
                    path.unlink()
                    count += 1
                continue
            if any(spelling.hits(body) for spelling in spellings):
                for spelling in spellings:
                    body = spelling.blank(body)
                partial = path.with_name(path.name + ".erasing")
                partial.write_text(body, encoding="utf-8")
                os.replace(partial, path)
                count += 1
        return count


def escaped(fragments: Fragments, ascii_only: bool) -> Fragments:
    """The fragments as `json.dumps` writes them inside a string."""
    return Fragments(json.dumps(t, ensure_ascii=ascii_only)[1:-1] for t in fragments.texts)


def forget_cached_texts() -> None:
    """The similar-report and link-suggestion caches are keyed by report and register texts:
    emptied, so no erased words stay in this process's memory either."""
    similar.cached_terms.cache_clear()
    link_suggest.forget_cached_terms()


def _skipped(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    return relative[0] == "chroma" or path.name.endswith(_SKIP_SUFFIXES)


def compact_chroma(folder: Path, unit_ids: list[str]) -> None:
    """Chroma keeps each document's words in its SQLite file: the metadata segment (deleted by
    `delete`), the full-text index (merged here) and its ingest log `embeddings_queue`, whose
    rows it prunes only after up to `hnsw:sync_threshold` later writes. The log rows of erased
    units lose their metadata (the document is stored there); the add, update and delete
    operations stay, so a replay still ends with the unit deleted. Then the file is rewritten so
    no free page keeps the words. Its HNSW files hold vectors and ids only."""
    path = folder / "chroma.sqlite3"
    if not path.exists():
        return
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete=ON")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "embeddings_queue" in tables:
            for start in range(0, len(unit_ids), 500):
                part = unit_ids[start : start + 500]
                conn.execute(
                    "UPDATE embeddings_queue SET metadata = '{}' WHERE operation != 3 AND id IN "
                    f"({', '.join('?' * len(part))})",
                    part,
                )
        if "embedding_fulltext_search" in tables:
            conn.execute(
                "INSERT INTO embedding_fulltext_search(embedding_fulltext_search) "
                "VALUES('optimize')"
            )
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
