"""The default answerer: no model writes anything. It quotes the sentences of the best permitted
passages that share the most with the question, each with its citation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from secbot.knowledge.lexical_index import stem
from secbot.knowledge.passages import Answer, Citation, Passage

MAX_PASSAGES = 3
MAX_QUOTE = 320
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d+")
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(“\"\d])|\n+")
STOP = frozenset(
    """the a an of and or in on for to with about what which who whom how is are was were be
    by do does did can could should would will may might must this that these those it its as
    at from our their there here any all some me my we you your i""".split()
)


def terms(text: str) -> set[str]:
    return {stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in STOP}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 2]


def best_sentences(question: str, text: str, limit: int = 2) -> str:
    """Pick the sentences richest in the question's terms, keep their order, trim to length."""
    wanted = terms(question)
    parts = sentences(text)
    if not parts:
        return text[:MAX_QUOTE]
    scored = [(len(wanted & terms(s)), -i, i) for i, s in enumerate(parts)]
    chosen = sorted(i for _score, _neg, i in sorted(scored, reverse=True)[:limit])
    if all(len(wanted & terms(parts[i])) == 0 for i in chosen):
        chosen = [0]
    quote = " ".join(parts[i] for i in chosen)
    if len(quote) > MAX_QUOTE:
        quote = quote[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"
    return quote


def answer(question: str, passages: Sequence[Passage], refusal: str) -> Answer:
    if not passages:
        return Answer(refusal, (), found=False)
    chosen = list(passages[:MAX_PASSAGES])
    lines = []
    for n, passage in enumerate(chosen, 1):
        label = f" (TLP:{passage.tlp})" if passage.tlp else ""
        text = passage.text
        if text.startswith(passage.locator):  # Markdown chunks open with their heading path
            text = text[len(passage.locator) :].lstrip()
        lines.append(f"• {best_sentences(question, text)}{label} [{n}]")
    sources = [f"[{n}] {p.citation}" for n, p in enumerate(chosen, 1)]
    text = "\n".join(lines) + "\n\nSources:\n" + "\n".join(sources)
    citations = tuple(Citation(p.source, p.locator, p.text, round(p.score, 4)) for p in chosen)
    return Answer(text, citations, found=True)
