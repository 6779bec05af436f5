"""Reading "when did it happen" the way a person types it on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dateutil import parser as dateparser

from secbot.domain.errors import InvalidInput

_AGO = re.compile(r"^(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s+ago$")
HELP = (
    "I couldn't read that time. Try `now`, `2 hours ago`, `today 14:30`, `yesterday 09:00` "
    "or a date like `2026-11-20 14:30` (times are UTC)."
)


def parse_when(text: str, now: datetime) -> datetime:
    """Times without a zone are taken as UTC; anything over an hour in the future is refused."""
    value = text.strip().lower()
    if value in ("now", "just now", "today"):
        return now
    match = _AGO.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0]
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
            unit, timedelta(days=amount)
        )
        return _not_future(now - delta, now)
    base = now
    for word, days in (("yesterday", 1), ("today", 0)):
        if value.startswith(word):
            base = now - timedelta(days=days)
            value = value[len(word) :].strip()
            if not value:
                return base
            break
    midnight = base.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        parsed = dateparser.parse(value, default=midnight)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(HELP) from exc
    if parsed is None:
        raise InvalidInput(HELP)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _not_future(parsed.astimezone(UTC), now)


def _not_future(value: datetime, now: datetime) -> datetime:
    if value > now + timedelta(hours=1):
        raise InvalidInput("That time is in the future. When did it happen? (times are UTC)")
    if value < now - timedelta(days=3650):
        raise InvalidInput("That date is more than ten years ago; please check it.")
    return value


def show_when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
