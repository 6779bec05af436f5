"""Compiles a Scope into a SQLAlchemy WHERE clause over Submission."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from secbot.access.principal import grant_tokens
from secbot.access.scope import Scope, sorted_parties
from secbot.db.models import Share, Submission
from secbot.domain.enums import TLP


def submission_filter(scope: Scope) -> ColumnElement[bool]:
    if scope.sees_nothing:
        return false()
    clauses: list[ColumnElement[bool]] = [Submission.tlp.in_(sorted(t.value for t in scope.tlps))]
    for party in sorted_parties(scope.required):
        shared = exists(
            select(Share.id).where(
                Share.submission_id == Submission.id,
                Share.revoked_at.is_(None),
                Share.grantee.in_(sorted(grant_tokens(party))),
            )
        )
        clauses.append(
            or_(Submission.owner_state == party, and_(Submission.tlp != TLP.RED.value, shared))
        )
    return and_(*clauses)
