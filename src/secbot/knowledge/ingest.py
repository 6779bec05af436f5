"""Adding documents to the regional knowledge. Idempotent by content hash: re-ingesting an
unchanged file does nothing, a changed file replaces its chunks, `remove` takes one out.

A document is keyed by its file name, so ingesting a new version from another folder replaces
the old one rather than adding a near-duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.models import DocumentChunk, SourceDocument
from secbot.db.session import Database
from secbot.knowledge.chunking import Chunk, chunk_document
from secbot.knowledge.documents import Document, DocumentError, read_document
from secbot.knowledge.official import official_for
from secbot.knowledge.title_block import DocMeta

SUFFIXES = {".md", ".markdown", ".txt", ".pdf", ".docx"}
SKIP_NAMES = {"README.md"}
Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


FINE_CHARS = 360


def chunks_for(document: Document) -> list[Chunk]:
    """Two granularities: whole numbered paragraphs (context for answers) and their lettered
    sub-items (a question about paragraph 1 e. should not be drowned by a-d and f-g)."""
    chunks = {c.chunk_id: c for c in chunk_document(document)}
    for fine in chunk_document(document, max_chars=FINE_CHARS):
        chunks.setdefault(fine.chunk_id, fine)
    return sorted(chunks.values(), key=lambda c: (c.position, len(c.text)))


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUFFIXES
                    and child.name not in SKIP_NAMES
                ):
                    yield child
        else:
            yield path


def ingest(
    db: Database,
    paths: Iterable[Path],
    *,
    origin: str = "ingest",
    progress: Progress | None = None,
) -> IngestReport:
    """Each file in its own transaction (a folder of documents need not wait for the last)."""
    report = IngestReport()
    files = list(expand(paths))
    for n, path in enumerate(files, 1):
        if progress:
            progress(n, len(files), path.name)
        digest = checked_digest(path)
        with db.transaction() as session:
            store(session, path, digest, origin=origin, report=report)
    return report


def checked_digest(path: Path) -> str:
    """The file's SHA-256, once it is known to exist and be of a type we read."""
    if not path.is_file():
        raise DocumentError(path, "no such file")
    if path.suffix.lower() not in SUFFIXES:
        raise DocumentError(path, f"unsupported type; use one of {', '.join(sorted(SUFFIXES))}")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store(
    session: Session,
    path: Path,
    digest: str,
    *,
    origin: str,
    report: IngestReport,
) -> None:
    """Write one file's document and passages in the caller's transaction (so a caller can
    add its audit line to the same one): nothing when unchanged, a replacement when changed."""
    existing = session.scalar(select(SourceDocument).where(SourceDocument.source == path.name))
    if existing is not None and existing.sha256 == digest:
        report.unchanged.append(path.name)
        return
    document = read_document(path)
    chunks = chunks_for(document)
    official = official_for(document)
    meta = official.meta if official else DocMeta(title=document.title)
    if existing is not None:
        session.delete(existing)
        session.flush()
        report.replaced.append(path.name)
    else:
        report.added.append(path.name)
    row = SourceDocument(
        source=path.name,
        title=meta.title[:255],
        path=str(path.resolve()),
        sha256=digest,
        origin=origin,
        doc_symbol=meta.symbol,
        doc_number=meta.number,
        doc_year=meta.year,
        doc_date=meta.date,
        doc_type=meta.type,
        doc_body=meta.body,
        doc_series=meta.series[:255],
    )
    row.chunks = [
        DocumentChunk(
            id=c.chunk_id,
            section=c.part,
            locator=c.locator[:255],
            text=c.text,
            position=c.position,
            para=c.para[:40],
            header=c.header,
        )
        for c in chunks
    ]
    session.add(row)
    session.flush()
    report.chunks += len(chunks)


def remove(db: Database, names: Iterable[str]) -> IngestReport:
    report = IngestReport()
    with db.transaction() as session:
        for name in names:
            document = session.scalar(
                select(SourceDocument).where(SourceDocument.source == Path(name).name)
            )
            if document is None:
                raise DocumentError(Path(name), "is not in the knowledge base")
            session.delete(document)
            report.removed.append(document.source)
    return report


def sync_folder(db: Database, folder: Path) -> IngestReport:
    """Ingest the knowledge folder's documents and drop ones whose file is gone from it."""
    report = ingest(db, [folder], origin="knowledge") if folder.is_dir() else IngestReport()
    present = {p.name for p in expand([folder])} if folder.is_dir() else set()
    with db.transaction() as session:
        for document in session.scalars(
            select(SourceDocument).where(SourceDocument.origin == "knowledge")
        ):
            if document.source not in present:
                session.delete(document)
                report.removed.append(document.source)
    return report
