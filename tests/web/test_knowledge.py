"""The Knowledge page (the secretariat admin): upload through the ingest path, clear refusals
that change nothing, removal after a confirm step, audit lines, and the index repaired after."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from secbot.db.models import AuditEvent, DocumentChunk, SourceDocument
from secbot.web import knowledge_pages
from tests.support.web import LiveConsole, csrf_of
from tests.support.world import World
from tests.web.conftest import Repairs

NOTE = b"""# Harbour security note

1. Harbour patrols meet every Monday at the port authority.

2. Small craft must report to the harbour master before leaving at night.
"""


def _docs(people: World) -> dict[str, tuple[str, int]]:
    with people.db.transaction() as session:
        rows = session.execute(
            select(SourceDocument.source, SourceDocument.origin, SourceDocument.id)
        )
        out = {}
        for source, origin, doc_id in rows:
            n = session.query(DocumentChunk).filter_by(document_id=doc_id).count()
            out[source] = (origin, n)
        return out


def _actions(people: World) -> list[str]:
    with people.db.transaction() as session:
        return [a for a in session.scalars(select(AuditEvent.action)) if a.startswith("knowledge")]


def _upload(client, name: str, body: bytes, csrf: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/web/knowledge") if csrf is None else csrf
    return client.post("/web/knowledge", data={"csrf": token}, files={"file": (name, body)})


def test_upload_list_and_remove(
    console: LiveConsole, people: World, repairs: Repairs, tmp_path: Path
) -> None:
    admin = console.signed_in("secadmin")
    assert "No documents yet." in admin.get("/web/knowledge").text
    done = _upload(admin, "harbour-note.md", NOTE)
    assert done.status_code == 303, done.text
    page = admin.get(done.headers["location"]).text
    assert "Added harbour-note.md:" in page and "The index is up to date." in page
    assert "Harbour security note" in page
    origin, passages = _docs(people)["harbour-note.md"]
    assert origin == "web" and passages >= 1
    assert (tmp_path / "uploads" / "harbour-note.md").read_bytes() == NOTE
    assert repairs.count == 1 and _actions(people) == ["knowledge_upload"]

    again = admin.get(_upload(admin, "harbour-note.md", NOTE).headers["location"]).text
    assert "already in the knowledge base, unchanged" in again

    doc_id = admin.get("/web/knowledge").text.split("/web/knowledge/")[1].split("/")[0]
    ask = admin.post(f"/web/knowledge/{doc_id}/remove", data={"csrf": csrf_of(admin)})
    assert ask.status_code == 200 and "Remove harbour-note.md?" in ask.text
    assert f"its {passages} passage" in ask.text
    assert "harbour-note.md" in _docs(people), "asking changes nothing"
    gone = admin.post(
        f"/web/knowledge/{doc_id}/remove", data={"csrf": csrf_of(admin), "confirm": "yes"}
    )
    assert gone.status_code == 303
    assert "Removed harbour-note.md." in admin.get(gone.headers["location"]).text
    assert _docs(people) == {} and not (tmp_path / "uploads" / "harbour-note.md").exists()
    assert repairs.count == 3 and _actions(people)[-1] == "knowledge_remove"
    missing = admin.post(
        f"/web/knowledge/{doc_id}/remove", data={"csrf": csrf_of(admin), "confirm": "yes"}
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("tool.exe", b"MZ", "tool.exe: use a .txt, .md, .pdf, .docx file."),
        ("empty.txt", b"", "empty.txt is empty."),
        ("broken.pdf", b"%PDF-1.4 not really", "broken.pdf: "),
        ("", b"text", "Choose a file to upload."),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    console: LiveConsole,
    people: World,
    repairs: Repairs,
    tmp_path: Path,
    name: str,
    body: bytes,
    words: str,
) -> None:
    admin = console.signed_in("secadmin")
    refused = _upload(admin, name, body)
    assert refused.status_code == 400 and words in refused.text, refused.text[-600:]
    assert _docs(people) == {} and _actions(people) == [] and repairs.count == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_size_limit_csrf_and_folder_documents(
    console: LiveConsole, people: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = console.signed_in("secadmin")
    monkeypatch.setattr(knowledge_pages, "MAX_BYTES", 1024)
    big = _upload(admin, "big.txt", b"x" * 2048)
    assert big.status_code == 400 and "That file is over 1 KB, the upload limit." in big.text
    assert _upload(admin, "note.md", NOTE, csrf="wrong").status_code == 403
    assert _docs(people) == {}
    with people.db.transaction() as session:
        session.add(
            SourceDocument(
                source="model.md", title="Model", path="/k/model.md", sha256="0", origin="knowledge"
            )
        )
    page = admin.get("/web/knowledge").text
    assert "knowledge/ folder" in page and "Remove model.md" not in page
    assert "comes from the knowledge/ folder" in _upload(admin, "model.md", NOTE).text
    with people.db.transaction() as session:
        doc_id = session.scalar(select(SourceDocument.id))
    kept = admin.post(f"/web/knowledge/{doc_id}/remove", data={"csrf": csrf_of(admin)})
    assert kept.status_code == 400 and "remove the file there" in kept.text
    assert "model.md" in _docs(people)


def test_an_upload_whose_audit_line_fails_leaves_no_document(
    console: LiveConsole,
    people: World,
    repairs: Repairs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The document, its passages and the audit line are one transaction: the audit write
    failing (here: the audit table refusing the row) rolls the document back and the file
    is not kept; a replaced file comes back as it was."""
    admin = console.signed_in("secadmin")
    assert _upload(admin, "harbour-note.md", NOTE).status_code == 303
    before = _docs(people)
    token = csrf_of(admin, "/web/knowledge")

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(knowledge_pages.audit, "record", refuse)
    fresh = _upload(admin, "patrols.md", NOTE.replace(b"Harbour", b"Coast"), csrf=token)
    changed = _upload(admin, "harbour-note.md", NOTE + b"\n3. A third rule.\n", csrf=token)
    assert fresh.status_code == 500 and changed.status_code == 500
    monkeypatch.undo()
    assert _docs(people) == before and _actions(people) == ["knowledge_upload"]
    uploads = tmp_path / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["harbour-note.md"]
    assert (uploads / "harbour-note.md").read_bytes() == NOTE
    assert repairs.count == 1
