"""The UN evaluation set stays what it claims: big enough per kind, split by document, and every
key verbatim in its document and in no other text, so a citation holding the key can only be the
passage that answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tests.support.paths import CORPUS, KNOWLEDGE, SEED

from secbot.knowledge.eval_set import (
    KINDS,
    SPLITS,
    UnQuestion,
    UnSet,
    key_faults,
    kind_faults,
    load_un_set,
    read_texts,
)

UN_QUESTIONS = Path(__file__).resolve().parent / "un_questions.yaml"


@pytest.fixture(scope="module")
def un_set() -> UnSet:
    return load_un_set(UN_QUESTIONS)


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    if not (CORPUS / "docs").is_dir() or not SEED.is_file():
        pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS}, {SEED})")
    return read_texts(CORPUS / "docs", [SEED, KNOWLEDGE])


def test_sizes(un_set: UnSet) -> None:
    kinds = Counter(q.kind for q in un_set.questions)
    assert len(un_set.questions) >= 200
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 30, kinds
    assert len(un_set.negatives) >= 40
    ids = [q.id for q in un_set.questions] + [n.id for n in un_set.negatives]
    assert len(ids) == len(set(ids)), "ids must be unique"


def test_split_is_by_document_and_balanced(un_set: UnSet) -> None:
    for q in un_set.questions:
        assert q.split in SPLITS, q.id
        assert un_set.splits.get(q.doc) == q.split, f"{q.id}: {q.doc} is not in {q.split}"
    counts = Counter(q.split for q in un_set.questions)
    assert abs(counts["tune"] - counts["holdout"]) <= 0.2 * len(un_set.questions), counts
    series = Counter(q.split for q in un_set.questions if q.kind == "series")
    assert series["tune"] >= 10 and series["holdout"] >= 10, series


def test_every_corpus_document_has_a_split(un_set: UnSet, texts: dict[str, str]) -> None:
    corpus = {p.name for p in (CORPUS / "docs").glob("*.txt")}
    assert corpus <= set(un_set.splits)


def test_keys_are_verbatim_and_unique(un_set: UnSet, texts: dict[str, str]) -> None:
    faults = {q.id: f for q in un_set.questions if (f := key_faults(q, texts))}
    assert not faults, faults


def test_kinds_hold(un_set: UnSet, texts: dict[str, str]) -> None:
    faults = {q.id: f for q in un_set.questions if (f := kind_faults(q, texts[q.doc]))}
    assert not faults, faults


def test_the_checks_can_fail(texts: dict[str, str]) -> None:
    """A key shared by a yearly series, a short key and a misplaced deep key are all caught."""
    shared = UnQuestion(
        "x",
        "series",
        "tune",
        "S_RES_2608_2021.txt",
        "?",
        "Reiterates that it condemns and deplores all acts of piracy and armed robbery at sea",
    )
    assert any("also in" in f for f in key_faults(shared, texts))
    short = UnQuestion(
        "x", "direct", "tune", "S_RES_1373_2001.txt", "?", "financing of terrorist acts"
    )
    assert any("fewer than" in f for f in key_faults(short, texts))
    early = UnQuestion(
        "x",
        "deep",
        "tune",
        "S_RES_2442_2018.txt",
        "?",
        "Recognizing that 2018 marks the 10th anniversary of resolution 1816",
    )
    assert kind_faults(early, texts[early.doc])


def test_calibration_negatives_are_asked_on_tune_only(un_set: UnSet) -> None:
    """Negatives written to calibrate the support check (decision 0030) never reach the
    holdout: its off-topic count stays a measure of questions nobody tuned on."""
    tune_only = {n.id for n in un_set.negatives if n.split == "tune"}
    assert tune_only
    assert not tune_only & {n.id for n in un_set.negatives_for("holdout")}
    assert tune_only <= {n.id for n in un_set.negatives_for("tune")}
    shared = [n for n in un_set.negatives if n.split == "all"]
    assert len(shared) >= 40
    assert {n.id for n in shared} <= {n.id for n in un_set.negatives_for("holdout")}
