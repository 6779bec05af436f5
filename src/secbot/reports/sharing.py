"""Shares: only the owner state's focal points and admins grant or revoke; RED never leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import ALL, SECRETARIAT, Principal
from secbot.db.models import Share, State, Submission
from secbot.domain.enums import TLP
from secbot.domain.errors import InvalidInput
from secbot.reports.incidents import owned_for_change

TARGET_HELP = (
    "Targets are state codes (e.g. JAM TTO), `all` (every state and the secretariat) "
    "or `secretariat`."
)


def parse_targets(session: Session, words: list[str], own_state: str) -> list[str]:
    if not words:
        raise InvalidInput(f"Say who to share with. {TARGET_HELP}")
    targets: list[str] = []
    for word in words:
        token = word.strip(",; ").lower()
        if token in ("all", "everyone"):
            target = ALL
        elif token == "secretariat":
            target = SECRETARIAT
        elif len(token) == 3 and session.get(State, token.upper()) is not None:
            target = token.upper()
            if target == own_state:
                raise InvalidInput(f"{target} is your own state; it already sees its reports.")
        else:
            raise InvalidInput(f"I don't know {word!r}. {TARGET_HELP}")
        if target not in targets:
            targets.append(target)
    return targets


@dataclass(frozen=True)
class ShareChange:
    target: str
    changed: bool
    """False: it was already shared with (or, for unshare, not shared with) that target."""


def _active(session: Session, submission_id: int, target: str) -> Share | None:
    return session.scalar(
        select(Share).where(
            Share.submission_id == submission_id,
            Share.grantee == target,
            Share.revoked_at.is_(None),
        )
    )


def share(
    session: Session, principal: Principal, public_id: str, words: list[str]
) -> tuple[Submission, list[ShareChange]]:
    submission = owned_for_change(session, principal, public_id)
    assert principal.state is not None
    if not TLP(submission.tlp).shareable:
        raise InvalidInput(
            f"{submission.public_id} is TLP:RED, which never leaves your state. To share it, "
            f"first lower the label, e.g. `edit {submission.public_id} tlp amber`."
        )
    changes = []
    for target in parse_targets(session, words, principal.state):
        if _active(session, submission.id, target) is not None:
            changes.append(ShareChange(target, False))
            continue
        session.add(
            Share(submission_id=submission.id, grantee=target, granted_by=principal.member_id)
        )
        audit.record(session, principal, "shared", submission, grantee=target)
        changes.append(ShareChange(target, True))
    session.flush()
    return submission, changes


def unshare(
    session: Session, principal: Principal, public_id: str, words: list[str], now: datetime
) -> tuple[Submission, list[ShareChange], list[str]]:
    """(report, what changed, the shares still active): a reply must say who can still see it,
    e.g. a state named here that still sees the report through a share with all."""
    submission = owned_for_change(session, principal, public_id)
    assert principal.state is not None
    changes = []
    for target in parse_targets(session, words, principal.state):
        active = _active(session, submission.id, target)
        if active is None:
            changes.append(ShareChange(target, False))
            continue
        active.revoked_at = now
        active.revoked_by = principal.member_id
        audit.record(session, principal, "unshared", submission, grantee=target)
        changes.append(ShareChange(target, True))
    session.flush()
    return submission, changes, grantees_of(session, submission.id)


def grantees_of(session: Session, submission_id: int) -> list[str]:
    return sorted(
        session.scalars(
            select(Share.grantee).where(
                Share.submission_id == submission_id, Share.revoked_at.is_(None)
            )
        )
    )
