"""A report's timeline: dated updates appended by its own state (`update ID TEXT`, or *Add to
it* when a new report turns out to be the same event). Updates are part of the report and are
read only through it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.access.scope import Scope
from secbot.db.models import ReportUpdate, Submission
from secbot.domain.errors import InvalidInput
from secbot.reports.incidents import owned_for_change
from secbot.reports.links import visible_incidents

MAX_CHARS = 2000


def add_update(
    session: Session,
    principal: Principal,
    public_id: str,
    body: str,
    now: datetime,
    client_key: str | None = None,
) -> tuple[Submission, ReportUpdate, bool]:
    """Append one update (the caller's transaction). A `client_key` seen before returns the
    update it made, so a redelivered message is still one update."""
    submission = owned_for_change(session, principal, public_id)
    text = body.strip()
    if not text:
        raise InvalidInput(
            f"Say what changed. Example: update {submission.public_id} Two more crew found safe"
        )
    if len(text) > MAX_CHARS:
        raise InvalidInput(
            f"An update is at most {MAX_CHARS} characters; this one has {len(text)}."
        )
    if client_key:
        client_key = f"{principal.owner_party}:{principal.member_id}:{client_key}"[:160]
        existing = session.scalar(select(ReportUpdate).where(ReportUpdate.client_key == client_key))
        if existing is not None and existing.submission_id == submission.id:
            return submission, existing, False
        if existing is not None:
            client_key = None
    assert principal.owner_party is not None
    update = ReportUpdate(
        submission_id=submission.id,
        author_id=principal.member_id,
        author_state=principal.owner_party,
        body=text,
        at=now,
        client_key=client_key,
    )
    session.add(update)
    submission.updated_at = now
    session.flush()
    audit.record(session, principal, "incident_updated", submission, update=update.id)
    return submission, update, True


def timeline(session: Session, scope: Scope, submission_id: int) -> list[ReportUpdate]:
    """The updates of a report the scope may see, oldest first; [] for one it may not."""
    if not visible_incidents(session, scope, [submission_id]):
        return []
    return list(
        session.scalars(
            select(ReportUpdate)
            .where(ReportUpdate.submission_id == submission_id)
            .order_by(ReportUpdate.at, ReportUpdate.id)
        )
    )
