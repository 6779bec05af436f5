"""Reading submissions through the rule: SQL filter first, then a fresh post-check of each row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.scope import Scope, SubmissionFacts, permits
from secbot.access.sql import submission_filter
from secbot.db.models import Share, Submission
from secbot.domain.enums import TLP
from secbot.domain.errors import no_such_report
from secbot.domain.ids import canonical_id


def active_grantees(session: Session, submission_id: int) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(Share.grantee).where(
                Share.submission_id == submission_id, Share.revoked_at.is_(None)
            )
        )
    )


def facts(session: Session, submission: Submission) -> SubmissionFacts:
    return SubmissionFacts(
        owner=submission.owner_state,
        tlp=TLP(submission.tlp),
        grantees=active_grantees(session, submission.id),
    )


def post_check(session: Session, scope: Scope, rows: Sequence[Submission]) -> list[Submission]:
    """Defence in depth: drop anything the SQL filter let through that the rule forbids.
    Shares are read afresh, in one query for all rows."""
    if not rows:
        return []
    grantees = active_grantees_bulk(session, [row.id for row in rows])
    return [
        row
        for row in rows
        if permits(
            scope,
            SubmissionFacts(row.owner_state, TLP(row.tlp), grantees.get(row.id, frozenset())),
        )
    ]


def visible(
    session: Session,
    scope: Scope,
    *,
    kind: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> list[Submission]:
    query = (
        select(Submission)
        .where(submission_filter(scope))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    if kind:
        query = query.where(Submission.kind == kind)
    if owner:
        query = query.where(Submission.owner_state == owner)
    if limit:
        query = query.limit(limit)
    return post_check(session, scope, list(session.scalars(query)))


def count_visible(session: Session, scope: Scope, *, kind: str, owner: str | None = None) -> int:
    return len(visible(session, scope, kind=kind, owner=owner))


def get_visible(session: Session, scope: Scope, public_id: str) -> Submission:
    """Raises the same NotFound for an unknown id and for one the scope may not see. The id is
    read leniently (`brb-7` is `BRB-0007`) before the lookup, so every spelling meets the rule."""
    wanted = canonical_id(public_id)
    row = session.scalar(
        select(Submission).where(Submission.public_id == wanted, submission_filter(scope))
    )
    if row is None or not post_check(session, scope, [row]):
        raise no_such_report(wanted)
    return row


def active_grantees_bulk(session: Session, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Grantees for many submissions in one query (index builds touch thousands)."""
    found: dict[int, set[str]] = {}
    for chunk_start in range(0, len(ids), 500):
        part = ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(Share.submission_id, Share.grantee).where(
                Share.submission_id.in_(part), Share.revoked_at.is_(None)
            )
        )
        for submission_id, grantee in rows:
            found.setdefault(submission_id, set()).add(grantee)
    return {k: frozenset(v) for k, v in found.items()}
