"""What the bot ranks after the fusion stages must not lose what they found (issue 11): a
register kind a question happens to name ("threats to peace") does not put a weak register
entry ahead of the paragraph that answers, an acronym the official text spells out is not an
unseen name, and the bot's five hits are the top of the evaluation's ten."""

from __future__ import annotations

from pathlib import Path

from secbot.access.chroma import REGIONAL
from secbot.knowledge import doc_refs, support
from secbot.knowledge.ask import lead_named
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.fusion import NAMED_BOOST, Stages
from secbot.knowledge.lexical_index import LexicalIndex, stem
from secbot.knowledge.passages import Passage
from secbot.knowledge.retriever import HybridRetriever
from secbot.knowledge.units import Unit
from secbot.knowledge.vector_index import VectorIndex, make_client
from tests.knowledge.test_query_stages import UNITS, top


def passage(chunk_id: str, score: float, kind: str = "document") -> Passage:
    return Passage(chunk_id, "src", chunk_id, chunk_id, "text", score, kind=kind)


def test_a_named_kind_leads_only_what_it_scores_near() -> None:
    answer = passage("S/PRST/2011/15, para 7", 0.94)
    weak = passage("RT-01", 0.49, kind="threat")
    close = passage("RT-25", 0.94 - NAMED_BOOST + 0.01, kind="threat")
    rest = [answer, passage("para 1", 0.71), passage("para 2", 0.40)]
    assert [p.chunk_id for p in lead_named([weak], rest)] == [
        "S/PRST/2011/15, para 7",
        "RT-01",
        "para 1",
        "para 2",
    ]
    # within NAMED_BOOST of the best, the entry of the kind named leads, as it always did
    assert lead_named([close, weak], rest)[0] is close
    # the named entries keep their order (the asker's own contact desk first)
    order = [p.chunk_id for p in lead_named([weak, close], rest)]
    assert order.index("RT-01") < order.index("RT-25")


def names(question: str, texts: list[str]) -> list[str]:
    return support.unseen_names(question, doc_refs.parse(question), texts, stem)


def test_an_acronym_spelled_out_in_the_text_is_seen() -> None:
    text = ["Recalling measures to prevent terrorists from acquiring weapons of mass destruction"]
    assert names("Which summits did the resolution on terrorists and WMD recall?", text) == []
    office = ["the United Nations Office on Drugs and Crime shall assist"]
    assert names("What does UNODC do?", office) == []
    # initials that only joining words would complete do not count
    assert names("What does the WTO decide?", ["work with the other bodies"]) == ["WTO"]
    assert names("What does NATO require?", text) == ["NATO"]


def test_the_bots_top_hits_are_the_top_of_the_deeper_list(tmp_path: Path) -> None:
    """Register entries in the question's words rank between the summary and the primary text
    it repeats: the bot's short list (k=1) must still move the primary ahead, as the deeper
    list the evaluation reads does."""
    fillers = [
        Unit(
            f"RT-{n}",
            f"In short, as the Council decided in 2001, all States shall act on item {n}.",
            {"kind": "threat", "source": "threats.yaml", "owner": REGIONAL, "code": f"RT-{n}"},
        )
        for n in range(6)
    ]
    units = [*UNITS, *fillers]
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="order_test")
    vector.upsert(units)
    lexical = LexicalIndex()
    lexical.replace_all(units)
    retriever = HybridRetriever(vector, lexical, embedder, floor=0.0, weak=0.0)
    question = (
        "In short, as the Council decided in 2001, all States shall prevent the financing of "
        "terrorist acts?"
    )
    plain = top(retriever, question, k=10, stages=Stages.parse("none"))
    assert plain[0] == "knowledge/summary.md" and plain.index("res-1373.txt") > 4, plain
    deep = top(retriever, question, k=10, stages=Stages.parse("primary_first"))
    assert deep[0] == "res-1373.txt", deep
    for k in (1, 2, 5):
        assert top(retriever, question, k=k, stages=Stages.parse("primary_first")) == deep[:k]
