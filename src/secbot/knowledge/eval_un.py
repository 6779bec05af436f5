"""Scoring retrieval and answers on the UN evaluation set, per kind, with an ablation table.

A ranked passage counts when it is from the expected document AND its text contains the key
phrase (eval_set.contains_key): the right document's title block or a sibling year's paragraph
does not. Every configuration in the ablation is a named *stage*: a function that builds a
ranker (session, question -> ranked passages) from the Asker. A new stage (document references,
series, a reranker) is one more `@stage("name")` function, here or in the module that builds it,
and shows up as a row of the table and a key of the JSON.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from secbot.access.chroma import retrieval_where
from secbot.access.principal import Principal
from secbot.access.scope import scope_for
from secbot.db.session import Database
from secbot.knowledge.ask import Asker
from secbot.knowledge.eval_set import KINDS, UnQuestion, contains_key
from secbot.knowledge.fusion import Stages
from secbot.knowledge.retriever import Mode

DEPTH = 10
"""How deep a ranked list is read: MRR counts a find down to rank 10."""


@dataclass(frozen=True)
class Ranked:
    """What scoring needs of a ranked passage: where it comes from and its text."""

    source: str
    text: str
    locator: str = ""


Ranker = Callable[[Session, str], Sequence[Ranked]]
StageBuilder = Callable[[Asker], Ranker]
STAGES: dict[str, StageBuilder] = {}
"""The ablation's rows, in order: name -> builder. `pipeline` is what the bot really does."""


def stage(name: str) -> Callable[[StageBuilder], StageBuilder]:
    """Register a named configuration for the ablation table (one line per new stage)."""

    def register(builder: StageBuilder) -> StageBuilder:
        STAGES[name] = builder
        return builder

    return register


def _search(mode: Mode, stages: str = "none") -> StageBuilder:
    """First-stage retrieval in one mode, then the named fusion stages (`none`: none of them)."""
    chosen = Stages.parse(stages)

    def build(asker: Asker) -> Ranker:
        where = retrieval_where(scope_for(Principal.unknown()))

        def rank(_session: Session, question: str) -> list[Ranked]:
            hits = asker.retriever.search(
                question, where, k=DEPTH, mode=mode, floor=False, stages=chosen
            )
            return [
                Ranked(str(h.metadata.get("source", "")), h.text, str(h.metadata.get("locator")))
                for h in hits
            ]

        return rank

    return build


stage("bm25")(_search("bm25"))
stage("dense")(_search("dense"))
stage("hybrid")(_search("hybrid"))
# The fusion stages (docs/decisions/0018), added one at a time over hybrid.
_ADDED: list[str] = []
for _name in Stages.names():
    _ADDED.append(_name)
    stage(f"+{_name}")(_search("hybrid", ",".join(_ADDED)))


@stage("pipeline")
def _pipeline(asker: Asker) -> Ranker:
    """Asker.ranked as the bot calls it: the relevance floor, register kinds, re-checks."""

    def rank(session: Session, question: str) -> list[Ranked]:
        passages = asker.ranked(session, Principal.unknown(), question)
        return [Ranked(p.source, p.text, p.locator) for p in passages]

    return rank


def rank_of(ranked: Sequence[Ranked], question: UnQuestion) -> int | None:
    """1-based rank of the first passage that answers (right document, holds the key)."""
    for n, passage in enumerate(ranked[:DEPTH], 1):
        if passage.source == question.doc and contains_key(passage.text, question.key):
            return n
    return None


@dataclass
class Score:
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    answer_has_key: float | None = None


def score_ranks(ranks: Sequence[int | None], answered: Sequence[bool] | None = None) -> Score:
    """Recall@1, recall@5 and MRR over ranks (None: not found); share of answers with the key."""
    n = len(ranks)
    if n == 0:
        return Score(0, 0.0, 0.0, 0.0, None)
    at1 = sum(1 for r in ranks if r == 1)
    at5 = sum(1 for r in ranks if r is not None and r <= 5)
    mrr = sum(1.0 / r for r in ranks if r) / n
    has_key = sum(answered) / n if answered is not None else None
    return Score(n, at1 / n, at5 / n, mrr, has_key)


@dataclass
class QuestionResult:
    id: str
    kind: str
    split: str
    ranks: dict[str, int | None]
    answer_has_key: bool
    first: str
    """The pipeline's first citation (`source | locator`), to sort the misses into classes."""
    top_score: float | None = None
    """The first citation's score, to calibrate the relevance floor against the negatives."""


@dataclass
class UnReport:
    split: str
    questions: int
    by_kind: dict[str, Score]
    """Pipeline scores per kind, plus `all`."""
    ablation: dict[str, dict[str, Score]]
    """stage -> kind (and `all`) -> score."""
    negatives: int
    declined: int
    answered_negatives: list[str]
    latency_ms_p50: float
    latency_ms_p95: float
    ingest_seconds: float = 0.0
    results: list[QuestionResult] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)
    """question id -> the document it expects."""
    negative_scores: dict[str, float | None] = field(default_factory=dict)
    """negative id -> the score of what it was answered from (None: declined)."""


