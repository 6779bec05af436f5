"""Listing and revoking members (admin operations; a revoked account is a stranger at once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.db.models import Draft, Member
from secbot.domain.errors import InvalidInput, NotFound
from secbot.identity.web_access import end_member_sessions


def list_members(session: Session, state: str | None = None) -> list[Member]:
    query = select(Member).order_by(Member.state_code, Member.id)
    if state:
        query = query.where(Member.state_code == state.upper())
    return list(session.scalars(query))


def revoke_member(session: Session, member_id: int, *, by: str, now: datetime) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(
            f"There is no member #{member_id}. `secbot admin member list` shows the ids."
        )
    if member.revoked_at is not None:
        raise InvalidInput(f"Member #{member_id} was already revoked.")
    member.revoked_at = now
    end_member_sessions(session, member.id, now)
    session.execute(delete(Draft).where(Draft.member_id == member.id))
    audit.record(
        session, None, "member_revoked", actor=by, member=member_id, state=member.state_code
    )
    return member
