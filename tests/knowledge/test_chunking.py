"""Chunks follow the document's own numbering and carry locators a delegate can cite."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docx
import pytest

from secbot.knowledge.chunking import Chunk, chunk_document, locator_matches
from secbot.knowledge.documents import Block, BlockKind, Document, read_document

from .test_documents import minimal_pdf

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "security-management-model.txt"
PARAGRAPH = BlockKind.PARAGRAPH


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    if not SEED.is_file():
        pytest.skip(f"seed document not found at {SEED}; it lives outside the repository")
    return read_document(SEED)


@pytest.fixture(scope="module")
def seed_chunks(seed_doc: Document) -> list[Chunk]:
    return chunk_document(seed_doc)


def by_locator(chunks: list[Chunk], locator: str) -> Chunk:
    matches = [c for c in chunks if c.locator == locator]
    assert len(matches) == 1, f"{locator!r}: {[c.locator for c in chunks]}"
    return matches[0]


def para_number(locator: str) -> int | None:
    match = re.match(r"para (\d+)", locator)
    return int(match.group(1)) if match else None


def make_doc(source: str, *texts: str | Block) -> Document:
    blocks = tuple(t if isinstance(t, Block) else Block(PARAGRAPH, t) for t in texts)
    return Document(source=source, title="Test", blocks=blocks)


# --- the seed at the default size -------------------------------------------------------------


def test_seed_has_one_chunk_per_paragraph_and_table_row(seed_chunks: list[Chunk]) -> None:
    assert [c.locator for c in seed_chunks] == [f"para {n}" for n in range(1, 20)] + [
        "Table 1: Strategic policy formulation and direction",
        "Table 1: Strategic and operational consultation and response",
        "Table 1: Strategic analysis",
    ]
    assert [c.position for c in seed_chunks] == list(range(len(seed_chunks)))
    assert {c.source for c in seed_chunks} == {"security-management-model.txt"}
    assert {c.title for c in seed_chunks} == {"Security management model"}


def test_paragraph_15_keeps_its_actor_lists(seed_chunks: list[Chunk]) -> None:
    chunk = by_locator(seed_chunks, "para 15")
    assert chunk.text.startswith("15. Key Actors.")
    assert "(2) Diplomatic" in chunk.text
    assert "(2) Academia" in chunk.text
    assert "\nb. Non-State actors:" in chunk.text
    assert chunk.section == "II. Issues for consideration"
    assert chunk.citation == "Security management model, para 15"


def test_sections_follow_roman_headings(seed_chunks: list[Chunk]) -> None:
    assert by_locator(seed_chunks, "para 5").section == "I. Background and mandates"
    assert by_locator(seed_chunks, "para 6").section == "II. Issues for consideration"


def test_paragraph_1_item_e_is_findable(seed_chunks: list[Chunk]) -> None:
    hits = [c for c in seed_chunks if "environmental conditions and ecological disasters" in c.text]
    assert [c.locator for c in hits] == ["para 1"]
    assert "\ne. protection from environmental conditions" in hits[0].text


def test_paragraph_number_without_dot(seed_chunks: list[Chunk]) -> None:
    assert by_locator(seed_chunks, "para 18").text == (
        "18. These processes are expanded further in the attached Table 1 below."
    )


def test_table_rows_name_their_group_and_actions(seed_chunks: list[Chunk]) -> None:
    chunk = by_locator(seed_chunks, "Table 1: Strategic analysis")
    assert chunk.text.splitlines()[:2] == [
        "Table 1: Strategic analysis",
        "Group involved: Technical support organ",
    ]
    assert "Provision of focused strategic analyses" in chunk.text
    policy = by_locator(seed_chunks, "Table 1: Strategic policy formulation and direction")
    assert "Group involved: Political decision-making body" in policy.text
    assert "\n4. Provision of clearly articulated policy direction" in policy.text


def test_chunk_ids_are_stable_and_unique(seed_doc: Document, seed_chunks: list[Chunk]) -> None:
    again = chunk_document(read_document(SEED))
    assert [c.chunk_id for c in again] == [c.chunk_id for c in seed_chunks]
    assert len({c.chunk_id for c in seed_chunks}) == len(seed_chunks)
    first = seed_chunks[0]
    expected = hashlib.sha1(f"{first.source}\n{first.locator}\n{first.text}".encode()).hexdigest()
    assert first.chunk_id == expected[:16]
    assert re.fullmatch(r"[0-9a-f]{16}", first.chunk_id)


# --- the seed cut small -----------------------------------------------------------------------


def longest_sentence(text: str) -> int:
    return max(len(s) for s in re.split(r"(?<=[.;:?!”])\s+|\n", text))


@pytest.mark.parametrize("max_chars", [120, 300, 600])
def test_parts_respect_max_chars(seed_doc: Document, max_chars: int) -> None:
    chunks = chunk_document(seed_doc, max_chars=max_chars)
    for chunk in chunks:
        if len(chunk.text) > max_chars:
            # only a single sentence too long to cut, plus its short context prefix
            assert longest_sentence(chunk.text) > max_chars - 70, chunk.text
    numbers = [n for n in (para_number(c.locator) for c in chunks) if n is not None]
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(1, 20))
    assert all(
        c.text.startswith(f"{para_number(c.locator)}. ") for c in chunks if c.locator[0] == "p"
    )
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_long_paragraph_splits_at_sub_items(seed_doc: Document) -> None:
    chunks = chunk_document(seed_doc, max_chars=300)
    para_15 = [c for c in chunks if locator_matches(c.locator, "para 15")]
    assert [c.locator for c in para_15] == ["para 15", "para 15", "para 15 b."]
    assert "Diplomatic" in para_15[1].text
    assert para_15[2].text.startswith("15. Key Actors. … b. Non-State actors:")
    assert "Academia" in para_15[2].text
    para_1 = [c for c in chunks if "environmental conditions" in c.text]
    assert [c.locator for c in para_1] == ["para 1 d.–f."]


def test_very_small_parts_reach_sub_sub_items(seed_doc: Document) -> None:
    chunks = chunk_document(seed_doc, max_chars=120)
    locators = [c.locator for c in chunks]
    assert "para 1 e." in locators
    assert "para 15 a. (5)–(7)" in locators
    assert "para 15 b. (3)" in locators
    sub = by_locator(chunks, "para 15 a. (5)–(7)")
    assert sub.text.startswith(
        "15. Key Actors. … a. State actors in the following functional areas:"
    )


def test_max_chars_must_be_usable(seed_doc: Document) -> None:
    with pytest.raises(ValueError):
        chunk_document(seed_doc, max_chars=10)


# --- other structures -------------------------------------------------------------------------


def test_inline_roman_heading_and_markers() -> None:
    doc = make_doc(
        "brief.txt",
        "II. ISSUES FOR CONSIDERATION",
        "Opening words of the section.",
        "6. Issues to address:",
        "a.",
        "The concept;",
        "(1) first point",
        "b) The scope.",
        "12",  # out of sequence and without a dot: a stray number, not a paragraph
        "3 more words.",
    )
    chunks = chunk_document(doc)
    assert [(c.section, c.locator) for c in chunks] == [
        ("II. Issues for consideration", "II. Issues for consideration"),
        ("II. Issues for consideration", "para 6"),
    ]
    assert chunks[1].text == (
        "6. Issues to address:\na. The concept;\n(1) first point\nb. The scope. 12 3 more words."
    )


def test_markdown_chunks_by_heading_path(tmp_path: Path) -> None:
    path = tmp_path / "register.md"
    path.write_text(
        "# Regional register\n\nWhat this file is.\n\n## Threat register\n\n### RT-04\n\n"
        "Volcanic and seismic events.\n\n1. Watch seismic swarms.\n2. Check routes.\n\n"
        "### RT-05\n\nCocaine transshipment.\n",
        encoding="utf-8",
    )
    chunks = chunk_document(read_document(path))
    assert [(c.section, c.locator) for c in chunks] == [
        ("", "part 1"),
        ("Threat register", "Threat register > RT-04"),
        ("Threat register", "Threat register > RT-05"),
    ]
    assert chunks[1].text == (
        "Threat register > RT-04\nVolcanic and seismic events.\n"
        "1. Watch seismic swarms.\n2. Check routes."
    )
    assert chunks[1].citation == "Regional register, Threat register > RT-04"


def test_long_markdown_section_parts_keep_the_heading(tmp_path: Path) -> None:
    sentence = "Ash fall shuts airports and contaminates water across neighbouring states."
    path = tmp_path / "notes.md"
    path.write_text(f"# Notes\n\n## RT-04\n\n{' '.join([sentence] * 12)}\n", encoding="utf-8")
    chunks = chunk_document(read_document(path), max_chars=300)
    assert len(chunks) > 2
    assert all(c.locator == "RT-04" and c.text.startswith("RT-04\nAsh fall") for c in chunks)
    assert all(len(c.text) <= 300 for c in chunks)


def test_unstructured_text_is_numbered_in_parts() -> None:
    doc = make_doc("notes.txt", "First thought. " * 30, "Second thought. " * 30)
    chunks = chunk_document(doc, max_chars=200)
    assert [c.locator for c in chunks] == [f"part {n}" for n in range(1, len(chunks) + 1)]


def test_docx_headings_and_numbered_paragraphs(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Pilot model", 0)
    word.add_heading("I. BACKGROUND AND MANDATES", 1)
    word.add_paragraph("1. The Committee met.")
    word.add_paragraph("a. first aspect;")
    word.add_heading("Annex", 1)
    word.add_paragraph("Supporting text.")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "ELEMENT/PROCESS"
    table.cell(0, 1).text = "GROUP INVOLVED"
    table.cell(1, 0).text = "STRATEGIC ANALYSIS"
    table.cell(1, 1).text = "TECHNICAL SUPPORT ORGAN"
    path = tmp_path / "pilot.docx"
    word.save(str(path))

    chunks = chunk_document(read_document(path))
    assert [(c.section, c.locator) for c in chunks] == [
        ("I. Background and mandates", "para 1"),
        ("Annex", "Annex"),
        ("Annex", "Table 1: Strategic analysis"),
    ]
    assert chunks[0].text == "1. The Committee met.\na. first aspect;"
    assert chunks[2].text == "Table 1: Strategic analysis\nGroup involved: Technical support organ"


def test_pdf_markers_become_paragraph_locators(tmp_path: Path) -> None:
    path = tmp_path / "pilot.pdf"
    path.write_bytes(minimal_pdf(["I.", "BACKGROUND", "1.", "The first paragraph.", "2. Second."]))
    chunks = chunk_document(read_document(path))
    assert [(c.section, c.locator, c.text) for c in chunks] == [
        ("I. BACKGROUND", "para 1", "1. The first paragraph."),
        ("I. BACKGROUND", "para 2", "2. Second."),
    ]


# --- locator matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locator", "prefix", "expected"),
    [
        ("para 1", "para 1", True),
        ("para 1 e.", "para 1", True),
        ("para 15", "para 1", False),
        ("para 15 b.", "para 15", True),
        ("para 15 a.–c.", "para 15 a.", True),
        ("Table 1: Strategic analysis", "Table 1", True),
        ("Table 1: Strategic analysis", "Table 1: Strategic", True),
        ("Table 12: X", "Table 1", False),
        ("para 2", "para 1", False),
    ],
)
def test_locator_matches(locator: str, prefix: str, expected: bool) -> None:
    assert locator_matches(locator, prefix) is expected


def test_capital_letter_lists_are_not_sections() -> None:
    doc = make_doc("brief.txt", "I. BACKGROUND", "1. Options:", "A. first;", "C. third.")
    chunks = chunk_document(doc)
    assert [(c.section, c.locator) for c in chunks] == [("I. BACKGROUND", "para 1")]
    assert chunks[0].text == "1. Options: A. first; C. third."
