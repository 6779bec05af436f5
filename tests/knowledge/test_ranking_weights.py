"""The first-stage ranking (decision 0031): an official passage adds BM25 relative to the
question's best BM25 score, weighted by how much of the question's rare wording that best
passage holds; a plain document keeps the fixed weight on saturated BM25. Real BM25 index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.lexical_index import LexicalIndex
from secbot.knowledge.retriever import LEXICAL_WEIGHT, HybridRetriever, _saturate
from secbot.knowledge.units import Unit
from secbot.knowledge.vector_index import VectorIndex, make_client


def passage(id_: str, text: str, header: str = "") -> Unit:
    meta: dict[str, Any] = {"kind": "document", "source": id_, "locator": id_, "header": header}
    return Unit(id_, f"{header}\n{text}" if header else text, meta)


BORDERS = passage(
    "borders",
    "Develop and maintain appropriate effective border controls and law enforcement efforts.",
    "Resolution 1540 (2004): operative paragraph 3 (c)",
)
COOPERATE = passage(
    "cooperate",
    "Calls upon States to cooperate with the Committee on capacity building and assistance.",
    "Resolution 2663 (2022): operative paragraph 12",
)
NOTE = passage("note", "Border controls in the region depend on scarce coast guard vessels.")
UNITS = [BORDERS, COOPERATE, NOTE]


@pytest.fixture
def retriever(tmp_path: Path) -> HybridRetriever:
    embedder = HashingEmbedder()
    lexical = LexicalIndex()
    lexical.replace_all(UNITS)
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="ranking_test")
    return HybridRetriever(vector, lexical, embedder)


def rank(retriever: HybridRetriever, question: str, dense: dict[str, float]) -> dict[str, float]:
    where: dict[str, Any] = {"kind": "document"}
    lexical = retriever.lexical.scores_for(question, [u.id for u in UNITS], where)
    texts = {u.id: (u.text, u.metadata) for u in UNITS}
    return retriever._ranking(question, where, [u.id for u in UNITS], dense, lexical, texts)


def test_a_question_in_the_documents_words_leans_on_bm25(retriever: HybridRetriever) -> None:
    """Meaning prefers the other passage; the question quotes this one: the quote wins."""
    question = "develop and maintain effective border controls and law enforcement"
    scores = rank(retriever, question, {"borders": 0.30, "cooperate": 0.60, "note": 0.2})
    assert scores["borders"] > scores["cooperate"]
    # the best BM25 passage holds every rare word: the full weight on a relative score of 1
    assert scores["borders"] == pytest.approx(0.30 + retriever.headed_weight)


def test_a_paraphrase_sharing_few_rare_words_leans_on_meaning(retriever: HybridRetriever) -> None:
    """BM25's best passage shares one word of a question in other words: it barely counts."""
    question = "how must nations guard their frontiers against smuggling and cooperate"
    lexical = retriever.lexical.scores_for(question, ["borders", "cooperate"], {"kind": "document"})
    assert max(lexical, key=lambda i: lexical[i]) == "cooperate"
    scores = rank(retriever, question, {"borders": 0.60, "cooperate": 0.45, "note": 0.2})
    assert scores["borders"] > scores["cooperate"]
    assert scores["cooperate"] < 0.45 + retriever.headed_weight / 2


def test_a_plain_document_keeps_the_fixed_weight_on_saturated_bm25(
    retriever: HybridRetriever,
) -> None:
    question = "border controls coast guard vessels"
    lexical = retriever.lexical.scores_for(question, ["note"], {"kind": "document"})
    scores = rank(retriever, question, {"borders": 0.1, "cooperate": 0.1, "note": 0.25})
    assert lexical["note"] > 0
    assert scores["note"] == pytest.approx(0.25 + LEXICAL_WEIGHT * _saturate(lexical["note"]))
