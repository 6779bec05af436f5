"""A monthly scheduled brief covers the calendar month in the room's zone (31, 30, 29 or 28
days) and compares it with the calendar month before; a weekly one stays 7 days. Reports an
hour either side of each local boundary show which side they fell on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from secbot.access.principal import Place, Principal
from secbot.access.scope import scope_for
from secbot.briefs import build_brief, render_json
from secbot.briefs.model import Brief
from secbot.db.session import Database
from secbot.domain.brief_periods import Cadence, latest_due
from secbot.domain.enums import Role
from secbot.engine.brief_maker import BriefRequest, calendar_of, period_of
from tests.support.seed import add_incident, add_states

BARBADOS = ZoneInfo("America/Barbados")  # UTC-4 all year


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BARBADOS).astimezone(UTC)


def scheduled(db: Database, cadence: Cadence, now: datetime) -> Brief:
    period = latest_due(cadence, BARBADOS, now)
    request = BriefRequest(start=period.start, end=period.end, reader="room", zone=BARBADOS)
    with db.transaction() as session:
        return build_brief(
            session,
            scope_for(Principal("JAM", Role.DELEGATE, Place.direct())),
            reader="room",
            period=period_of(request),
            states=None,
            now=request.end,
            zone=BARBADOS,
            calendar=calendar_of(request),
        )


def seed(db: Database, *moments: datetime) -> list[str]:
    with db.transaction() as session:
        add_states(session, ["JAM"])
        return [add_incident(session, owner="JAM", occurred_at=m) for m in moments]


@pytest.mark.parametrize(
    ("now", "first", "last", "before", "days", "name"),
    [
        # January (31 days): the 1st was lost by a 30-day count.
        (local(2027, 2, 1, 8), (2027, 1, 1), (2027, 1, 31), (2026, 12, 1), 31, "January 2027"),
        # February 2027 (28 days) and 2028 (leap year, 29 days).
        (local(2027, 3, 1, 8), (2027, 2, 1), (2027, 2, 28), (2027, 1, 1), 28, "February 2027"),
        (local(2028, 3, 1, 8), (2028, 2, 1), (2028, 2, 29), (2028, 1, 1), 29, "February 2028"),
        # November (30 days), across a year's boundary for "the month before" too.
        (local(2026, 12, 1, 8), (2026, 11, 1), (2026, 11, 30), (2026, 10, 1), 30, "November 2026"),
    ],
)
def test_a_monthly_brief_counts_exactly_the_calendar_month(
    db: Database,
    now: datetime,
    first: tuple[int, int, int],
    last: tuple[int, int, int],
    before: tuple[int, int, int],
    days: int,
    name: str,
) -> None:
    start = local(*first)
    inside = seed(db, start + timedelta(minutes=30), local(*last, 23, 30))
    previous = seed(db, start - timedelta(minutes=30), local(*before) + timedelta(minutes=30))
    outside = seed(
        db, local(*last, 23, 30) + timedelta(hours=1), local(*before) - timedelta(hours=1)
    )
    brief = scheduled(db, Cadence.MONTHLY, now)
    assert (brief.start, brief.end - brief.start) == (start, timedelta(days=days))
    ids = {it.public_id for it in brief.incidents}
    assert ids == set(inside), (ids, inside, previous, outside)
    assert brief.figures.previous == 2  # the whole calendar month before, not 30 days
    assert brief.span == name and name in brief.bottom_line
    assert json.loads(render_json(brief))["total"] == 2


def test_a_weekly_brief_stays_seven_days(db: Database) -> None:
    monday = local(2026, 11, 23)
    inside = seed(db, monday + timedelta(minutes=1))
    seed(db, monday - timedelta(minutes=1))
    brief = scheduled(db, Cadence.WEEKLY, local(2026, 11, 30, 8))
    assert brief.end - brief.start == timedelta(days=7) and brief.start == monday
    assert [it.public_id for it in brief.incidents] == inside
    assert brief.span == "last 7 days"
