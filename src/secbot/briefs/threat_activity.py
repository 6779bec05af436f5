"""Threat-register activity: how many of the counted reports are linked to each register entry.

Links come from `secbot.reports.links.linked_threats`, which reads a link only with its report
(the one visibility rule) and drops links to a state's own entry the reader may not see. It is
given only ids of reports the reader may already see, so nothing new can be revealed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.briefs.model import Item, ThreatActivity
from secbot.db.models import ThreatEntry
from secbot.registers.threats import regional_threats, state_threats
from secbot.reports.links import linked_threats

SOURCE = "links"
"""What ties a report to an entry: explicit links (`link ID CODE`, or confirmed at filing)."""


def register_entries(session: Session, scope: Scope) -> list[ThreatEntry]:
    """Regional entries (everyone's knowledge) and the states' own entries the scope may see."""
    return [*regional_threats(session), *state_threats(session, scope)]


def related_reports(
    session: Session,
    scope: Scope,
    entries: Sequence[ThreatEntry],
    items: Sequence[tuple[int, Item]],
) -> dict[str, list[int]]:
    """Register code -> ids of the given (visible) reports linked to it."""
    found: dict[str, list[int]] = {e.code: [] for e in entries}
    for submission_id, codes in linked_threats(session, scope, [i for i, _ in items]).items():
        for code in codes:
            if code in found:
                found[code].append(submission_id)
    return found


def activity(
    session: Session,
    scope: Scope,
    entries: Sequence[ThreatEntry],
    current: Sequence[tuple[int, Item]],
    previous: Sequence[tuple[int, Item]],
    limit: int = 8,
) -> tuple[ThreatActivity, ...]:
    """Entries with linked reports this period or the last, busiest first; rising = more now
    than in the previous period."""
    now = related_reports(session, scope, entries, current)
    before = related_reports(session, scope, entries, previous)
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
