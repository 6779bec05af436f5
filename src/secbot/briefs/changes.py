"""The change table's stated thresholds, in one place so the text, PDF and CSV agree."""

from __future__ import annotations

LARGE_INCREASE = "large increase"
MODERATE_INCREASE = "moderate increase"
LIMITED = "limited change"
LARGE_DECREASE = "large decrease"
ORDER = (LARGE_INCREASE, MODERATE_INCREASE, LARGE_DECREASE, LIMITED)
THRESHOLDS = (
    "large increase > +25 %; moderate +10 to +25 %; limited -25 to +10 %; large decrease < -25 %; "
    "a trailing mean of 2 or less with 5 reports or fewer is always limited"
)


def change_pct(count: int, mean: float) -> float | None:
    if mean <= 0:
        return None
    return (count - mean) / mean * 100.0


def classify(count: int, mean: float) -> str:
    """Against the trailing 52-week mean for the same period length. A low baseline (mean <= 2,
    count <= 5) is `limited` whatever the percentage: 1 -> 3 is noise, not a trend."""
    if mean <= 2 and count <= 5:
        return LIMITED
    pct = change_pct(count, mean)
    if pct is None:  # nothing before, more than 5 now
        return LARGE_INCREASE
    if pct > 25:
        return LARGE_INCREASE
    if pct >= 10:
        return MODERATE_INCREASE
    if pct < -25:
        return LARGE_DECREASE
    return LIMITED
