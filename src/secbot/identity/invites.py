"""Invites: single-use, expiring codes, stored hashed; the only way an account becomes a member."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.db.models import AuditEvent, Draft, Invite, Member
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput
from secbot.domain.text import one_line
from secbot.identity.accounts import Account, find_member
from secbot.identity.partners import get_partner
from secbot.identity.states import get_state

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: codes get read aloud and retyped
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){2,3}$")


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def new_code(prefix: str = "") -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(([prefix] if prefix else []) + groups)


def create_invite(
    session: Session,
    *,
    role: Role,
    state_code: str | None,
    created_by: str,
    ttl: timedelta,
    now: datetime,
    prefix: str = "",
) -> str:
    if role.is_secretariat and state_code:
        raise InvalidInput(f"The {role.value} role belongs to the secretariat; leave out --state.")
    if role.is_partner:
        if not state_code:
            raise InvalidInput(f"The {role.value} role needs a partner: add --partner CODE.")
        if get_partner(session, state_code) is None:
            raise InvalidInput(
                f"There is no partner {state_code!r}. `secbot admin partner list` shows the codes."
            )
        state_code = state_code.strip().upper()
    elif not role.is_secretariat:
        if not state_code:
            raise InvalidInput(f"The {role.value} role needs a state: add --state CODE.")
        if get_state(session, state_code.upper()) is None:
            raise InvalidInput(
                f"There is no state {state_code!r}. `secbot admin state list` shows the codes; "
                "partner roles are `partner` and `partner_admin`."
            )
        state_code = state_code.upper()
    code = new_code(prefix)
    session.add(
        Invite(
            code_hash=hash_code(code),
            state_code=state_code,
            role=role.value,
            created_by=created_by,
            expires_at=now + ttl,
        )
    )
    audit.record(
        session, None, "invite_created", actor=created_by, role=role.value, state=state_code
    )
    return code


BAD_CODE = (
    "That invite code is not valid: it may be mistyped, already used or expired. "
    "Ask your state's admin (or the secretariat) for a new one, then send: join CODE"
)


MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)


def _key(account: Account) -> str:
    return f"{account.platform}:{account.workspace}:{account.user_id}"


def recent_failures(session: Session, account: Account, now: datetime) -> list[datetime]:
    """When this account gave a wrong code lately (from the audit log: survives a restart)."""
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.detail).where(
            AuditEvent.action == "invite_failed", AuditEvent.at > now - FAILURE_WINDOW
        )
    )
    return sorted(at for at, detail in rows if (detail or {}).get("account") == _key(account))


def _refused(account: Account, now: datetime, message: str) -> InvalidInput:
    """Refused, and the attempt audited in a transaction of its own (this one rolls back)."""

    def audit_attempt(session: Session) -> None:
        audit.record(session, None, "invite_failed", actor=account.label, account=_key(account))

    return InvalidInput(message, aftermath=audit_attempt)


def join(session: Session, account: Account, code: str, now: datetime) -> Member:
    """Bind the account to the invite's state and role; the invite can never be used again.
    After MAX_FAILURES wrong codes in FAILURE_WINDOW the account waits, whatever it sends."""
    if find_member(session, account) is not None:
        raise InvalidInput("You have already joined. Send `whoami` to see your state and role.")
    failures = recent_failures(session, account, now)
    if len(failures) >= MAX_FAILURES:
        wait = failures[-MAX_FAILURES] + FAILURE_WINDOW - now
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise _refused(
            account,
            now,
            f"Too many invite codes that did not work. Please wait {minutes} minute"
            f"{'s' if minutes != 1 else ''}, then send the code again; if it still fails, ask "
            "your state's admin (or the secretariat) for a new one.",
        )
    invite = session.scalar(
        select(Invite).where(Invite.code_hash == hash_code(code)).with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise _refused(account, now, BAD_CODE)
    member = session.scalar(
        select(Member).where(
            Member.platform == account.platform,
            Member.workspace == account.workspace,
            Member.user_id == account.user_id,
        )
    )
    if member is None:
        member = Member(
            platform=account.platform, workspace=account.workspace, user_id=account.user_id
        )
        session.add(member)
    if member.id is not None:  # a re-join must not inherit a half-filled form
        session.execute(delete(Draft).where(Draft.member_id == member.id))
    member.display_name = one_line(account.display_name, 120)
    member.state_code = invite.state_code
    member.role = invite.role
    member.joined_at = now
    member.revoked_at = None
    session.flush()
    invite.used_at = now
    invite.used_by = member.id
    audit.record(
        session,
        None,
        "member_joined",
        actor=account.label,
        role=invite.role,
        state=invite.state_code,
    )
    return member
