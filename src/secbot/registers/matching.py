"""Plain word matching for `objectives TOPIC` and friends; the retriever adds matches by meaning."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9+]+")
STOP = {"the", "a", "an", "of", "and", "or", "in", "on", "for", "to", "with", "about", "what"}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOP}


def matches(topic: str, fields: Iterable[str]) -> bool:
    """Every topic word must appear in some field (as a word or a word prefix of 4+ letters)."""
    wanted = words(topic)
    if not wanted:
        return True
    have = set().union(*(words(f) for f in fields))
    return all(w in have or (len(w) >= 4 and any(h.startswith(w) for h in have)) for w in wanted)
