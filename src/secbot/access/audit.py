"""The append-only audit log: writes to submissions, and every read of another state's data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.principal import Principal
from secbot.db.models import AuditEvent, Submission


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    submission: Submission | None = None,
    *,
    actor: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            actor_member_id=principal.member_id if principal else None,
            actor=actor or (principal.label if principal else "system"),
            actor_party=principal.party if principal else None,
            action=action,
            submission_id=submission.id if submission else None,
            owner_state=submission.owner_state if submission else detail.pop("state", None),
            detail={"public_id": submission.public_id, **detail} if submission else detail,
        )
    )


def record_reads(session: Session, principal: Principal, submissions: Sequence[Submission]) -> None:
    """Log each submission of another state that a reply is about to show."""
    for submission in submissions:
        if submission.owner_state != principal.party:
            record(session, principal, "read", submission, place=principal.place.kind.value)


def events(session: Session, state: str | None = None, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if state:
        query = query.where((AuditEvent.owner_state == state) | (AuditEvent.actor_party == state))
    return list(session.scalars(query))
