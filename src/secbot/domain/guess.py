"""Defaults for the one-line report form; every guess is shown back so the reporter can fix it."""

from __future__ import annotations

import re

from secbot.domain.enums import Severity
from secbot.domain.text import one_line

_SEVERITY_WORDS: dict[Severity, tuple[str, ...]] = {
    Severity.CRITICAL: ("critical", "catastrophic", "mass casualty", "fatalities", "emergency"),
    Severity.HIGH: ("high", "serious", "major", "urgent", "armed", "injured"),
    Severity.LOW: ("minor", "low", "small", "suspected"),
}


def guess_severity(text: str) -> Severity:
    lowered = text.lower()
    for severity, words in _SEVERITY_WORDS.items():
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
            return severity
    return Severity.MODERATE


def guess_title(text: str, limit: int = 120) -> str:
    """The first sentence, shortened; the full text is kept as the description."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return one_line(first, limit)
