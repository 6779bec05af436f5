"""The UN evaluation harness computes what it says, on hand-made data where the answer is known,
and `secbot eval --set un` runs end to end through the CLI on a small subset."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.support.cli import invoke
from tests.support.paths import CORPUS, SEED

from secbot.entrypoints.bootstrap import App
from secbot.knowledge import eval_un, ingest
from secbot.knowledge.ask import Asker
from secbot.knowledge.eval_set import UnQuestion, contains_key
from secbot.knowledge.eval_un import Ranked, rank_of, score_ranks
from secbot.knowledge.fusion import Stages

HERE = Path(__file__).resolve().parent

DOCS = {
    "ALPHA_2020.txt": (
        "The Council,\n\nNoting the storm season,\n\n"
        "1. Decides to extend the coastal watch mandate until 15 October 2021 for all ports;\n\n"
        "2. Requests the harbour masters to report every quarter on vessels seized at anchor;\n"
    ),
    "ALPHA_2021.txt": (
        "The Council,\n\nNoting the storm season,\n\n"
        "1. Decides to extend the coastal watch mandate until 15 July 2022 for all ports;\n\n"
        "2. Requests the lighthouse keepers to count migrating seabirds along the northern "
        "cliffs;\n"
    ),
}


def question(id_: str, kind: str, doc: str, text: str, key: str) -> UnQuestion:
    return UnQuestion(id_, kind, "tune", doc, text, key)


def test_scores_from_known_ranks() -> None:
    score = score_ranks([1, 3, None, 6], [True, False, False, True])
    assert score.n == 4
    assert score.recall_at_1 == pytest.approx(0.25)
    assert score.recall_at_5 == pytest.approx(0.5)
    assert score.mrr == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)
    assert score.answer_has_key == pytest.approx(0.5)
    assert score_ranks([]).n == 0


def test_a_hit_needs_the_document_and_the_key() -> None:
    q = question("q", "series", "B.txt", "?", "the mandate of BINUH until 15 July 2022")
    ranked = [
        Ranked("A.txt", "extends the mandate of BINUH until 15 July 2022"),  # wrong document
        Ranked("B.txt", "the mandate of BINUH until 15 July 2023"),  # wrong year
        Ranked("B.txt", "Decides to extend the\n  mandate of BINUH  until 15 July 2022;"),
    ]
    assert rank_of(ranked, q) == 3
    assert rank_of(ranked[:2], q) is None
    assert contains_key("Haiti\u2019s  “council”", 'haiti\'s "council"')


@pytest.fixture
def second_only() -> Iterator[str]:
    """A stage registered like a new one would be: it always ranks the answer second."""

    def build(_asker: Asker) -> eval_un.Ranker:
        def rank(_session: Session, text: str) -> Sequence[Ranked]:
            wanted = next(q for q in QUESTIONS if q.text == text)
            return [Ranked("other.txt", wanted.key), Ranked(wanted.doc, wanted.key)]

        return rank

    eval_un.stage("second-only")(build)
    yield "second-only"
    eval_un.STAGES.pop("second-only")


QUESTIONS = [
    question(
        "a1",
        "series",
        "ALPHA_2021.txt",
        "Until when was the coastal watch mandate extended in 2021?",
        "extend the coastal watch mandate until 15 July 2022",
    ),
    question(
        "a2",
        "deep",
        "ALPHA_2020.txt",
        "What must harbour masters report on vessels seized at anchor?",
        "harbour masters to report every quarter on vessels seized at anchor",
    ),
    question(
        "a3",
        "paraphrase",
        "ALPHA_2021.txt",
        "Who counts migrating seabirds along the northern cliffs?",
        "lighthouse keepers to count migrating seabirds along the northern cliffs",
    ),
]


def test_run_through_the_real_asker(app: App, tmp_path: Path, second_only: str) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest.ingest(app.db, sorted(folder.iterdir()))
    assert app.index is not None and app.asker is not None
    app.index.repair()
    negatives = [("n1", "What is the boiling point of water at sea level?")]
    report = eval_un.run_un(
        app.db, app.asker, QUESTIONS, negatives, stages=["bm25", "pipeline", second_only]
    )
    assert report.questions == 3
    fixed = report.ablation[second_only]["all"]
    assert (fixed.recall_at_1, fixed.recall_at_5, fixed.mrr) == (0.0, 1.0, 0.5)
    assert set(report.ablation[second_only]) == {"series", "deep", "paraphrase", "all"}
    # BM25 ranks each distinctive passage first; "2021" is also in the 2020 text (its end
    # date), so the series question may come second: the very failure the series kind measures.
    bm25 = {r.id: r.ranks["bm25"] for r in report.results}
    assert bm25["a2"] == 1 and bm25["a3"] == 1 and bm25["a1"] in (1, 2), bm25
    assert report.by_kind["all"].recall_at_5 == 1.0, [r.ranks for r in report.results]
    assert report.by_kind["all"].answer_has_key is not None
    assert report.negatives == 1 and report.declined == 1
    assert report.negative_scores == {"n1": None}  # declined: nothing was cited
    assert all(r.top_score is not None for r in report.results if r.ranks["pipeline"] == 1)
    assert "second-only" in eval_un.render_un(report)


def test_cli_runs_a_small_holdout_subset(env: dict[str, str]) -> None:
    if not (CORPUS / "docs").is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    result = invoke(
        [
            "eval",
            "--set",
            "un",
            "--split",
            "holdout",
            "--json",
            "--limit",
            "1",
            "--docs",
            "needed",
            "--questions",
            str(HERE / "un_questions.yaml"),
            "--corpus",
            str(CORPUS),
            "--seed",
            str(SEED),
        ]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["split"] == "holdout" and report["questions"] == 5
    assert {r["split"] for r in report["results"]} == {"holdout"}
    stages = [f"+{name}" for name in Stages.names()]  # each fusion stage added in turn
    assert list(report["ablation"]) == ["bm25", "dense", "hybrid", *stages, "pipeline"]
    assert set(report["by_kind"]) == {"direct", "paraphrase", "series", "preamble", "deep", "all"}
    assert report["negatives"] == 1
    for score in report["by_kind"].values():
        assert 0.0 <= score["recall_at_1"] <= score["recall_at_5"] <= 1.0


def test_cli_refuses_a_bad_split(env: dict[str, str]) -> None:
    result = invoke(["eval", "--set", "un", "--split", "sideways"])
    assert result.exit_code == 2
    assert "tune, holdout or all" in result.output


def test_misses_are_classed_by_the_first_citation() -> None:
    def result(id_: str, rank: int | None, first: str) -> eval_un.QuestionResult:
        return eval_un.QuestionResult(id_, "direct", "tune", {"pipeline": rank}, False, first)

    report = eval_un.UnReport(
        "tune",
        4,
        {},
        {},
        0,
        0,
        [],
        0.0,
        0.0,
        results=[
            result("a", 1, "A.txt | op. 1"),
            result("b", 2, "B.txt | preamble"),
            result("c", None, "Z.txt | op. 4"),
            result("d", None, ""),
        ],
        expected={"a": "A.txt", "b": "B.txt", "c": "C.txt", "d": "D.txt"},
    )
    assert eval_un.miss_classes(report) == {
        "right document, other passage": 1,
        "another document": 1,
        "declined": 1,
    }
