"""PDF and Word versions of an official text read like the plain text: no running header,
footer or page number survives, hyphenated line breaks are joined, Word's own list numbering
becomes the paragraph numbers."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from secbot.knowledge.chunking import chunk_document
from secbot.knowledge.documents import normalise, read_document
from secbot.knowledge.official import official_for
from secbot.knowledge.pdf_cleanup import clean_pages, join_lines

CORPUS_DOC = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "corpus"
    / "un-security"
    / "docs"
    / "S_RES_2600_2021.txt"
)
SYMBOL = "S/RES/2600 (2021)"
COLUMN = 78


def _paragraphs() -> list[str]:
    if not CORPUS_DOC.is_file():
        pytest.skip(f"corpus document not found at {CORPUS_DOC}")
    text = CORPUS_DOC.read_text(encoding="utf-8")
    return [normalise(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _wrap(paragraph: str) -> list[str]:
    """Wrap at a fixed column as a word processor would, hyphenating long words that overflow
    (only where the rest starts in lower case, so the join is unambiguous)."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > COLUMN:
            room = COLUMN - len(line) - 2
            if len(word) >= 9 and room >= 4 and word[room : room + 1].islower() and word.isalpha():
                lines.append(f"{line} {word[:room]}-")
                line = word[room:]
                continue
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A.4 pages of the resolution with a running header (the symbol), a footer (a job number and
    `Page n of m`) and a bare page number, as UN documents are printed."""
    lines: list[str] = []
    for paragraph in _paragraphs():
        lines.extend(_wrap(paragraph))
        lines.append("")
    per_page = 38
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    path = tmp_path_factory.mktemp("pdf") / "S_RES_2600_2021.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, page in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 9)
        if number > 1:
            pdf.drawString(72, height - 40, SYMBOL)
        pdf.drawString(72, 30, f"21-15017 Page {number} of {len(pages)}")
        pdf.drawString(width - 90, 30, str(number))
        pdf.setFont("Helvetica", 10)
        y = height - 70
        for line in page:
            pdf.drawString(72, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    assert len(pages) >= 3
    return path


def test_pdf_reads_as_the_plain_text(pdf_path: Path) -> None:
    doc = read_document(pdf_path)
    texts = [b.text for b in doc.blocks]
    joined = "\n".join(texts)
    assert not any(re.search(r"Page \d+ of \d+|21-15017", t) for t in texts)
    assert not any(re.fullmatch(r"\d{1,3}", t) for t in texts)
    assert joined.count(SYMBOL) == 1  # in the title block only, not once a page
    for paragraph in _paragraphs()[1:]:
        assert paragraph in joined, paragraph[:80]


def test_pdf_chunks_like_the_text(pdf_path: Path) -> None:
    from_pdf = chunk_document(read_document(pdf_path))
    from_text = chunk_document(read_document(CORPUS_DOC))
    assert [c.locator for c in from_pdf] == [c.locator for c in from_text]
    assert [c.text for c in from_pdf] == [c.text for c in from_text]
    official = official_for(read_document(pdf_path))
    assert official is not None and official.meta.symbol == SYMBOL


def test_hyphenation_joined_only_for_broken_words() -> None:
    text = join_lines(
        [
            "Calls upon all States to strengthen their inter-",
            "national cooperation against the non-",
            "State actors named in the annex.",
        ]
    )
    assert text == (
        "Calls upon all States to strengthen their international cooperation against the "
        "non-State actors named in the annex."
    )


def test_running_lines_need_to_repeat() -> None:
    pages = [
        "CP/RES. 12\nTitle of the text\nFirst paragraph ends here.\nPage 1 of 3",
        "CP/RES. 12\nSecond paragraph text.\nPage 2 of 3",
        "CP/RES. 12\nThird paragraph, unique line.\n- 3 -",
    ]
    text = clean_pages(pages)
    assert text.count("CP/RES. 12") == 1
    assert "Page" not in text and "- 3 -" not in text
    assert "Third paragraph, unique line." in text


def test_docx_list_numbering_becomes_paragraph_numbers(tmp_path: Path) -> None:
    document = docx.Document()
    for line in (
        "AG/RES. 2100 (XLVIII-O/18)",
        "COASTAL RADAR SHARING",
        "(Adopted on June 5, 2018)",
    ):
        document.add_paragraph(line)
    document.add_paragraph("THE GENERAL ASSEMBLY,")
    document.add_paragraph("CONSIDERING that radar pictures are shared too late to act on them;")
    document.add_paragraph("RESOLVES:")
    document.add_paragraph("To share radar pictures within one hour.", style="List Number")
    document.add_paragraph("To ask the secretariat to:", style="List Number")
    document.add_paragraph("keep a register of radar sites;", style="List Number 2")
    document.add_paragraph("report yearly.", style="List Number 2")
    document.add_paragraph("To review this resolution in 2020.", style="List Number")
    path = tmp_path / "radar.docx"
    document.save(str(path))
    doc = read_document(path)
    official = official_for(doc)
    assert official is not None
    assert (official.meta.symbol, official.meta.year) == ("AG/RES. 2100 (XLVIII-O/18)", 2018)
    chunks = chunk_document(doc, max_chars=80)
    locators = [c.locator for c in chunks]
    assert "AG/RES. 2100 (XLVIII-O/18), op. para 2 (b)" in locators
    assert "AG/RES. 2100 (XLVIII-O/18), op. para 3" in locators
    assert locators[0] == "AG/RES. 2100 (XLVIII-O/18), preamble para 1"
