"""Readers keep each format's real structure (headings, paragraphs, tables) and fail loudly."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from secbot.knowledge.documents import (
    Block,
    BlockKind,
    DocumentError,
    normalise,
    prettify_stem,
    read_document,
)

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "security-management-model.txt"


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed document not found at {SEED}; it lives outside the repository")
    return SEED


def minimal_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A one-page PDF with one text line per entry, built by hand (no PDF writer needed)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info = b" /Info %d 0 R" % len(objects) if title is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, info)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def texts(blocks: tuple[Block, ...], kind: BlockKind | None = None) -> list[str]:
    return [b.text for b in blocks if kind is None or b.kind is kind]


# --- the seed document -----------------------------------------------------------------------


def test_seed_title_comes_from_the_file_name(seed_path: Path) -> None:
    doc = read_document(seed_path)
    assert doc.source == "security-management-model.txt"
    assert doc.title == "Security management model"


def test_seed_markers_stay_on_their_own_blocks(seed_path: Path) -> None:
    doc = read_document(seed_path)
    found = texts(doc.blocks)
    assert found[:4] == ["I.", "BACKGROUND AND MANDATES", "1.", found[3]]
    assert found[3].startswith("The special meeting of the Committee on Hemispheric Security")
    assert "18" in found  # the paragraph number printed without its dot
    assert "(7)" in found and "Security" in found


def test_seed_wrapped_lines_are_rejoined_and_unicode_kept(seed_path: Path) -> None:
    doc = read_document(seed_path)
    para_5 = next(t for t in texts(doc.blocks) if t.startswith("During its inaugural meeting"))
    assert "As indicated in the Work Program, the first task" in para_5
    para_3 = next(t for t in texts(doc.blocks) if t.startswith("At its March 2001"))
    assert "Several member States" in para_3
    assert any("“the military-political" in t for t in texts(doc.blocks))
    assert any("state’s sovereignty" in t for t in texts(doc.blocks))
    assert not any("\t" in t or "  " in t for t in texts(doc.blocks))


def test_seed_table_rows_and_cells(seed_path: Path) -> None:
    doc = read_document(seed_path)
    tables = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert len(tables) == 1
    rows = tables[0].rows
    assert rows[0] == ("ELEMENT/PROCESS", "GROUP INVOLVED", "ACTIONS/OUTCOMES")
    assert [row[0] for row in rows[1:]] == [
        "STRATEGIC POLICY FORMULATION AND DIRECTION",
        "STRATEGIC AND OPERATIONAL CONSULTATION AND RESPONSE",
        "STRATEGIC ANALYSIS",
    ]
    assert rows[2][1] == "STATE AND NON-STATE ACTORS"  # a cell broken over a blank line
    assert rows[1][2].splitlines()[1].startswith("2. Development of mutually agreeable")


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_headings_lists_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "register.md"
    path.write_text(
        "---\nowner: secretariat\n---\n"
        "# Regional register\n\nIntro line one\ncontinues here.\n\n"
        "## Threat register\n\n### RT-04\n\nVolcanic events.\n\n- first item\n- second item\n\n"
        "| Code | Title |\n|------|-------|\n| RT-01 | Hurricanes |\n\n"
        "Contacts\n--------\n\n```\nkeep  spacing\n```\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Regional register"
    headings = [(b.level, b.text) for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        (1, "Regional register"),
        (2, "Threat register"),
        (3, "RT-04"),
        (2, "Contacts"),
    ]
    paragraphs = texts(doc.blocks, BlockKind.PARAGRAPH)
    assert "Intro line one continues here." in paragraphs
    assert "- first item" in paragraphs and "- second item" in paragraphs
    assert "keep  spacing" in paragraphs  # code is kept verbatim
    assert not any("owner" in t for t in paragraphs)
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert table.rows == (("Code", "Title"), ("RT-01", "Hurricanes"))


def test_markdown_without_heading_uses_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "meeting_notes-2026.md"
    path.write_text("Just text.\n", encoding="utf-8")
    assert read_document(path).title == "Meeting notes 2026"


# --- DOCX ------------------------------------------------------------------------------------


def test_docx_styles_become_title_headings_and_tables(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Pilot model", 0)
    word.add_heading("II. ISSUES FOR CONSIDERATION", 1)
    word.add_paragraph("6.  In formulating the\u00a0model:")
    word.add_paragraph("a. The scope;")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "ELEMENT/PROCESS"
    table.cell(0, 1).text = "GROUP INVOLVED"
    table.cell(1, 0).text = "STRATEGIC ANALYSIS"
    table.cell(1, 1).text = "TECHNICAL SUPPORT ORGAN"
    word.add_paragraph("Closing remark.")
    path = tmp_path / "pilot.docx"
    word.save(str(path))

    doc = read_document(path)
    assert doc.title == "Pilot model"
    assert [b.kind for b in doc.blocks] == [
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.TABLE,
        BlockKind.PARAGRAPH,
    ]
    assert doc.blocks[0].level == 1
    assert doc.blocks[1].text == "6. In formulating the model:"
    assert doc.blocks[3].rows[1] == ("STRATEGIC ANALYSIS", "TECHNICAL SUPPORT ORGAN")


def test_docx_title_falls_back_to_core_properties(tmp_path: Path) -> None:
    word = docx.Document()
    word.core_properties.title = "Annual assessment"
    word.add_paragraph("Body text.")
    path = tmp_path / "assessment.docx"
    word.save(str(path))
    assert read_document(path).title == "Annual assessment"


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_lines_and_metadata_title(tmp_path: Path) -> None:
    path = tmp_path / "pilot.pdf"
    path.write_bytes(
        minimal_pdf(
            ["I.", "BACKGROUND", "1.", "The first paragraph (of two).", "2. Second one."],
            title="Pilot model",
        )
    )
    doc = read_document(path)
    assert doc.title == "Pilot model"
    assert texts(doc.blocks) == [
        "I.",
        "BACKGROUND",
        "1.",
        "The first paragraph (of two).",
        "2. Second one.",
    ]


def test_pdf_without_metadata_uses_the_stem(tmp_path: Path) -> None:
    path = tmp_path / "security-brief.pdf"
    path.write_bytes(minimal_pdf(["Some text."]))
    assert read_document(path).title == "Security brief"


# --- errors and text handling ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.odt", b"x", "unsupported file type"),
        ("empty.txt", b"  \n\t\n", "no text"),
        ("blank.md", b"", "no text"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("broken.pdf", b"%PDF-1.4 not really", "cannot read PDF"),
        ("broken.docx", b"not a zip", "cannot read Word document"),
        ("blank.pdf", minimal_pdf([]), "no text"),
    ],
)
def test_unusable_files_raise_document_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert caught.value.path == path
    assert message in caught.value.message
    assert name in str(caught.value)


def test_missing_file_raises_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        read_document(tmp_path / "absent.txt")


def test_windows_1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\u00e9 \u201cquoted\u201d \u2013 dash".encode("cp1252"))
    assert read_document(path).blocks[0].text == "Café “quoted” – dash"


def test_normalise_collapses_whitespace_but_keeps_punctuation() -> None:
    assert normalise(" a\u00a0\tb\u200b c\n d … “e” ") == "a b c d … “e”"


def test_prettify_stem() -> None:
    assert prettify_stem("security-management-model") == "Security management model"
