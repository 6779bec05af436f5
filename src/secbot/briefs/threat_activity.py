"""Threat-register activity: how many of the counted reports bear on each register entry.

Until reports carry explicit links to register entries (issue 13 item 1), a report bears on the
entries of its category. `related_reports` is the one function to switch to the links table: it
receives only report ids the reader may already see, so either way nothing new is revealed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.briefs.model import Item, ThreatActivity
from secbot.db.models import ThreatEntry
from secbot.registers.threats import regional_threats, state_threats

SOURCE = "category"
"""`category` now; `links` once the report-threat links table is merged."""


def register_entries(session: Session, scope: Scope) -> list[ThreatEntry]:
    """Regional entries (everyone's knowledge) and the states' own entries the scope may see."""
    return [*regional_threats(session), *state_threats(session, scope)]


def related_reports(
    entries: Sequence[ThreatEntry], items: Sequence[tuple[int, Item]]
) -> dict[str, list[int]]:
    """Register code -> ids of the given (visible) reports that bear on it."""
    by_category: dict[str, list[int]] = {}
    for ident, item in items:
        by_category.setdefault(item.category, []).append(ident)
    return {e.code: by_category.get(e.category, []) for e in entries}


def activity(
    entries: Sequence[ThreatEntry],
    current: Sequence[tuple[int, Item]],
    previous: Sequence[tuple[int, Item]],
    limit: int = 8,
) -> tuple[ThreatActivity, ...]:
    """Entries with reports this period or the last, busiest first; rising = more than before."""
    now = related_reports(entries, current)
    before = related_reports(entries, previous)
    rows = [
        ThreatActivity(
            code=e.code,
            title=e.title,
            current=len(now[e.code]),
            previous=len(before[e.code]),
            rising=len(now[e.code]) > len(before[e.code]),
        )
        for e in entries
        if now[e.code] or before[e.code]
    ]
    rows.sort(key=lambda r: (-r.current, -(r.current - r.previous), r.code))
    return tuple(rows[:limit])
