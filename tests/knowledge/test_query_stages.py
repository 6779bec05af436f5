"""The query side over official documents: the named document wins over one that merely
recalls it, a yearly series answers from the named (or else the latest) version and says
which, a state's private document stays unknown to others, and five sources are printed.

Real Chroma and BM25 over hand-built chunks carrying the ingestion metadata contract; the
hashing embedder stands in for the model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secbot.access.chroma import REGIONAL, retrieval_where
from secbot.access.principal import Place, Principal
from secbot.access.scope import scope_for
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.knowledge.ask import Asker
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.fusion import Stages
from secbot.knowledge.lexical_index import LexicalIndex
from secbot.knowledge.retriever import HybridRetriever
from secbot.knowledge.units import Unit
from secbot.knowledge.vector_index import VectorIndex, make_client

MANDATE = (
    "Decides to extend until {until} the mandate of the United Nations Integrated Office in "
    "Haiti (BINUH) as set out in resolution 2476 (2019)."
)
FINANCING = "Decides that all States shall prevent and suppress the financing of terrorist acts."


def chunk(
    source: str,
    symbol: str,
    year: int,
    para: str,
    text: str,
    *,
    section: str = "operative",
    series: str = "",
    title: str = "",
    owner: str = REGIONAL,
    tlp: str = "CLEAR",
) -> Unit:
    number = symbol.split("/")[-1].split(" ")[0] if symbol else ""
    locator = f"{symbol or title}, {'op. ' if section == 'operative' else ''}para {para}"
    meta: dict[str, Any] = {
        "kind": "document",
        "source": source,
        "locator": locator,
        "citation": locator,
        "owner": owner,
        "tlp": tlp,
        "readers": ["*none"],
        "section": section,
        "para": para,
        "doc_symbol": symbol,
        "doc_number": number,
        "doc_year": year,
        "doc_date": f"{year}-07-01" if year else "",
        "doc_type": "resolution" if symbol else "conclusions",
        "doc_body": "Security Council" if symbol else "",
        "doc_title": title or f"The question concerning {source}",
        "doc_series": series,
    }
    return Unit(f"{source}#{para}", text, meta)


UNITS = [
    *(
        chunk(
            f"binuh-{y}.txt",
            f"S/RES/{n} ({y})",
            y,
            "1",
            MANDATE.format(until=f"15 July {y + 1}"),
            series="binuh",
            title="The question concerning Haiti",
        )
        for n, y in ((2600, 2021), (2645, 2022), (2692, 2023))
    ),
    *(
        chunk(
            f"binuh-{y}.txt",
            f"S/RES/{n} ({y})",
            y,
            "2",
            f"Requests the Secretary-General to report every {m} days on the situation.",
            series="binuh",
            title="The question concerning Haiti",
        )
        for n, y, m in ((2600, 2021, 120), (2645, 2022, 90), (2692, 2023, 60))
    ),
    chunk(
        "res-1373.txt",
        "S/RES/1373 (2001)",
        2001,
        "1",
        FINANCING,
        title="Threats to international peace and security caused by terrorist acts",
    ),
    chunk(
        "res-1373.txt",
        "S/RES/1373 (2001)",
        2001,
        "2",
        "Decides also that all States shall refrain from providing any form of support.",
    ),
    chunk(
        "res-2178.txt",
        "S/RES/2178 (2014)",
        2014,
        "3",
        "Recalling its resolution 1373 (2001), which decides that all States shall prevent "
        "and suppress the financing of terrorist acts, and stressing the financing of acts.",
        section="preamble",
        title="Threats to international peace and security caused by terrorist acts",
    ),
    chunk(
        "res-2178.txt",
        "S/RES/2178 (2014)",
        2014,
        "5",
        "Decides that Member States shall prevent the travel of foreign terrorist fighters.",
    ),
    chunk(
        "salvador.txt",
        "",
        2019,
        "4",
        "The ministers agreed to mark firearms at import.",
        section="body",
        title="Conclusions of the ministerial meeting in San Salvador",
    ),
    chunk(
        "kingstown.txt",
        "",
        2020,
        "4",
        "The ministers agreed to trace firearms at ports.",
        section="body",
        title="Declaration of Kingstown",
    ),
    chunk(
        "private.txt",
        "BRB/RES/7 (2024)",
        2024,
        "1",
        "Decides that harbour patrols at Speightstown double at night.",
        owner="BRB",
        tlp="AMBER",
        title="Barbados harbour order",
    ),
    chunk(
        "knowledge/summary.md",
        "",
        0,
        "7",
        "In short: all States shall prevent and suppress the financing of terrorist acts, "
        "as the Council decided in 2001.",
        section="body",
        title="Security management model",
    ),
    chunk(
        "public-port.txt",
        "S/RES/9001 (2024)",
        2024,
        "1",
        "Calls upon States to strengthen harbour patrols and port security.",
        title="Maritime security",
    ),
]


@pytest.fixture
def retriever(tmp_path: Path) -> Iterator[HybridRetriever]:
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="stages_test")
    vector.upsert(UNITS)
    lexical = LexicalIndex()
    lexical.replace_all(UNITS)
    yield HybridRetriever(vector, lexical, embedder, floor=0.0, weak=0.0)


def member(party: str) -> Principal:
    return Principal(party, Role.DELEGATE, Place.direct())


def top(retriever: HybridRetriever, question: str, party: str = "JAM", **kw: Any) -> list[str]:
    where = retrieval_where(scope_for(member(party)))
    return [str(h.metadata["source"]) for h in retriever.search(question, where, **kw)]


def test_the_named_document_wins_over_one_that_recalls_it(retriever: HybridRetriever) -> None:
    question = "What does S/RES/1373 (2001) decide on the financing of terrorist acts?"
    assert top(retriever, question)[0] == "res-1373.txt"
    assert (
        top(retriever, "What does resolution 1373 decide on financing of terrorist acts?")[0]
        == "res-1373.txt"
    )
    # Naming the recalling resolution instead brings it first: the boost follows the name.
    assert (
        top(retriever, "What does resolution 2178 decide on financing of terrorist acts?")[0]
        == "res-2178.txt"
    )


def test_a_meeting_named_by_its_place(retriever: HybridRetriever) -> None:
    assert top(retriever, "What did the San Salvador conclusions agree on firearms?")[0] == (
        "salvador.txt"
    )
    assert top(retriever, "What did the Kingstown declaration agree on firearms?")[0] == (
        "kingstown.txt"
    )


def test_a_named_year_of_a_series_wins(retriever: HybridRetriever) -> None:
    question = "In the 2022 renewal, until when is the mandate of BINUH extended?"
    assert top(retriever, question)[0] == "binuh-2022.txt"
    assert top(retriever, "Until when does S/RES/2600 (2021) extend the BINUH mandate?")[0] == (
        "binuh-2021.txt"
    )


def test_no_year_answers_from_the_latest_version_and_says_so(
    retriever: HybridRetriever, db: Database
) -> None:
    question = "Until when is the mandate of BINUH in Haiti extended?"
    hits = retriever.search(question, retrieval_where(scope_for(member("JAM"))))
    assert hits[0].metadata["source"] == "binuh-2023.txt"
    assert hits[0].as_of == "S/RES/2692 (2023)"
    with db.reading() as session:
        reply = Asker(retriever).ask(session, member("JAM"), question)
    assert reply.text.startswith("As of S/RES/2692 (2023): “Decides to extend until 15 July 2024")
    # Naming a year says no "as of".
    with db.reading() as session:
        named = Asker(retriever).ask(session, member("JAM"), question + " (2022 renewal)")
    assert "As of" not in named.text and "15 July 2023" in named.text.split("\n")[0]


def test_no_year_answers_from_the_latest_version_that_holds_the_paragraph(
    tmp_path: Path,
) -> None:
    """A 2024 renewal that only extends the mandate cannot say how often to report: the latest
    version the search found that does (2023) answers, and says so."""
    renewal = chunk(
        "binuh-2024.txt",
        "S/RES/2751 (2024)",
        2024,
        "1",
        MANDATE.format(until="15 July 2025"),
        series="binuh",
        title="The question concerning Haiti",
    )
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="latest_test")
    vector.upsert([*UNITS, renewal])
    lexical = LexicalIndex()
    lexical.replace_all([*UNITS, renewal])
    retriever = HybridRetriever(vector, lexical, embedder, floor=0.0, weak=0.0)
    where = retrieval_where(scope_for(member("JAM")))
    hits = retriever.search("How often must the Secretary-General report on BINUH?", where)
    assert hits[0].metadata["source"] == "binuh-2023.txt"
    assert hits[0].as_of == "S/RES/2692 (2023)"
    mandate = retriever.search("Until when is the mandate of BINUH in Haiti extended?", where)
    assert mandate[0].metadata["source"] == "binuh-2024.txt"
    assert mandate[0].as_of == "S/RES/2751 (2024)"


def test_without_the_stages_the_series_is_not_chosen(retriever: HybridRetriever) -> None:
    """The ablation switch really switches: with no stages, the year in the question does not
    pick the version (the hashing embedder sees near-identical text)."""
    question = "In the 2022 renewal, until when is the mandate of BINUH extended?"
    plain = retriever.search(
        question, retrieval_where(scope_for(member("JAM"))), stages=Stages.parse("none")
    )
    assert all(not h.as_of for h in plain)
    with_stage = top(retriever, question, stages=Stages.parse("series"))
    assert with_stage[0] == "binuh-2022.txt"


def test_a_private_document_named_by_another_state_is_unknown(
    retriever: HybridRetriever, db: Database
) -> None:
    named = "What does BRB/RES/7 (2024) say about harbour patrols at night?"
    unknown = "What does BRB/RES/8 (2024) say about harbour patrols at night?"
    where = retrieval_where(scope_for(member("JAM")))
    for hit in retriever.search(named, where, k=10):
        assert hit.metadata["owner"] != "BRB"
    with db.reading() as session:
        asker = Asker(retriever)
        seen = asker.ask(session, member("JAM"), named).text
        blank = asker.ask(session, member("JAM"), unknown).text
    assert seen == blank
    assert "Speightstown" not in seen and "BRB/RES/7" not in seen
    # Its owner's retrieval does find it by name: the name is matched, for those who may see it.
    assert top(retriever, named, party="BRB")[0] == "private.txt"


def test_up_to_five_sources_are_printed(retriever: HybridRetriever, db: Database) -> None:
    with db.reading() as session:
        reply = Asker(retriever).ask(session, member("JAM"), "What does the Council decide?")
    sources = reply.text.split("Sources:\n", 1)[1].splitlines()
    assert len(sources) == 5 and sources[-1].startswith("[5] ")
    assert len(reply.citations) == 5
    first = reply.text.splitlines()[0]
    assert first.startswith("“") and "[1]" in first, first


def test_the_primary_text_is_cited_ahead_of_a_summary_repeating_it(
    retriever: HybridRetriever,
) -> None:
    question = (
        "In short, as the Council decided in 2001, all States shall prevent the financing of "
        "terrorist acts?"
    )
    plain = top(retriever, question, k=6, stages=Stages.parse("none"))
    assert plain[0] == "knowledge/summary.md", plain  # the summary says it in the question's words
    both = top(retriever, question, k=6, stages=Stages.parse("primary_first"))
    assert both[:2] == ["res-1373.txt", "knowledge/summary.md"], both


def test_a_named_documents_passages_pass_the_askers_filter_one_by_one(tmp_path: Path) -> None:
    """A document is judged visible on its first chunk, but its passages carry their own labels:
    naming a public document must not pull in a passage of it that the asker may not see."""
    units = [
        *UNITS,
        chunk(
            "res-4242.txt",
            "S/RES/4242 (2024)",
            2024,
            "1",
            "Decides that coastal states shall share vessel tracking data.",
        ),
        chunk(
            "res-4242.txt",
            "S/RES/4242 (2024)",
            2024,
            "2",
            "Annex: vessel tracking data held by the Barbados coast guard at Oistins.",
            owner="BRB",
            tlp="AMBER",
        ),
    ]
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="mixed_test")
    vector.upsert(units)
    lexical = LexicalIndex()
    lexical.replace_all(units)
    mixed = HybridRetriever(vector, lexical, embedder, floor=0.0, weak=0.0)
    question = "What does S/RES/4242 (2024) say about vessel tracking data?"
    jam = retrieval_where(scope_for(member("JAM")))
    hits = mixed.search(question, jam, k=10)
    assert any(h.id == "res-4242.txt#1" for h in hits), [h.id for h in hits]
    assert all(h.metadata["owner"] != "BRB" for h in hits), [h.id for h in hits]
    assert lexical.scores_for(question, ["res-4242.txt#1", "res-4242.txt#2"], jam).keys() == {
        "res-4242.txt#1"
    }
    own = retrieval_where(scope_for(member("BRB")))
    assert "res-4242.txt#2" in [h.id for h in mixed.search(question, own, k=10)]
