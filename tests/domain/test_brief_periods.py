"""Which period a scheduled brief covers and when it is due, in the room's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from secbot.domain.brief_periods import Cadence, latest_due, next_due

BARBADOS = ZoneInfo("America/Barbados")  # UTC-4, no daylight saving
NEW_YORK = ZoneInfo("America/New_York")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_weekly_covers_the_last_full_week_and_is_due_monday_at_seven() -> None:
    period = latest_due(Cadence.WEEKLY, UTC, at(2026, 11, 25, 10))  # a Wednesday
    assert (period.start, period.end, period.due) == (
        at(2026, 11, 16),
        at(2026, 11, 23),
        at(2026, 11, 23, 7),
    )
    assert next_due(Cadence.WEEKLY, UTC, at(2026, 11, 25, 10)) == at(2026, 11, 30, 7)


def test_weekly_in_the_rooms_zone_turns_over_at_seven_local() -> None:
    before = latest_due(Cadence.WEEKLY, BARBADOS, at(2026, 11, 30, 10, 59))  # 06:59 local
    after = latest_due(Cadence.WEEKLY, BARBADOS, at(2026, 11, 30, 11, 0))  # 07:00 local
    assert before.end == at(2026, 11, 23, 4)  # Monday 00:00 in Barbados is 04:00 UTC
    assert after.start == at(2026, 11, 23, 4) and after.end == at(2026, 11, 30, 4)
    assert after.due == at(2026, 11, 30, 11)


def test_monthly_covers_the_calendar_month_across_a_year_end() -> None:
    period = latest_due(Cadence.MONTHLY, BARBADOS, at(2027, 1, 1, 12))
    assert (period.start, period.end, period.due) == (
        at(2026, 12, 1, 4),
        at(2027, 1, 1, 4),
        at(2027, 1, 1, 11),
    )
    early = latest_due(Cadence.MONTHLY, BARBADOS, at(2027, 1, 1, 10))  # before 07:00 local
    assert early.start == at(2026, 11, 1, 4)
    assert next_due(Cadence.MONTHLY, BARBADOS, at(2027, 1, 1, 12)) == at(2027, 2, 1, 11)


def test_a_week_spanning_the_change_to_daylight_saving_starts_and_ends_at_local_midnight() -> None:
    period = latest_due(Cadence.WEEKLY, NEW_YORK, at(2026, 3, 10, 12))  # DST began 8 March
    assert period.start.astimezone(NEW_YORK).hour == 0
    assert period.end.astimezone(NEW_YORK).hour == 0
    assert period.end - period.start == (at(2026, 3, 9) - at(2026, 3, 2)) - (
        at(2026, 3, 2, 1) - at(2026, 3, 2)
    )  # 7 days less the hour the clocks skipped
