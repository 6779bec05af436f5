"""Uploads that would hold the ingest: a Word zip that unpacks to far more than it packs is refused
before any part is inflated, a PDF over the page limit before its pages are read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from secbot.knowledge.documents import DocumentError
from secbot.knowledge.docx_reader import read_docx


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    body = b"<w:p><w:r><w:t>ab</w:t></w:r></w:p>" * 400_000  # 14 MB that packs to ~40 KB
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(DocumentError, match="packs too tightly"):
        read_docx(bomb)


def test_a_broken_part_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><unclosed")
    with pytest.raises(DocumentError, match="cannot read Word document"):
        read_docx(broken)


def test_a_pdf_over_the_page_limit_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfWriter

    from secbot.knowledge import documents

    monkeypatch.setattr(documents, "MAX_PDF_PAGES", 3)
    long = tmp_path / "long.pdf"
    writer = PdfWriter()
    for _ in range(4):
        writer.add_blank_page(width=200, height=200)
    with long.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError, match="over 3 pages"):
        documents.read_document(long)
