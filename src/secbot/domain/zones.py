"""Time zones as people read them: a stored IANA name, a short label, a time shown in a zone.

Kept apart from parsing so rendering code needs nothing but this.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from secbot.domain.errors import InvalidInput

SKEW = timedelta(minutes=5)
"""A phone clock a little ahead of ours: a time this far in the future is read as now."""


def zone_named(name: str | None) -> tzinfo:
    """The zone for a stored IANA name; UTC when unset or no longer known (never an error,
    because a reply must still be shown)."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def is_zone_name(name: str) -> bool:
    """An IANA zone this machine knows (the tzdata package ships them with secbot)."""
    if name.upper() == "UTC":
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return "/" in name or name in ("UTC", "GMT")


def zone_label(value: datetime) -> str:
    """`AST`, `EST`, `UTC`, or `UTC−3` where the zone has no letters for its name."""
    name = value.tzname() or ""
    if name.isalpha():
        return name
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def show_time(value: datetime, zone: tzinfo = UTC, *, utc_too: bool = False) -> str:
    """One way to show a time to a person: in their zone, labelled; optionally UTC beside it."""
    local = value.astimezone(zone)
    label = zone_label(local)
    text = f"{local:%Y-%m-%d %H:%M} {label}" if label.isalpha() else f"{local:%Y-%m-%d %H:%M}"
    if not label.isalpha():
        text += f" ({label})"
    if utc_too and local.utcoffset() != timedelta(0):
        utc = value.astimezone(UTC)
        text += (
            f" ({utc:%H:%M} UTC)" if utc.date() == local.date() else f" ({utc:%Y-%m-%d %H:%M} UTC)"
        )
    return text


def show_when(value: datetime) -> str:
    """UTC, for places with no viewer (logs, exports)."""
    return show_time(value, UTC)


def not_future(value: datetime, now: datetime, zone: tzinfo = UTC) -> datetime:
    """Never a future time: a little ahead is now (clock skew); more is refused politely."""
    if value > now + SKEW:
        raise InvalidInput(
            f"{show_time(value, zone)} is in the future (it is {show_time(now, zone)} now). "
            "When did it happen?"
        )
    if value < now - timedelta(days=3650):
        raise InvalidInput("That date is more than ten years ago; please check it.")
    return min(value, now)