def run_un(
    db: Database,
    asker: Asker,
    questions: Sequence[UnQuestion],
    negatives: Iterable[tuple[str, str]] = (),
    *,
    split: str = "all",
    stages: Sequence[str] | None = None,
) -> UnReport:
    """Rank every question with every stage, answer it with the real Asker.ask, and ask each
    negative (id, text), which must be declined. Each question is one read transaction."""
    names = list(stages) if stages is not None else list(STAGES)
    rankers = {name: STAGES[name](asker) for name in names}
    results: list[QuestionResult] = []
    latencies: list[float] = []
    for question in questions:
        with db.transaction() as session:
            ranks = {
                name: rank_of(r(session, question.text), question) for name, r in rankers.items()
            }
            started = time.perf_counter()
            answer = asker.ask(session, Principal.unknown(), question.text)
            latencies.append((time.perf_counter() - started) * 1000)
            first, top = "", None
            if answer.citations:
                c = answer.citations[0]
                first, top = f"{c.source} | {c.locator}", c.score
        results.append(
            QuestionResult(
                question.id,
                question.kind,
                question.split,
                ranks,
                answer.found and contains_key(answer.text, question.key),
                first,
                top,
            )
        )
    asked = list(negatives)
    answered_negatives = []
    negative_scores: dict[str, float | None] = {}
    for negative_id, text in asked:
        with db.transaction() as session:
            reply = asker.ask(session, Principal.unknown(), text)
        negative_scores[negative_id] = reply.citations[0].score if reply.citations else None
        if reply.found:
            answered_negatives.append(negative_id)
    return UnReport(
        split,
        len(results),
        _by_kind(results, "pipeline" if "pipeline" in names else names[-1], with_answers=True),
        {name: _by_kind(results, name) for name in names},
        len(asked),
        len(asked) - len(answered_negatives),
        answered_negatives,
        statistics.median(latencies) if latencies else 0.0,
        _p95(latencies),
        results=results,
        expected={q.id: q.doc for q in questions},
        negative_scores=negative_scores,
    )


def _p95(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[18]


def _by_kind(
    results: Sequence[QuestionResult], name: str, with_answers: bool = False
) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for kind in (*KINDS, "all"):
        chosen = [r for r in results if kind in ("all", r.kind)]
        if not chosen:
            continue
        answered = [r.answer_has_key for r in chosen] if with_answers else None
        out[kind] = score_ranks([r.ranks.get(name) for r in chosen], answered)
    return out


def render_un(report: UnReport) -> str:
    lines = [
        f"UN set, split {report.split}: {report.questions} questions "
        f"(as an unknown principal; a hit is the expected document with the key phrase)",
        f"{'kind':<11}{'n':>4}{'recall@1':>10}{'recall@5':>10}{'MRR':>7}{'answer∋key':>12}",
    ]
    for kind, s in report.by_kind.items():
        has_key = f"{s.answer_has_key:.2f}" if s.answer_has_key is not None else "-"
        lines.append(
            f"{kind:<11}{s.n:>4}{s.recall_at_1:>10.2f}{s.recall_at_5:>10.2f}{s.mrr:>7.2f}"
            f"{has_key:>12}"
        )
    lines.append(
        f"off-topic declined: {report.declined} of {report.negatives}"
        + (
            f" (answered: {', '.join(report.answered_negatives)})"
            if report.answered_negatives
            else ""
        )
    )
    lines.append("")
    lines.append("ablation (recall@1 / recall@5 / MRR overall; recall@1 per kind)")
    kinds = [k for k in KINDS if k in report.by_kind]
    lines.append(
        f"{'stage':<12}{'r@1':>6}{'r@5':>6}{'MRR':>6}  " + "".join(f"{k[:10]:>11}" for k in kinds)
    )
    for name, scores in report.ablation.items():
        total = scores["all"]
        per_kind = "".join(f"{scores[k].recall_at_1:>11.2f}" for k in kinds)
        lines.append(
            f"{name:<12}{total.recall_at_1:>6.2f}{total.recall_at_5:>6.2f}{total.mrr:>6.2f}  "
            + per_kind
        )
    lines.append("")
    lines.append(
        f"answer latency (Asker.ask): p50 {report.latency_ms_p50:.1f} ms, "
        f"p95 {report.latency_ms_p95:.1f} ms; corpus ingest {report.ingest_seconds:.1f} s"
    )
    misses = [r.id for r in report.results if (r.ranks.get("pipeline") or 99) > 5]
    if misses:
        lines.append(f"pipeline misses@5: {', '.join(misses)}")
    negative_top = [v for v in report.negative_scores.values() if v is not None]
    found_top = [
        r.top_score
        for r in report.results
        if r.ranks.get("pipeline") == 1 and r.top_score is not None
    ]
    if negative_top and found_top:
        lines.append(
            f"floor: highest score an off-topic question was answered from "
            f"{max(negative_top):.3f}; lowest first-cited score of a question answered first "
            f"{min(found_top):.3f}"
        )
    classes = miss_classes(report)
    if classes:
        lines.append(
            "not first, by the answer's first citation: "
            + ", ".join(f"{name} {count}" for name, count in classes.items())
        )
    return "\n".join(lines)


def miss_classes(report: UnReport) -> dict[str, int]:
    """Questions the pipeline did not answer first, by what the answer cited first instead:
    nothing (declined), the right document's other passage, or another document."""
    expected = report.expected
    counts: dict[str, int] = {}
    for result in report.results:
        if result.ranks.get("pipeline") == 1:
            continue
        source = result.first.split(" | ", 1)[0]
        if not source:
            name = "declined"
        elif source == expected.get(result.id):
            name = "right document, other passage"
        else:
            name = "another document"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def as_json(report: UnReport) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(report)
