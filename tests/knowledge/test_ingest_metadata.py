"""Ingesting an official document records its metadata in SQL and puts the metadata contract on
every indexed unit; the unit is indexed with its context header and shows only its text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from secbot.db.models import DocumentChunk, SourceDocument
from secbot.db.session import Database
from secbot.knowledge.ingest import IngestReport, checked_digest, ingest, store
from secbot.knowledge.units import document_units

REGIONAL = Path(__file__).resolve().parent / "data" / "regional"
CONTRACT = {
    "doc_symbol": str,
    "doc_number": str,
    "doc_year": int,
    "doc_date": str,
    "doc_type": str,
    "doc_body": str,
    "doc_title": str,
    "doc_series": str,
    "section": str,
    "para": str,
    "locator": str,
    "citation": str,
    "header": str,
    "display": str,
}


def test_official_metadata_in_sql_and_on_every_unit(db: Database) -> None:
    report = ingest(db, [REGIONAL])
    assert sorted(report.added) == [
        "ag_res_1999_xlv.txt",
        "conclusions_san_salvador.txt",
        "declaration_of_kingstown.md",
    ]
    with db.reading() as session:
        row = session.scalar(
            select(SourceDocument).where(SourceDocument.source == "ag_res_1999_xlv.txt")
        )
        assert row is not None
        assert (row.doc_symbol, row.doc_number, row.doc_year, row.doc_date, row.doc_type) == (
            "AG/RES. 1999 (XLV-O/15)",
            "1999",
            2015,
            "2015-06-16",
            "resolution",
        )
        assert row.title.startswith("AG/RES. 1999 (XLV-O/15): Maritime domain awareness")
        chunk = session.scalar(
            select(DocumentChunk).where(
                DocumentChunk.locator == "AG/RES. 1999 (XLV-O/15), op. para 1"
            )
        )
        assert chunk is not None and chunk.section == "operative" and chunk.para == "1"
        units = list(document_units(session))
    assert len(units) == report.chunks
    for unit in units:
        for key, kind in CONTRACT.items():
            assert isinstance(unit.metadata[key], kind), (key, unit.metadata)
        meta = unit.metadata
        assert meta["section"] in ("preamble", "operative", "annex", "heading", "body")
        assert unit.text == f"{meta['header']}\n{meta['display']}"
        assert meta["citation"] == meta["locator"]
        assert meta["locator"].startswith(meta["doc_symbol"] or meta["doc_title"])
    kingstown = [u.metadata for u in units if u.metadata["source"] == "declaration_of_kingstown.md"]
    assert {m["doc_type"] for m in kingstown} == {"declaration"}
    assert "Declaration of Kingstown, para 4" in {m["locator"] for m in kingstown}


def test_plain_note_keeps_its_old_citations(db: Database, tmp_path: Path) -> None:
    note = tmp_path / "port-protocol.md"
    note.write_text(
        "# Port protocol\n\n## Inspections\n\nVessels from the watch list are boarded.\n"
    )
    ingest(db, [note])
    with db.reading() as session:
        (unit,) = [u for u in document_units(session) if u.metadata["source"] == note.name]
    meta = unit.metadata
    assert meta["citation"] == "Port protocol, Inspections"
    assert meta["locator"] == "Inspections"
    assert (meta["doc_symbol"], meta["doc_year"], meta["doc_type"]) == ("", 0, "other")
    assert meta["doc_title"] == "Port protocol"
    assert meta["display"] == "Inspections\nVessels from the watch list are boarded."
    assert meta["header"] == "" and unit.text == meta["display"]  # indexed as before


def test_store_writes_in_the_callers_transaction(db: Database, tmp_path: Path) -> None:
    """`store` leaves the commit to its caller (the web upload adds its audit line): a caller
    that fails after it leaves no document and no passage; one that succeeds keeps both."""
    note = tmp_path / "note.md"
    note.write_text("# Note\n\n1. Patrols meet on Mondays.\n", encoding="utf-8")
    digest = checked_digest(note)
    report = IngestReport()
    try:
        with db.transaction() as session:
            store(session, note, digest, origin="web", report=report)
            assert session.scalar(select(SourceDocument.source)) == "note.md"
            raise RuntimeError("the caller's next write fails")
    except RuntimeError:
        pass
    with db.reading() as session:
        assert session.scalar(select(SourceDocument.id)) is None
        assert session.scalar(select(DocumentChunk.id)) is None
    with db.transaction() as session:
        store(session, note, digest, origin="web", report=IngestReport())
    again = IngestReport()
    with db.transaction() as session:
        store(session, note, digest, origin="web", report=again)
    assert again.unchanged == ["note.md"] and again.chunks == 0
