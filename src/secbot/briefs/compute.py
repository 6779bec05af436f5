"""build_brief: every figure of a brief, computed only over what the Scope may see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot.access.principal import SECRETARIAT
from secbot.access.scope import Scope
from secbot.briefs import changes, threat_activity
from secbot.briefs.collect import visible_incidents
from secbot.briefs.model import (
    Brief,
    Bucket,
    ChangeRow,
    Figures,
    Item,
    ObjectiveLine,
    ThreatActivity,
    category_label,
)
from secbot.briefs.period import Period
from secbot.db.models import Alert, AlertAck, ThreatEntry
from secbot.domain.enums import TLP
from secbot.registers.objectives import objectives

TRAILING_DAYS = 364
"""52 weeks."""
SEVERITY_RANK = {"critical": 0, "high": 1, "moderate": 2, "low": 3}
NOTABLE = 5


@dataclass(frozen=True)
class Calendar:
    """A calendar period instead of whole days back from now: its first instant, the first
    instant of the one before (compared against), and its name ("November 2026")."""

    start: datetime
    previous_start: datetime
    label: str


def build_brief(
    session: Session,
    scope: Scope,
    *,
    reader: str,
    period: Period,
    states: Sequence[str] | None,
    now: datetime,
    next_issue: datetime | None = None,
    zone: tzinfo | None = None,
    calendar: Calendar | None = None,
) -> Brief:
    """Reads only through the visibility rule (collect.visible_incidents); the scope decides
    what is counted, so a group's brief counts what every party of the room may see.

    Without `calendar` the period is `period.days` whole days ending at `now`; with it, the
    given span (a calendar month: 28 to 31 days) ending at `now`, against the span before."""
    end = now
    start = calendar.start if calendar else end - timedelta(days=period.days)
    before = calendar.previous_start if calendar else start - timedelta(days=period.days)
    history = min(before, start - timedelta(days=TRAILING_DAYS))
    wanted = tuple(sorted({s.upper() for s in states})) if states else None
    rows = visible_incidents(session, scope, since=history, until=end, states=wanted)
    current = [(i, it) for i, it in rows if it.occurred_at >= start]
    previous = [(i, it) for i, it in rows if before <= it.occurred_at < start]
    trailing = [
        (i, it) for i, it in rows if start - timedelta(days=TRAILING_DAYS) <= it.occurred_at < start
    ]
    days = (end - start).total_seconds() / 86400
    scale = days / TRAILING_DAYS
    items = [it for _, it in current]

    entries = threat_activity.register_entries(session, scope)
    threats = threat_activity.activity(session, scope, entries, current, previous)
    shown_entries = [e for e in entries if e.code in {t.code for t in threats}]
    alerts_sent, ack_rate = _alert_figures(session, scope, start, end)
    figures = Figures(
        current=len(current),
        previous=len(previous),
        trailing_mean=round(len(trailing) * scale, 2),
        states_reporting=tuple(sorted({it.state for it in items})),
        alerts_sent=alerts_sent,
        ack_rate=ack_rate,
    )
    change_rows = _changes(items, [it for _, it in previous], [it for _, it in trailing], scale)
    seen_before = [it for _, it in rows if it.occurred_at < start]
    return Brief(
        period=period,
        start=start,
        end=end,
        reader=reader,
        tlp=_highest([it.tlp for _, it in rows], shown_entries),
        zone=zone or UTC,
        states=wanted,
        next_issue=next_issue,
        bottom_line=_bottom_line(calendar.label if calendar else "", period, figures, change_rows),
        figures=figures,
        by_category=dict(Counter(it.category for it in items).most_common()),
        by_state=dict(Counter(it.state for it in items).most_common()),
        incidents=tuple(items),
        buckets=_buckets(items, start, end, period.bucket_days),
        changes=change_rows,
        first_seen_categories=_first_seen(items, seen_before, lambda it: it.category),
        first_seen_places=_first_seen(items, seen_before, lambda it: it.place),
        threats=threats,
        threat_source=threat_activity.SOURCE,
        notable=_notable(items),
        objectives=_objectives(session, threats),
        label=calendar.label if calendar else "",
        counted=tuple(sorted(i for i, _ in rows)),
    )


def _highest(labels: list[TLP], entries: list[ThreatEntry]) -> TLP:
    """The brief carries the highest label of anything it counts or shows; CLEAR when empty."""
    order = list(TLP)
    found = [*labels, *(TLP(e.submission.tlp) for e in entries if e.submission is not None)]
    return max(found, key=order.index, default=TLP.CLEAR)


def _alert_figures(
    session: Session, scope: Scope, start: datetime, end: datetime
) -> tuple[int | None, float | None]:
    """Alerts sent and how many were acknowledged: the secretariat's own record, so shown to
    the secretariat alone (in its direct messages)."""
    if scope.required != frozenset({SECRETARIAT}):
        return None, None
    window = (Alert.created_at >= start, Alert.created_at < end)
    sent = session.scalar(select(func.count(Alert.id)).where(*window)) or 0
    acked = (
        session.scalar(
            select(func.count(func.distinct(AlertAck.alert_id)))
            .join(Alert, Alert.id == AlertAck.alert_id)
            .where(*window)
        )
        or 0
    )
    return sent, (acked / sent) if sent else None


def _changes(
    current: list[Item], previous: list[Item], trailing: list[Item], scale: float
) -> tuple[ChangeRow, ...]:
    now = Counter((it.category, it.state) for it in current)
    before = Counter((it.category, it.state) for it in previous)
    year = Counter((it.category, it.state) for it in trailing)
    rows = []
    for key in sorted(set(now) | set(before) | set(year)):
        mean = year[key] * scale
        trend = changes.classify(now[key], mean)
        if not now[key] and not before[key] and trend == changes.LIMITED:
            continue  # nothing then, nothing now, no trend: not worth a row
        rows.append(
            ChangeRow(
                category=key[0],
                state=key[1],
                current=now[key],
                previous=before[key],
                mean=round(mean, 2),
                change_pct=changes.change_pct(now[key], mean),
                trend=trend,
            )
        )
    rows.sort(key=lambda r: (changes.ORDER.index(r.trend), -r.current, r.category, r.state))
    return tuple(rows)


def _buckets(items: list[Item], start: datetime, end: datetime, days: int) -> tuple[Bucket, ...]:
    """Bars counted back from the end, so the latest bar is a whole day or week and only the
    first may be shorter (its `start` is then the period's start)."""
    width = timedelta(days=days)
    starts: list[datetime] = []
    at = end - width
    while at > start:
        starts.append(at)
        at -= width
    starts.append(start)
    starts.reverse()
    counts: list[Counter[str]] = [Counter() for _ in starts]
    for it in items:
        index = max(0, len(starts) - 1 - int((end - it.occurred_at) / width))
        index = max(0, min(index, len(starts) - 1))
        counts[index][it.category] += 1
    return tuple(Bucket(s, dict(c)) for s, c in zip(starts, counts, strict=True))


def _first_seen(items: list[Item], before: list[Item], key: object) -> tuple[str, ...]:
    """Values this period that no visible report of the previous 52 weeks had."""
    assert callable(key)
    old = {key(it) for it in before}
    return tuple(sorted({key(it) for it in items if key(it) and key(it) not in old}))


def _notable(items: list[Item]) -> tuple[Item, ...]:
    ranked = sorted(
        items, key=lambda it: (SEVERITY_RANK.get(it.severity, 9), -it.occurred_at.timestamp())
    )
    return tuple(it for it in ranked[:NOTABLE] if SEVERITY_RANK.get(it.severity, 9) <= 1) or tuple(
        ranked[:3]
    )


def _objectives(session: Session, threats: tuple[ThreatActivity, ...]) -> tuple[ObjectiveLine, ...]:
    """Agreed objectives that answer a register entry active this period (regional knowledge)."""
    active = {t.code for t in threats if t.current}
    lines = []
    for o in objectives(session):
        linked = tuple(c for c in o.linked_threats if c in active)
        if not linked:
            continue
        indicators = tuple(
            f"{i.get('indicator', '')}: {i.get('target', '')} by {i.get('due', '')}".strip()
            for i in o.indicators
        )
        lines.append(ObjectiveLine(o.code, o.title, indicators, linked))
    return tuple(lines[:6])


def _bottom_line(label: str, period: Period, figures: Figures, rows: tuple[ChangeRow, ...]) -> str:
    span = label or f"the last {period.days} days"
    if figures.current == 0:
        return f"No reports you may see in {span}."
    if figures.previous:
        pct = (figures.current - figures.previous) / figures.previous * 100
        compare = f"{'up' if pct >= 0 else 'down'} {abs(pct):.0f} % on the previous period"
    else:
        compare = "none in the previous period"
    text = (
        f"{figures.current} reports in {span} from "
        f"{len(figures.states_reporting)} states, {compare} ({figures.previous})."
    )
    rising = [r for r in rows if r.trend == changes.LARGE_INCREASE]
    if rising:
        top = rising[0]
        text += f" Largest rise: {category_label(top.category)} in {top.state}."
    return text
