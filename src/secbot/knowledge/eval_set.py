"""The UN evaluation set (tests/eval/un_questions.yaml): loading it and checking that every key
phrase is verbatim in its document and in no other text, so a citation containing the key can only
come from the passage that answers.

Kept apart from evaluation.py (the own set) because it reads a corpus outside the repository and
its questions are judged by key phrase, not by locator."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KINDS = ("direct", "paraphrase", "series", "preamble", "deep")
SPLITS = ("tune", "holdout")
MIN_KEY_WORDS = 8
TEXT_SUFFIXES = {".txt", ".md", ".yaml", ".yml"}


@dataclass(frozen=True)
class UnQuestion:
    id: str
    kind: str
    split: str
    doc: str
    text: str
    key: str


@dataclass(frozen=True)
class Negative:
    id: str
    text: str
    note: str = ""
    split: str = "all"
    """`tune` for negatives written to calibrate the support check on: the holdout never asks
    them, so its off-topic count stays a measure of questions nobody tuned on."""


@dataclass(frozen=True)
class UnSet:
    questions: list[UnQuestion]
    negatives: list[Negative]
    splits: dict[str, str]
    """document file name -> tune|holdout, as written in the file (the split is by document)."""

    def select(self, split: str) -> list[UnQuestion]:
        return [q for q in self.questions if split == "all" or q.split == split]

    def negatives_for(self, split: str) -> list[Negative]:
        """The negatives a split asks: those of every split, and its own."""
        return [n for n in self.negatives if split == "all" or n.split in ("all", split)]


def normalise(text: str) -> str:
    """Whitespace collapsed and typographic quotes and dashes made plain, so a key copied from a
    document still matches a chunk whose lines were re-joined."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2011", "-").replace("\u00ad", "")
    return " ".join(text.split())


def contains_key(text: str, key: str) -> bool:
    """Case-insensitive, whitespace-insensitive containment: the test of a cited passage."""
    return normalise(key).casefold() in normalise(text).casefold()


def load_un_set(path: Path) -> UnSet:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    splits = {str(k): str(v) for k, v in data["splits"].items()}
    questions = [
        UnQuestion(
            str(q["id"]),
            str(q["kind"]),
            str(q["split"]),
            str(q["doc"]),
            str(q["question"]),
            str(q["key"]),
        )
        for q in data["questions"]
    ]
    negatives = [
        Negative(
            str(n["id"]), str(n["question"]), str(n.get("note", "")), str(n.get("split", "all"))
        )
        for n in data["negatives"]
    ]
    return UnSet(questions, negatives, splits)


def read_texts(corpus: Path, extra: Iterable[Path]) -> dict[str, str]:
    """Every text a key must be unique across: the corpus documents by file name, then each
    extra file or folder (the seed, knowledge/) by its path."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))}
    for root in extra:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                texts.setdefault(path.name, path.read_text(encoding="utf-8"))
    return texts


def key_faults(question: UnQuestion, texts: Mapping[str, str]) -> list[str]:
    """What is wrong with a question's key: too short, not verbatim in its document, or found
    in another text too (any case)."""
    faults = []
    key = normalise(question.key)
    if len(key.split()) < MIN_KEY_WORDS:
        faults.append(f"key has fewer than {MIN_KEY_WORDS} words")
    own = texts.get(question.doc)
    if own is None:
        faults.append(f"no document {question.doc}")
    elif key not in normalise(own):
        faults.append(f"key not verbatim in {question.doc}")
    others = [n for n, t in texts.items() if n != question.doc and contains_key(t, key)]
    if others:
        faults.append(f"key also in {', '.join(others)}")
    return faults


def unique_windows(
    doc: str, texts: Mapping[str, str], paragraph: str, words: int = 10
) -> list[str]:
    """Spans of `words` words of a paragraph found in no other text: suggestions for a key."""
    tokens = normalise(paragraph).split()
    found = []
    for start in range(0, max(len(tokens) - words + 1, 0)):
        span = " ".join(tokens[start : start + words])
        if not any(n != doc and contains_key(t, span) for n, t in texts.items()):
            found.append(span)
    return found


_PARAGRAPH = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    return [p for p in _PARAGRAPH.split(text) if p.strip()]


LONG_TEXT = 6000
"""Characters from which a document counts as long for a `deep` question."""

_OPERATIVE = re.compile(r"^\s*(?:\d+\.|\([a-z]{1,4}\)|[a-z]\.|[-\u2013\u2022])\s")


def key_place(question: UnQuestion, text: str) -> tuple[float, str] | None:
    """Where a key sits in its document: (fraction of the text before it, its paragraph)."""
    key = normalise(question.key)
    flat = normalise(text)
    at = flat.find(key)
    if at < 0:
        return None
    for paragraph in paragraphs(text):
        if key in normalise(paragraph):
            return at / len(flat), paragraph
    return at / len(flat), ""


def is_operative(paragraph: str) -> bool:
    """Numbered, lettered or bulleted: a decision, not a preambular consideration."""
    return bool(_OPERATIVE.match(paragraph))


def kind_faults(question: UnQuestion, text: str) -> list[str]:
    """A `deep` key is operative and past the first third of a long text; a `preamble` key is
    in a paragraph before the first operative one."""
    place = key_place(question, text)
    if place is None:
        return []
    fraction, paragraph = place
    if question.kind == "deep":
        faults = []
        if len(text) < LONG_TEXT:
            faults.append(f"deep, but the document has under {LONG_TEXT} characters")
        if fraction < 1 / 3:
            faults.append(f"deep, but the key is at {fraction:.0%} of the text")
        if not is_operative(paragraph):
            faults.append("deep, but the key is not in an operative paragraph")
        return faults
    if question.kind == "preamble":
        first = next((p for p in paragraphs(text) if is_operative(p)), None)
        if is_operative(paragraph) or (
            first is not None
            and normalise(text).find(normalise(first)) < fraction * len(normalise(text))
        ):
            return ["preamble, but the key is not in a preambular paragraph"]
    return []


def limit_per_kind(questions: list[UnQuestion], limit: int) -> list[UnQuestion]:
    """The first `limit` questions of each kind (all when 0): a quick, still mixed run."""
    if limit <= 0:
        return questions
    taken: dict[str, int] = {}
    chosen = []
    for question in questions:
        if taken.get(question.kind, 0) < limit:
            taken[question.kind] = taken.get(question.kind, 0) + 1
            chosen.append(question)
    return chosen


def documents_to_ingest(
    folder: Path, questions: Iterable[UnQuestion], *, everything: bool = True
) -> list[Path]:
    """Every corpus document (the others are the distractors a real user has), or only those
    the questions expect; knowledge/ and the seed are loaded apart."""
    corpus = sorted(folder.glob("*.txt"))
    if everything:
        return corpus
    wanted = {q.doc for q in questions}
    return [p for p in corpus if p.name in wanted]
