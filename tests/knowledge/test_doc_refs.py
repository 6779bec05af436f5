"""Reading which document a question names, in the spellings people use, and matching it
against a catalogue. Pure functions: no index."""

from __future__ import annotations

import pytest

from secbot.knowledge.doc_refs import DocInfo, parse, resolve
from secbot.knowledge.fusion import Stages


@pytest.mark.parametrize(
    ("question", "symbol", "year"),
    [
        ("Under S/RES/1373 (2001), what must states do?", "SRES1373", 2001),
        ("what does s/res/1373 say", "SRES1373", 0),
        ("S/RES/2700(2023) op 3?", "SRES2700", 2023),
        ("S / RES / 2700 (2023)", "SRES2700", 2023),
        ("According to AG/RES. 1886 (XXXII-O/02), what is asked?", "AGRES1886", 0),
        ("According to AG/RES. 1886 (2002), what is asked?", "AGRES1886", 2002),
        ("What does A/RES/80/15 request?", "ARES8015", 0),
        ("What did S/PRST/2023/5 stress?", "SPRST20235", 0),
    ],
)
def test_symbols_in_many_spellings(question: str, symbol: str, year: int) -> None:
    refs = parse(question)
    assert [s for s, _y in refs.symbols] == [symbol]
    assert refs.symbols[0][1] == year


def test_numbers_years_and_names() -> None:
    assert parse("What does resolution 2178 say about travel?").numbers == ("2178",)
    assert parse("What do resolutions 2240 and 2546 authorise?").numbers == ("2240", "2546")
    assert parse("res. 2396 on returnees").numbers == ("2396",)
    renewal = parse("In the 2023 renewal, how long is the mandate?")
    assert renewal.years == (2023,) and not renewal.numbers and not renewal.symbols
    assert parse("What did the San Salvador conclusions agree?").names == ("San Salvador",)
    assert "Kingstown" in parse("What does the Declaration of Kingstown say?").names
    plain = parse("what is the boiling point of water at sea level?")
    assert plain.empty


DOCS = {
    "a.txt": DocInfo("a.txt", "S/RES/1373 (2001)", "1373", 2001, title="Threats by terrorist acts"),
    "b.txt": DocInfo("b.txt", "S/RES/2178 (2014)", "2178", 2014, title="Threats by terrorist acts"),
    "c.txt": DocInfo("c.txt", "AG/RES. 1886 (XXXII-O/02)", "1886", 2002, title="Hemisphere"),
    "d.txt": DocInfo("d.txt", "", "", 2019, title="Conclusions of the meeting in San Salvador"),
    "e.txt": DocInfo("e.txt", "", "", 2020, title="Declaration of Kingstown on firearms"),
}


def test_resolving_against_the_catalogue() -> None:
    assert resolve(parse("S/RES/1373 (2001) on financing"), DOCS).named == {"a.txt"}
    assert resolve(parse("S/RES/1373 (2005) on financing"), DOCS).named == set()
    assert resolve(parse("resolution 2178"), DOCS).named == {"b.txt"}
    assert resolve(parse("AG/RES. 1886 (2002)"), DOCS).named == {"c.txt"}
    assert resolve(parse("the San Salvador conclusions"), DOCS).named == {"d.txt"}
    assert resolve(parse("the Kingstown declaration"), DOCS).named == {"e.txt"}
    # A word in most titles names nothing in particular.
    assert resolve(parse("Threats to peace?"), DOCS).named == set()
    # A document not in the (already filtered) catalogue is unknown.
    hidden = {k: v for k, v in DOCS.items() if k != "a.txt"}
    assert resolve(parse("S/RES/1373 (2001)"), hidden).named == set()


def test_stages_parse_for_the_ablation() -> None:
    assert Stages.parse("all") == Stages()
    none = Stages.parse("none")
    assert not any(getattr(none, n) for n in Stages.names())
    two = Stages.parse("doc_refs,series")
    assert two.doc_refs and two.series and not two.structure and not two.primary_first
    with pytest.raises(ValueError, match="unknown stage"):
        Stages.parse("rerank")
