"""A new submission and its per-state public id (BRB-0007), numbered under a row lock."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from secbot.db.models import State, Submission


def allocate_public_id(session: Session, state_code: str) -> str:
    """Per-state numbering under a row lock, so ids reveal nothing about other states."""
    number = session.execute(
        update(State)
        .where(State.code == state_code)
        .values(last_number=State.last_number + 1)
        .returning(State.last_number)
    ).scalar_one()
    return f"{state_code}-{number:04d}"


def new_submission(
    session: Session, *, owner_state: str, kind: str, tlp: str, created_by: int | None
) -> Submission:
    """The common record every state-owned thing hangs off (decision 0002); flushed, so its id
    can be used at once."""
    submission = Submission(
        public_id=allocate_public_id(session, owner_state),
        owner_state=owner_state,
        kind=kind,
        tlp=tlp,
        created_by=created_by,
    )
    session.add(submission)
    session.flush()
    return submission
