"""Retrieval quality and answer latency on the evaluation set (tests/eval/questions.yaml).

BM25 alone, dense alone and hybrid are scored side by side on the same questions, as an
unknown principal (regional knowledge only), so the numbers compare like with like.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from secbot.access.chroma import retrieval_where
from secbot.access.principal import Principal
from secbot.access.scope import scope_for
from secbot.db.session import Database
from secbot.knowledge.ask import Asker
from secbot.knowledge.chunking import locator_matches
from secbot.knowledge.retriever import Hit, HybridRetriever, Mode

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class EvalSet:
    questions: list[Question]
    negatives: list[str]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expect: tuple[dict[str, str], ...]


@dataclass
class ModeScore:
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    questions: int
    scores: dict[str, ModeScore]
    latency_ms_p50: float
    latency_ms_p95: float
    answered: int
    negatives: int = 0
    false_answers: int = 0


def load_questions(path: Path) -> list[Question]:
    return load_set(path).questions


def load_set(path: Path) -> EvalSet:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = [
        Question(str(q["id"]), str(q["question"]), tuple(dict(e) for e in q["expect"]))
        for q in data["questions"]
    ]
    return EvalSet(questions, [str(n) for n in data.get("negatives", [])])


def is_expected(hit: Hit, question: Question) -> bool:
    meta = hit.metadata
    for expected in question.expect:
        if meta.get("source") != expected["source"]:
            continue
        locator = str(meta.get("locator", ""))
        if "code" in expected and locator == expected["code"]:
            return True
        if "locator_prefix" in expected and locator_matches(locator, expected["locator_prefix"]):
            return True
    return False


def score(retriever: HybridRetriever, questions: list[Question], mode: Mode) -> ModeScore:
    where = retrieval_where(scope_for(Principal.unknown()))
    at1 = at5 = 0
    reciprocal = 0.0
    misses = []
    for question in questions:
        hits = retriever.search(question.text, where, k=10, mode=mode, floor=False)
        rank = next((n for n, hit in enumerate(hits, 1) if is_expected(hit, question)), None)
        at1 += rank == 1
        at5 += rank is not None and rank <= 5
        reciprocal += 1.0 / rank if rank else 0.0
        if rank is None or rank > 5:
            misses.append(question.id)
    n = len(questions)
    return ModeScore(at1 / n, at5 / n, reciprocal / n, misses)


def run(
    db: Database, asker: Asker, questions: list[Question], negatives: Sequence[str] = ()
) -> EvalReport:
    scores: dict[str, ModeScore] = {m: score(asker.retriever, questions, m) for m in MODES}
    latencies = []
    answered = 0
    for question in questions:
        with db.transaction() as session:
            started = time.perf_counter()
            answer = asker.ask(session, Principal.unknown(), question.text)
            latencies.append((time.perf_counter() - started) * 1000)
        answered += answer.found
    false_answers = 0
    for negative in negatives:
        with db.transaction() as session:
            false_answers += asker.ask(session, Principal.unknown(), negative).found
    quantiles = statistics.quantiles(latencies, n=20)
    return EvalReport(
        len(questions),
        scores,
        statistics.median(latencies),
        quantiles[18],
        answered,
        len(negatives),
        false_answers,
    )


def render(report: EvalReport) -> str:
    lines = [
        f"{report.questions} questions (as an unknown principal: regional knowledge only)",
        f"{'mode':<8}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}  misses@5",
    ]
    for mode, s in report.scores.items():
        misses = ", ".join(s.misses) or "-"
        lines.append(
            f"{mode:<8}{s.recall_at_1:>10.3f}{s.recall_at_5:>10.3f}{s.mrr:>8.3f}  {misses}"
        )
    lines.append(
        f"answer latency (extractive, full path): p50 {report.latency_ms_p50:.1f} ms, "
        f"p95 {report.latency_ms_p95:.1f} ms; {report.answered}/{report.questions} answered"
    )
    lines.append(
        f"off-topic questions answered anyway: {report.false_answers}/{report.negatives} "
        "(the rest correctly found nothing)"
    )
    return "\n".join(lines)
