"""Reading "when did it happen" the way a person types it on a phone, in the typist's own zone.

Times people type are wall-clock times where they are: a Barbados focal point who writes
`yesterday 14:30` means 14:30 AST. Everything is stored in UTC and shown back in the reader's
zone (`show_time`), always with the zone's name so no time is ever ambiguous.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateparser

from secbot.domain.errors import InvalidInput
from secbot.domain.when_phrases import match_whole
from secbot.domain.zones import not_future, show_time, show_when, zone_label, zone_named

__all__ = [
    "help_text",
    "not_future",
    "parse_when",
    "show_time",
    "show_when",
    "zone_label",
    "zone_named",
]


def help_text(zone: tzinfo = UTC, now: datetime | None = None) -> str:
    label = zone_label((now or datetime.now(UTC)).astimezone(zone))
    return (
        "I couldn't read that time. Try `now`, `2 hours ago`, `at 02:00`, `this morning`, "
        f"`yesterday 14:30` or a date like `2026-11-20 14:30` (your time, {label})."
    )


def parse_when(text: str, now: datetime, zone: tzinfo = UTC) -> datetime:
    """A time typed as a whole answer, as UTC. Times without a zone are the typist's own;
    a clock time alone is the last one that has passed; a future time is refused."""
    value = " ".join(text.strip().lower().split())
    if value in ("now", "just now", "today"):
        return now
    found = match_whole(value, now, zone)
    if found is not None:
        return found.at
    local_now = now.astimezone(zone)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        parsed = dateparser.parse(value, default=midnight)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(help_text(zone, now)) from exc
    if parsed is None:
        raise InvalidInput(help_text(zone, now))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return not_future(parsed.astimezone(UTC), now, zone)
