"""Spans of time as a person says them: "3 days", "1 day and 6 hours", "45 minutes"."""

from __future__ import annotations

from datetime import datetime, timedelta


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_words(span: timedelta) -> str:
    """Whole days, hours and minutes, largest first; seconds are dropped."""
    minutes = int(span.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        _plural(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n
    ]
    if not parts:
        return "less than a minute"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def validity(span: timedelta, start: datetime) -> str:
    """ "valid for 3 days, until 2026-12-02 15:00 UTC"."""
    return f"valid for {duration_words(span)}, until {start + span:%Y-%m-%d %H:%M} UTC"
