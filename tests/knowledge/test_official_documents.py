"""Official documents: the title block becomes metadata (never a passage), paragraphs are cited
as a diplomat cites them, over the 45 real UN texts in ../shared/corpus and synthetic regional
documents written for these tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from secbot.knowledge.chunking import Chunk, chunk_document
from secbot.knowledge.documents import read_document
from secbot.knowledge.official import official_for
from secbot.knowledge.title_block import series_key

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "un-security"
REGIONAL = Path(__file__).resolve().parent / "data" / "regional"
MONTHS = "January February March April May June July August September October November December"


def _sources() -> list[dict[str, Any]]:
    path = CORPUS / "sources.json"
    if not path.is_file():
        return []
    documents: list[dict[str, Any]] = json.loads(path.read_text())["documents"]
    return documents


SOURCES = _sources()
needs_corpus = pytest.mark.skipif(not SOURCES, reason=f"corpus not found at {CORPUS}")


def _iso(adoption: str) -> str:
    day, month, year = adoption.split()
    return f"{year}-{MONTHS.split().index(month) + 1:02d}-{int(day):02d}"


def _operative_numbers(chunks: list[Chunk]) -> set[str]:
    return {c.para.split()[0] for c in chunks if c.para and c.part in ("operative", "annex")}


# --- the 45 real documents -----------------------------------------------------------------------


@needs_corpus
def test_corpus_has_45_documents() -> None:
    assert len(SOURCES) == 45


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=lambda s: str(s["file"]))
def test_title_block_matches_sources_json(source: dict[str, Any]) -> None:
    doc = read_document(CORPUS / "docs" / source["file"])
    official = official_for(doc)
    assert official is not None
    meta = official.meta
    assert meta.symbol == source["symbol"]
    assert meta.year == source["year"]
    assert meta.date == _iso(source["adoption_date"])
    expected_type = "presidential_statement" if "PRST" in source["symbol"] else "resolution"
    assert meta.type == expected_type
    assert meta.body == (
        "General Assembly" if source["symbol"].startswith("A/") else "Security Council"
    )
    if source["symbol"].startswith("S/RES/"):
        assert meta.number == source["symbol"].split("/")[2].split()[0]
        assert meta.title.startswith(f"Resolution {meta.number} ({meta.year})")


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=lambda s: str(s["file"]))
def test_passages_are_paragraphs_with_locators(source: dict[str, Any]) -> None:
    """Operative paragraph count as in sources.json (S/RES/1456's 14 are in its annex; S/RES/1377
    and the presidential statements number none); no passage holds the title block; every passage
    has a locator that starts with the symbol."""
    doc = read_document(CORPUS / "docs" / source["file"])
    chunks = chunk_document(doc)
    assert len(_operative_numbers(chunks)) == source["operative_paragraphs"]
    for chunk in chunks:
        assert chunk.locator.startswith(source["symbol"] + ", ")
        assert chunk.citation == chunk.locator
        assert "Distr.: General" not in chunk.text
        assert not re.search(r"Adopted by the Security Council at its \d+", chunk.text)
        assert not chunk.text.startswith(("United Nations", source["symbol"]))
        assert chunk.part in ("preamble", "operative", "annex", "heading", "body")
        assert source["symbol"] in chunk.header and chunk.header not in chunk.text


@needs_corpus
def test_resolution_parts_and_sub_points() -> None:
    chunks = chunk_document(read_document(CORPUS / "docs" / "S_RES_1540_2004.txt"), max_chars=360)
    locators = [c.locator for c in chunks]
    assert locators[0] == "S/RES/1540 (2004), preamble para 1"
    assert chunks[0].text.startswith("Affirming that proliferation")
    assert "S/RES/1540 (2004), op. para 3 (b)" in locators
    assert "S/RES/1540 (2004), op. para 3 (b) (a)" not in " ".join(locators)
    sub = next(c for c in chunks if c.locator == "S/RES/1540 (2004), op. para 3 (b)")
    # a split-off sub-point repeats its paragraph's lead-in
    assert sub.text.startswith("3. Decides also that all States shall take and enforce")
    assert sub.para == "3 (b)" and sub.part == "operative"
    assert "operative paragraph 3 (b)" in sub.header


@needs_corpus
def test_annex_and_unnumbered_operative_paragraph() -> None:
    chunks = chunk_document(read_document(CORPUS / "docs" / "S_RES_1456_2003.txt"))
    assert chunks[0].part == "operative"
    assert chunks[0].text.startswith("Decides to adopt the attached declaration")
    annex = [c for c in chunks if c.part == "annex"]
    assert "S/RES/1456 (2003), annex, para 14" in [c.locator for c in annex]
    assert all(c.text != "The Security Council," for c in chunks)


@needs_corpus
def test_series_shares_a_key_across_years() -> None:
    keys = {
        name: official.meta.series
        for name in ("S_RES_2600_2021.txt", "S_RES_2692_2023.txt", "S_RES_2785_2025.txt")
        if (official := official_for(read_document(CORPUS / "docs" / name)))
    }
    assert set(keys.values()) == {"haiti"}
    ga = official_for(read_document(CORPUS / "docs" / "A_RES_80_38.txt"))
    assert (
        ga is not None and "small arms" in ga.meta.series and not re.search(r"\d", ga.meta.series)
    )


def test_series_key_drops_numbers_years_and_ordinals() -> None:
    assert series_key("The question concerning Haiti (2023)") == "the question concerning haiti"
    assert (
        series_key("Fourth meeting of focal points, 12th session")
        == "meeting of focal points session"
    )


# --- synthetic regional documents ----------------------------------------------------------------


def test_regional_resolution() -> None:
    doc = read_document(REGIONAL / "ag_res_1999_xlv.txt")
    official = official_for(doc)
    assert official is not None
    meta = official.meta
    assert (meta.symbol, meta.number, meta.year, meta.date) == (
        "AG/RES. 1999 (XLV-O/15)",
        "1999",
        2015,
        "2015-06-16",
    )
    assert meta.type == "resolution" and meta.body == "General Assembly"
    assert meta.series == "maritime domain awareness in the caribbean subregion"
    chunks = chunk_document(doc, max_chars=120)
    locators = [c.locator for c in chunks]
    assert locators[:3] == [f"AG/RES. 1999 (XLV-O/15), preamble para {n}" for n in (1, 2, 3)]
    assert "AG/RES. 1999 (XLV-O/15), op. para 2 b." in locators
    assert not any("RESOLVES" in c.text or "THE GENERAL ASSEMBLY" in c.text for c in chunks)


def test_declaration_in_markdown() -> None:
    doc = read_document(REGIONAL / "declaration_of_kingstown.md")
    official = official_for(doc)
    assert official is not None
    meta = official.meta
    assert (meta.title, meta.type, meta.date, meta.year, meta.symbol) == (
        "Declaration of Kingstown",
        "declaration",
        "2024-03-12",
        2024,
        "",
    )
    chunks = chunk_document(doc)
    assert [c.locator for c in chunks if c.para] == [
        f"Declaration of Kingstown, para {n}" for n in (1, 2, 3, 4)
    ]
    assert chunks[0].part == "preamble" and chunks[0].text.startswith("WE, THE MINISTERS")
    assert not any(c.text.startswith(("Declaration of Kingstown", "Adopted by")) for c in chunks)


def test_meeting_conclusions() -> None:
    doc = read_document(REGIONAL / "conclusions_san_salvador.txt")
    official = official_for(doc)
    assert official is not None
    meta = official.meta
    assert meta.type == "conclusions"
    assert meta.title.startswith("Conclusions of the fourth meeting of national focal points")
    assert "San Salvador" in meta.title and meta.date == "2025-04-04"
    assert meta.series == "conclusions of the meeting of national focal points on cyber incidents"
    chunks = chunk_document(doc)
    # the tiny "Opening." is merged into the paragraph after it, not a passage of its own
    assert not any(c.text == "Opening." for c in chunks)
    assert any(c.text.startswith("Opening. The participants heard") for c in chunks)
    numbered = [c for c in chunks if c.para]
    assert [c.para for c in numbered] == ["1", "2", "3"]
    assert numbered[0].locator == f"{meta.title}, para 1"


def test_plain_note_has_no_title_block(tmp_path: Path) -> None:
    note = tmp_path / "briefing-note.md"
    note.write_text(
        "# Briefing note on port security\n\nPorts share one alert list.\n\n"
        "## Actions\n\n1. Check manifests.\n2. Report gaps.\n"
    )
    doc = read_document(note)
    assert official_for(doc) is None
    chunks = chunk_document(doc)
    assert chunks and all(not c.cited_by_locator for c in chunks)
    assert chunks[0].citation.startswith("Briefing note on port security, ")
    assert all(c.header == "" for c in chunks)  # indexed exactly as before
