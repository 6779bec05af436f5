"""A new submission and its per-state public id (BRB-0007), numbered under a row lock."""

from __future__ import annotations

from sqlalchemy import select, update
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


def allocate_threat_code(session: Session, state_code: str) -> str:
    """A state's own threat-register entries are numbered apart (`BRB-T01`, `BRB-T02`), so
    adding one never uses up a report number. Taken under the same row lock as report ids."""
    session.execute(
        update(State).where(State.code == state_code).values(last_number=State.last_number)
    )
    prefix = f"{state_code}-T"
    taken = session.scalars(
        select(Submission.public_id).where(
            Submission.owner_state == state_code, Submission.public_id.startswith(prefix)
        )
    )
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def new_submission(
    session: Session,
    *,
    owner_state: str,
    kind: str,
    tlp: str,
    created_by: int | None,
    public_id: str | None = None,
) -> Submission:
    """The common record every state-owned thing hangs off (decision 0002); flushed, so its id
    can be used at once. Numbered as the state's next report unless `public_id` is given."""
    submission = Submission(
        public_id=public_id or allocate_public_id(session, owner_state),
        owner_state=owner_state,
        kind=kind,
        tlp=tlp,
        created_by=created_by,
    )
    session.add(submission)
    session.flush()
    return submission
