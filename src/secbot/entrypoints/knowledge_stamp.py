"""Whether `knowledge/` was already loaded into this database, as it is now: then start-up
skips parsing and comparing it (docs/decisions/0013).

The stamp is a digest of every file under the folder (path and bytes) and of the schema's
head revision (a new table may load more from the same files), kept in the database itself
(the notices table), so a fresh or other database is always loaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import delete, select

from secbot.db.inbound import Notice
from secbot.db.migrate import head_revisions
from secbot.db.session import Database
from secbot.domain.clock import utcnow

PREFIX = "knowledge-loaded:"


def folder_digest(folder: Path) -> str:
    body = hashlib.sha256()
    body.update(",".join(sorted(head_revisions())).encode() + b"\0")
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            body.update(str(path.relative_to(folder)).encode() + b"\0")
            body.update(hashlib.sha256(path.read_bytes()).digest())
    return body.hexdigest()


def is_loaded(db: Database, digest: str) -> bool:
    with db.transaction() as session:
        return session.get(Notice, PREFIX + digest) is not None


def mark_loaded(db: Database, digest: str) -> None:
    with db.transaction() as session:
        session.execute(delete(Notice).where(Notice.key.startswith(PREFIX)))
        session.add(Notice(key=PREFIX + digest, at=utcnow()))


def forget(db: Database) -> None:
    """Documents were added or removed by hand: the next start compares knowledge/ again."""
    with db.transaction() as session:
        session.execute(delete(Notice).where(Notice.key.startswith(PREFIX)))


def stamps(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(Notice.key).where(Notice.key.startswith(PREFIX))))
