"""Which register entries a new report is probably about: up to three, offered at filing.

Candidates are the regional register and the state entries the filer's Scope may see (their own
state's, or another's only if shared so they may see it). Ranking combines the hybrid
model's similarity over those candidates only (when it is loaded: `by_meaning`) with a word
overlap on each entry's title, topics and description and a bonus for the report's category,
so suggestions work (more coarsely) without an index too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.db.models import ThreatEntry
from secbot.registers.threats import regional_threats, state_threats
from secbot.reports.similar import terms

LIMIT = 3
ByMeaning = Callable[[str, Mapping[str, str]], Sequence[str]]
"""(report text, code -> entry text of the candidates) -> the codes related in meaning, best
first. Only the candidates, already read through the filer's Scope, are ranked."""


@dataclass(frozen=True)
class Suggestion:
    entry: ThreatEntry
    score: float


def _entry_terms(entry: ThreatEntry) -> tuple[frozenset[str], frozenset[str]]:
    return _terms_of(entry.title, tuple(entry.topics), entry.description)


@lru_cache(maxsize=4096)
def _terms_of(
    title: str, topics: tuple[str, ...], description: str
) -> tuple[frozenset[str], frozenset[str]]:
    """Cached by content: the register changes rarely, filings are many."""
    strong = terms(" ".join([title, *topics]))
    return strong, terms(description) - strong


def forget_cached_terms() -> None:
    """After an erasure: a state's own register entry may have been among the cached texts."""
    _terms_of.cache_clear()


def entry_text(entry: ThreatEntry) -> str:
    """What an entry is about, for ranking by meaning (title, topics, description)."""
    return ". ".join(
        part for part in (entry.title, ", ".join(entry.topics), entry.description) if part
    )


def candidates(session: Session, scope: Scope) -> list[ThreatEntry]:
    return [*regional_threats(session), *state_threats(session, scope)]


def suggest_threats(
    session: Session,
    scope: Scope,
    text: str,
    category: str = "",
    by_meaning: ByMeaning | None = None,
    *,
    limit: int = LIMIT,
    meaning_text: str | None = None,
) -> list[Suggestion]:
    """Best first; only entries with some evidence (a shared word or the retriever's pick).
    `meaning_text` is what is embedded for `by_meaning` (default `text`): the filing path gives
    the report's index text, so the vector made here is reused when the report is indexed."""
    entries = {e.code: e for e in candidates(session, scope)}
    said = terms(text)
    scores: dict[str, float] = {}
    for code, entry in entries.items():
        strong, weak = _entry_terms(entry)
        overlap = 2.0 * len(said & strong) + 0.5 * len(said & weak)
        if overlap:
            scores[code] = overlap + (1.0 if category and entry.category == category else 0.0)
    if by_meaning is not None and text.strip():
        texts = {code: entry_text(entry) for code, entry in entries.items()}
        for rank, code in enumerate(by_meaning(meaning_text or text, texts)):
            if code in entries:
                scores[code] = scores.get(code, 0.0) + 3.0 - 0.5 * rank
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Suggestion(entries[code], score) for code, score in ranked[:limit]]
