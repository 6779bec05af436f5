"""Knowledge (the secretariat admin): the ingested documents, an upload that goes through
`secbot ingest`'s path (knowledge.ingest), and removal after a confirm step. After either, the
index is repaired from SQL (Chroma and BM25 follow), as the CLI does."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, allowed, require
from secbot.db.models import DocumentChunk, SourceDocument
from secbot.domain.errors import InvalidInput, NotFound
from secbot.domain.zones import show_time
from secbot.identity.web_access import Visitor, visitor
from secbot.knowledge import ingest
from secbot.knowledge.documents import DocumentError
from secbot.web.core import CONSOLE, COOKIE, page, see_other, work

routes = web.RouteTableDef()
MAX_BYTES = 20 * 1024 * 1024
"""An upload's size limit: the largest UN document in the corpus is under 5 MB."""
TYPES = (".txt", ".md", ".pdf", ".docx")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()-]+")


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _documents(session: Session, v: Visitor) -> list[dict[str, Any]]:
    require(v.principal, Action.MANAGE_KNOWLEDGE)
    passages = (
        select(DocumentChunk.document_id, func.count(DocumentChunk.id).label("n"))
        .group_by(DocumentChunk.document_id)
        .subquery()
    )
    rows = session.execute(
        select(SourceDocument, func.coalesce(passages.c.n, 0))
        .outerjoin(passages, passages.c.document_id == SourceDocument.id)
        .order_by(SourceDocument.ingested_at.desc(), SourceDocument.id.desc())
    )
    return [
        {
            "id": d.id,
            "source": d.source,
            "title": d.title,
            "symbol": d.doc_symbol,
            "year": d.doc_year or "",
            "passages": n,
            "when": show_time(d.ingested_at),
            "folder": d.origin == "knowledge",
        }
        for d, n in rows
    ]


def _show(
    request: web.Request, who: dict[str, Any], status: int = 200, **more: Any
) -> web.Response:
    return page(
        request,
        "knowledge.html",
        who,
        status=status,
        title="Knowledge",
        limit=_size(MAX_BYTES),
        types=", ".join(TYPES),
        **more,
    )


@routes.get("/knowledge")
async def knowledge_list(request: web.Request) -> web.Response:
    docs, who = await work(request, _documents)
    return _show(request, who, docs=docs, notice=request.query.get("done", "")[:300] or None)


def file_name(raw: str) -> str:
    """The uploaded file's own name, without folders and odd characters; its type checked."""
    name = SAFE_NAME.sub("_", Path(raw.replace("\\", "/")).name).strip(" .")[:120]
    if not name:
        raise InvalidInput("Choose a file to upload.")
    if Path(name).suffix.lower() not in TYPES:
        raise InvalidInput(f"{name}: use a {', '.join(TYPES)} file.")
    return name


async def _may_upload(request: web.Request) -> bool:
    """Asked before the body is read: nobody else makes the server hold an upload in memory."""
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)

    def check() -> bool:
        with console.db.transaction() as session:
            found = visitor(session, token, console.clock())
            return found is not None and allowed(found.principal, Action.MANAGE_KNOWLEDGE)

    return await asyncio.to_thread(check)


async def _read_upload(request: web.Request, keep: bool) -> tuple[str, str, bytes | None]:
    """The form's CSRF token, file name and bytes (None when over the limit), read from the
    multipart stream with the limit applied as it arrives; `keep` false drains the file."""
    csrf, name, data = "", "", bytearray()
    if not request.content_type.startswith("multipart/"):
        form = await request.post()
        return str(form.get("csrf", "")), "", b""
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "csrf":
            token = b""
            while (chunk := await part.read_chunk(256)) and len(token) < 256:  # a short token
                token += chunk
            csrf = token[:256].decode("utf-8", "replace")
        elif part.name == "file":
            name = part.filename or ""
            while chunk := await part.read_chunk(64 * 1024):
                if not keep:
                    continue
                data += chunk
                if len(data) > MAX_BYTES:
                    return csrf, name, None
    return csrf, name, bytes(data)


