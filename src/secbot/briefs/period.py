"""The lengths a brief covers, and the words people type for them."""

from __future__ import annotations

from enum import StrEnum

from secbot.domain.errors import InvalidInput


class Period(StrEnum):
    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"
    YEAR = "365d"

    @property
    def days(self) -> int:
        return int(self.value[:-1])

    @property
    def word(self) -> str:
        return self.name.lower()

    @property
    def bucket_days(self) -> int:
        """Chart bars: a day each for a week's brief, a week each otherwise."""
        return 1 if self is Period.WEEK else 7


WORDS: dict[str, Period] = {
    **{p.value: p for p in Period},
    **{p.word: p for p in Period},
    "weekly": Period.WEEK,
    "monthly": Period.MONTH,
    "quarterly": Period.QUARTER,
    "yearly": Period.YEAR,
    "annual": Period.YEAR,
    "7": Period.WEEK,
    "30": Period.MONTH,
    "90": Period.QUARTER,
    "365": Period.YEAR,
}
USAGE = "a period is week, month, quarter or year (or 7d, 30d, 90d, 365d)"


def parse_period(text: str) -> Period:
    """`month`, `30d`, `Quarter`... Empty text is the weekly brief."""
    key = text.strip().lower()
    if not key:
        return Period.WEEK
    found = WORDS.get(key)
    if found is None:
        raise InvalidInput(f"I don't know the period {text.strip()[:20]!r}: {USAGE}.")
    return found
