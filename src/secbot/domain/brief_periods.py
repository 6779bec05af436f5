"""When a scheduled brief is due and which period it covers, in the room's time zone.

A weekly brief covers Monday 00:00 to the next Monday 00:00 (local) and is due that Monday at
07:00 local; a monthly brief covers a calendar month and is due on the 1st at 07:00 local. The
period's start (as a UTC instant) is the issue's key. Pure functions of (cadence, zone, now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


SEND_AT = time(7, 0)
"""Local time of day a due brief is queued: early, before the working day starts."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    due: datetime
    """When its brief is queued (UTC instants, all three)."""


def _local_midnight(day: datetime, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _send_time(boundary: datetime, zone: tzinfo) -> datetime:
    return datetime.combine(boundary.date(), SEND_AT, tzinfo=zone)


def _month_start(year: int, month: int, zone: tzinfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone)


def _boundary_at_or_before(cadence: Cadence, zone: tzinfo, local: datetime) -> datetime:
    """The start of the week or month `local` falls in (local midnight)."""
    if cadence is Cadence.WEEKLY:
        return _local_midnight(local - timedelta(days=local.weekday()), zone)
    return _month_start(local.year, local.month, zone)


def _previous(cadence: Cadence, boundary: datetime, zone: tzinfo) -> datetime:
    if cadence is Cadence.WEEKLY:
        return _local_midnight(boundary - timedelta(days=7), zone)
    return _month_start(boundary.year, boundary.month - 1, zone)


def _following(cadence: Cadence, boundary: datetime, zone: tzinfo) -> datetime:
    if cadence is Cadence.WEEKLY:
        return _local_midnight(boundary + timedelta(days=7), zone)
    return _month_start(boundary.year, boundary.month + 1, zone)


def latest_due(cadence: Cadence, zone: tzinfo, now: datetime) -> Period:
    """The most recent period whose brief is due at or before `now`."""
    local = now.astimezone(zone)
    end = _boundary_at_or_before(cadence, zone, local)
    if local < _send_time(end, zone):
        end = _previous(cadence, end, zone)
    start = _previous(cadence, end, zone)
    return Period(start.astimezone(UTC), end.astimezone(UTC), _send_time(end, zone).astimezone(UTC))


def next_due(cadence: Cadence, zone: tzinfo, now: datetime) -> datetime:
    """When the next brief after `now` is due (UTC)."""
    last = latest_due(cadence, zone, now)
    following = _following(cadence, last.end.astimezone(zone), zone)
    return _send_time(following, zone).astimezone(UTC)


def month_before(start: datetime, zone: tzinfo) -> datetime:
    """The first instant (UTC) of the calendar month before the one starting at `start`, in
    `zone`: what a monthly brief compares against (28 to 31 days, as the calendar has them)."""
    local = start.astimezone(zone)
    return _month_start(local.year, local.month - 1, zone).astimezone(UTC)


def month_name(start: datetime, zone: tzinfo) -> str:
    """ "November 2026": the calendar month starting at `start` in `zone`."""
    return start.astimezone(zone).strftime("%B %Y")