@routes.post("/knowledge")
async def knowledge_upload(request: web.Request) -> web.StreamResponse:
    """Checks, the document, its passages and the audit line in one transaction: if any part
    fails nothing is written, and the uploaded file is not kept (or the one it replaced is
    restored)."""
    console = request.app[CONSOLE]
    csrf, raw_name, data = await _read_upload(request, keep=await _may_upload(request))
    kept: list[tuple[Path, bytes | None]] = []

    def upload(session: Session, v: Visitor) -> tuple[str, ingest.IngestReport]:
        require(v.principal, Action.MANAGE_KNOWLEDGE)
        if data is None:
            raise InvalidInput(f"That file is over {_size(MAX_BYTES)}, the upload limit.")
        name = file_name(raw_name)
        if not data:
            raise InvalidInput(f"{name} is empty.")
        if console.uploads is None:
            raise InvalidInput("Uploads are not set up on this server; use `secbot ingest`.")
        existing = session.scalar(select(SourceDocument).where(SourceDocument.source == name))
        if existing is not None and existing.origin == "knowledge":
            raise InvalidInput(
                f"{name} comes from the knowledge/ folder; change the file there instead."
            )
        target = _keep(console.uploads, name, data, kept)
        report = ingest.IngestReport()
        ingest.store(session, target, ingest.checked_digest(target), origin="web", report=report)
        what = "unchanged" if report.unchanged else "replaced" if report.replaced else "added"
        audit.record(
            session,
            v.principal,
            "knowledge_upload",
            source=name,
            outcome=what,
            passages=report.chunks,
            bytes=len(data),
        )
        return name, report

    try:
        (name, report), who = await work(request, upload, csrf=csrf)
    except (InvalidInput, DocumentError) as error:
        _restore(kept)
        docs, who = await work(request, _documents, csrf=csrf)
        said = error.message if isinstance(error, InvalidInput) else _unreadable(error)
        return _show(request, who, status=400, docs=docs, error=said)
    except BaseException:
        _restore(kept)
        raise
    said = await _reindexed(request, _said(name, report))
    return see_other("/web/knowledge?" + _query(said))


def _unreadable(error: DocumentError) -> str:
    return f"{error.path.name}: {error.message}"


def _keep(folder: Path, name: str, data: bytes, kept: list[tuple[Path, bytes | None]]) -> Path:
    """Write the upload under the uploads folder, noting what it replaced for `_restore`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    kept.append((target, target.read_bytes() if target.exists() else None))
    target.write_bytes(data)
    return target


def _restore(kept: list[tuple[Path, bytes | None]]) -> None:
    """Undo `_keep` after a failed transaction: a new file goes, a replaced one comes back."""
    for target, previous in kept:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)


def _said(name: str, report: ingest.IngestReport) -> str:
    if report.unchanged:
        return f"{name} is already in the knowledge base, unchanged."
    verb = "Replaced" if report.replaced else "Added"
    return f"{verb} {name}: {report.chunks} passage{'' if report.chunks == 1 else 's'}."


async def _reindexed(request: web.Request, said: str) -> str:
    reindex = request.app[CONSOLE].reindex
    if reindex is None:
        return f"{said} Answers use it once the index is rebuilt (at the next start)."
    await asyncio.to_thread(reindex)
    return f"{said} The index is up to date."


def _query(notice: str) -> str:
    return urlencode({"done": notice})


@routes.post("/knowledge/{doc_id}/remove")
async def knowledge_remove(request: web.Request) -> web.StreamResponse:
    """Without `confirm=yes`: the confirm page. With it: the document and its passages leave
    SQL in one transaction (audited), then the index repair takes them out of Chroma and BM25."""
    raw = request.match_info["doc_id"][:12]
    form = await request.post()
    confirmed = form.get("confirm") == "yes"
    folder = request.app[CONSOLE].uploads

    def remove(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.MANAGE_KNOWLEDGE)
        doc = session.get(SourceDocument, int(raw)) if raw.isdigit() else None
        if doc is None:
            raise NotFound("No such document; it may have been removed already.")
        if doc.origin == "knowledge":
            raise InvalidInput(
                f"{doc.source} comes from the knowledge/ folder; remove the file there instead."
            )
        shown = {"id": doc.id, "source": doc.source, "title": doc.title}
        if not confirmed:
            n = session.scalar(
                select(func.count(DocumentChunk.id)).where(DocumentChunk.document_id == doc.id)
            )
            return {**shown, "passages": int(n or 0)}
        audit.record(session, v.principal, "knowledge_remove", source=doc.source)
        session.delete(doc)
        kept = Path(doc.path)
        ours = folder is not None and doc.origin == "web" and kept.parent == folder.resolve()
        return {**shown, "removed": kept if ours else None}

    done, who = await work(request, remove)
    if not confirmed:
        return page(request, "knowledge_remove.html", who, title="Remove a document", d=done)
    if done["removed"] is not None:  # the uploaded file, once its rows are gone
        done["removed"].unlink(missing_ok=True)
    said = await _reindexed(request, f"Removed {done['source']}.")
    return see_other("/web/knowledge?" + _query(said))
