"""Threat-register activity: how many of the counted reports are linked to each register entry.

A link is part of its report, so it is read only for reports that already passed the one rule
in `collect.visible_incidents`, and a link to a state's own entry counts only when the reader
may see that entry (`secbot.reports.links.visible_threat_codes`). This is what
`links.linked_threats` does, without checking the same reports a second time: for a year's
brief over 10,000 reports that second check cost more than the rest of the brief.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.briefs.model import Item, ThreatActivity
from secbot.db.models import ReportLink, ThreatEntry
from secbot.registers.threats import regional_threats, state_threats
from secbot.reports.links import visible_threat_codes

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
    """Register code -> ids of the given reports (all visible to `scope`) linked to it."""
    found: dict[str, list[int]] = {e.code: [] for e in entries}
    ids = [i for i, _ in items]
    pairs: list[tuple[int, str]] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ReportLink.submission_id, ReportLink.threat_code).where(
                ReportLink.submission_id.in_(ids[start : start + 500])
            )
        )
        pairs += [(sid, code) for sid, code in rows]
    shown = visible_threat_codes(session, scope, {code for _, code in pairs} & set(found))
    for submission_id, code in pairs:
        if code in shown:
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
            tlp=str(e.submission.tlp).upper() if e.submission is not None else "",
        )
        for e in entries
        if now[e.code] or before[e.code]
    ]
    rows.sort(key=lambda r: (-r.current, -(r.current - r.previous), r.code))
    return tuple(rows[:limit])
