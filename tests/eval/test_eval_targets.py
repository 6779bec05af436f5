"""The retrieval quality target on the evaluation set: hybrid recall@5 >= 0.9, above BM25 alone
and dense alone. Quality, not timing, so it is asserted; latency is only reported (README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.paths import KNOWLEDGE, REPO

from secbot.config import Settings
from secbot.entrypoints.bootstrap import build
from secbot.knowledge import evaluation, ingest

SEED = REPO.parent / "shared" / "seeds" / "security-management-model.txt"
QUESTIONS = REPO / "tests" / "eval" / "questions.yaml"


@pytest.mark.slow
def test_hybrid_beats_each_side_and_reaches_the_target(tmp_path: Path) -> None:
    if not SEED.exists():
        pytest.skip(f"the seed document is not at {SEED}")
    app = build(Settings(data_dir=tmp_path, knowledge_dir=KNOWLEDGE))
    assert app.asker is not None and app.index is not None
    ingest.ingest(app.db, [SEED])
    app.index.repair()
    eval_set = evaluation.load_set(QUESTIONS)
    scores = {
        m: evaluation.score(app.asker.retriever, eval_set.questions, m) for m in evaluation.MODES
    }
    print({m: (s.recall_at_1, s.recall_at_5, s.mrr) for m, s in scores.items()})
    assert scores["hybrid"].recall_at_5 >= 0.9, scores["hybrid"].misses
    assert scores["hybrid"].recall_at_5 > scores["bm25"].recall_at_5
    assert scores["hybrid"].recall_at_5 > scores["dense"].recall_at_5
    assert scores["hybrid"].mrr > max(scores["bm25"].mrr, scores["dense"].mrr)
    app.db.dispose()
