"""Reading the reports a brief counts: the one visibility rule (the same SQL filter every read
uses, then the same post-check over fresh shares), in columns rather than ORM objects so that a
year of reports loads in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot.access.reads import active_grantees_bulk
from secbot.access.scope import Scope, SubmissionFacts, permits
from secbot.access.sql import submission_filter
from secbot.briefs.model import Item
from secbot.db.models import Incident, ResponseEntry, Submission
from secbot.domain.enums import TLP


def visible_incidents(
    session: Session,
    scope: Scope,
    *,
    since: datetime,
    until: datetime,
    states: Sequence[str] | None,
) -> list[tuple[int, Item]]:
    """(internal id, item) of every incident the scope may see that occurred in [since, until),
    newest first."""
    if scope.sees_nothing:
        return []
    query = (
        select(
            Submission.id,
            Submission.public_id,
            Submission.owner_state,
            Submission.tlp,
            Incident.category,
            Incident.severity,
            Incident.title,
            Incident.place,
            Incident.location,
            Incident.occurred_at,
        )
        .join(Incident, Incident.submission_id == Submission.id)
        .where(
            submission_filter(scope),
            Submission.kind == "incident",
            Incident.occurred_at >= since,
            Incident.occurred_at < until,
        )
        .order_by(Incident.occurred_at.desc(), Submission.id.desc())
    )
    if states is not None:
        query = query.where(Submission.owner_state.in_(sorted(states)))
    rows = list(session.execute(query))
    grantees = active_grantees_bulk(session, [row.id for row in rows])
    rows = [
        row
        for row in rows
        if permits(
            scope,
            SubmissionFacts(row.owner_state, TLP(row.tlp), grantees.get(row.id, frozenset())),
        )
    ]
    tasks = _open_tasks(session, [row.id for row in rows])
    kept: list[tuple[int, Item]] = []
    for row in rows:
        tlp = TLP(row.tlp)
        kept.append(
            (
                row.id,
                Item(
                    public_id=row.public_id,
                    state=row.owner_state,
                    category=row.category,
                    severity=row.severity,
                    tlp=tlp,
                    occurred_at=row.occurred_at,
                    place=row.place or row.location,
                    title=row.title,
                    open_tasks=tasks.get(row.id, 0),
                ),
            )
        )
    return kept


def _open_tasks(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Open tasks per report; the caller uses only those of reports the rule let through."""
    found: dict[int, int] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(ResponseEntry.submission_id, func.count(ResponseEntry.id))
            .where(
                ResponseEntry.submission_id.in_(ids[start : start + 1000]),
                ResponseEntry.kind == "task",
                ResponseEntry.done_at.is_(None),
            )
            .group_by(ResponseEntry.submission_id)
        )
        found.update({sid: int(n) for sid, n in rows})
    return found
