"""Shares: only the owner state's focal points and admins grant or revoke; RED never leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import ALL, SECRETARIAT, Principal
from secbot.db.models import Share, Submission
from secbot.domain.enums import TLP
from secbot.domain.errors import InvalidInput
from secbot.identity.partners import get_partner
from secbot.identity.states import describe_states, near_state_names, read_state_name
from secbot.reports.incidents import owned_for_change

TARGET_HELP = (
    "Targets are state codes or names (e.g. JAM TTO, or jamaica), partner codes (e.g. CDEMA), "
    "`all` (every state and the secretariat; never partners) or `secretariat`."
)


def parse_targets(session: Session, words: list[str], own_state: str) -> list[str]:
    """State codes, state names as people type them (`jamaica`, `st lucia`, `trinidad and
    tobago`), partner codes (a partner is reached only by its name: `all` never includes it),
    `all` and `secretariat`. An ambiguous or mistyped name is refused with the codes it may
    have meant; nothing is guessed."""
    if not words:
        raise InvalidInput(f"Say who to share with. {TARGET_HELP}")
    targets: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        token = word.strip(",; ").lower()
        size = 1
        if token in ("all", "everyone"):
            target = ALL
        elif token == "secretariat":
            target = SECRETARIAT
        elif (partner := get_partner(session, token)) is not None:
            target = partner.code
            if target == own_state:
                raise InvalidInput(
                    f"{target} is your own organisation; it already sees its reports."
                )
        else:
            named, size = read_state_name(session, [w.strip(",; ") for w in words[i:]])
            if len(named) > 1:
                phrase = " ".join(words[i : i + size])
                raise InvalidInput(
                    f"“{phrase[:40]}” could be {describe_states(named)}. Say which with its "
                    f"code, e.g. {named[0].code}."
                )
            if not named:
                raise InvalidInput(_unknown_target(session, word))
            target = named[0].code
            if target == own_state:
                raise InvalidInput(f"{target} is your own state; it already sees its reports.")
        if target not in targets:
            targets.append(target)
        i += size
    return targets


def _unknown_target(session: Session, word: str) -> str:
    near = near_state_names(session, word.strip(",; "))
    if near:
        return f"I don't know “{word[:40]}”. Did you mean {describe_states(near)}? {TARGET_HELP}"
    return f"I don't know “{word[:40]}”. {TARGET_HELP}"


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
    assert principal.owner_party is not None
    if not TLP(submission.tlp).shareable:
        raise InvalidInput(
            f"{submission.public_id} is TLP:RED, which never leaves your state. To share it, "
            f"first lower the label, e.g. `edit {submission.public_id} tlp amber`."
        )
    changes = []
    for target in parse_targets(session, words, principal.owner_party):
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
    assert principal.owner_party is not None
    changes = []
    for target in parse_targets(session, words, principal.owner_party):
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
