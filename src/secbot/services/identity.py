"""Members, invites and the resolution of an account to a principal."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import SECRETARIAT, Place, Principal, party_for
from secbot.db.models import Channel, Draft, Invite, Member, State
from secbot.db.types import utcnow
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import InvalidInput, NotFound, NotPermitted
from secbot.domain.text import one_line

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: codes get read aloud and retyped
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){2,3}$")


@dataclass(frozen=True)
class Account:
    """One chat account; the workspace keeps two Slack teams' user ids apart."""

    platform: str
    workspace: str
    user_id: str
    display_name: str = ""

    @property
    def label(self) -> str:
        """For the audit log: one line, no control characters, whatever the platform sent."""
        clean = "".join(ch for ch in self.display_name if ch.isprintable())
        name = f" ({one_line(clean, 60)})" if clean else ""
        ws = f"{self.workspace}/" if self.workspace else ""
        return f"{self.platform}:{ws}{self.user_id}{name}"


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def new_code(prefix: str = "") -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(([prefix] if prefix else []) + groups)


def find_member(session: Session, account: Account) -> Member | None:
    return session.scalar(
        select(Member).where(
            Member.platform == account.platform,
            Member.workspace == account.workspace,
            Member.user_id == account.user_id,
            Member.revoked_at.is_(None),
        )
    )


def parse_audience(session: Session, text: str) -> tuple[AudienceKind, list[str]]:
    """`all`, `secretariat` or comma-separated state codes, each of which must exist."""
    value = text.strip()
    if value.lower() == "all":
        return AudienceKind.ALL, []
    if value.lower() == "secretariat":
        return AudienceKind.SECRETARIAT, []
    codes = sorted({c.strip().upper() for c in value.split(",") if c.strip()})
    if not codes:
        raise InvalidInput("Audience is `all`, `secretariat` or state codes like BRB,JAM.")
    unknown = [c for c in codes if session.get(State, c) is None]
    if unknown:
        raise InvalidInput(f"Unknown state code(s): {', '.join(unknown)}.")
    return AudienceKind.STATES, codes


def find_channel(
    session: Session, platform: str, workspace: str, chat_id: str, *, active_only: bool = False
) -> Channel | None:
    """The registration of one chat: the only place that looks a chat up."""
    query = select(Channel).where(
        Channel.platform == platform,
        Channel.workspace == workspace,
        Channel.chat_id == chat_id,
    )
    if active_only:
        query = query.where(Channel.active.is_(True))
    return session.scalar(query)


def channel_audience(
    session: Session, platform: str, workspace: str, chat_id: str
) -> frozenset[str] | None:
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is None:
        return None
    seen = frozenset(channel.seen_parties or ())
    kind = AudienceKind(channel.audience_kind)
    if kind is AudienceKind.SECRETARIAT:
        return frozenset({SECRETARIAT}) | seen
    if kind is AudienceKind.ALL:
        return frozenset(session.scalars(select(State.code))) | {SECRETARIAT} | seen
    return frozenset(channel.audience_states) | seen


def note_party_in_channel(
    session: Session, platform: str, workspace: str, chat_id: str, party: str
) -> None:
    """A member whose party the registration left out has evidently joined the room: widen
    the audience the group rule must satisfy (an admin can re-register to reset it)."""
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is not None and party not in (channel.seen_parties or []):
        channel.seen_parties = sorted({*(channel.seen_parties or []), party})


def principal_for(session: Session, account: Account, place: Place) -> Principal:
    member = find_member(session, account)
    if member is None:
        return Principal.unknown(place)
    role = Role(member.role)
    return Principal(
        party=party_for(role, member.state_code),
        role=role,
        place=place,
        member_id=member.id,
        label=account.label,
    )


def create_invite(
    session: Session,
    *,
    role: Role,
    state_code: str | None,
    created_by: str,
    ttl: timedelta,
    prefix: str = "",
) -> str:
    if role.is_secretariat and state_code:
        raise InvalidInput(f"The {role.value} role belongs to the secretariat; leave out --state.")
    if not role.is_secretariat:
        if not state_code:
            raise InvalidInput(f"The {role.value} role needs a state: add --state CODE.")
        if session.get(State, state_code.upper()) is None:
            raise InvalidInput(
                f"There is no state {state_code!r}. `secbot admin state list` shows the codes."
            )
        state_code = state_code.upper()
    code = new_code(prefix)
    session.add(
        Invite(
            code_hash=hash_code(code),
            state_code=state_code,
            role=role.value,
            created_by=created_by,
            expires_at=utcnow() + ttl,
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


def join(session: Session, account: Account, code: str, now: datetime | None = None) -> Member:
    """Bind the account to the invite's state and role; the invite can never be used again."""
    now = now or utcnow()
    if find_member(session, account) is not None:
        raise InvalidInput("You have already joined. Send `whoami` to see your state and role.")
    invite = session.scalar(
        select(Invite).where(Invite.code_hash == hash_code(code)).with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise InvalidInput(BAD_CODE)
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


def list_members(session: Session, state: str | None = None) -> list[Member]:
    query = select(Member).order_by(Member.state_code, Member.id)
    if state:
        query = query.where(Member.state_code == state.upper())
    return list(session.scalars(query))


def revoke_member(session: Session, member_id: int, *, by: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(
            f"There is no member #{member_id}. `secbot admin member list` shows the ids."
        )
    if member.revoked_at is not None:
        raise InvalidInput(f"Member #{member_id} was already revoked.")
    member.revoked_at = utcnow()
    session.execute(delete(Draft).where(Draft.member_id == member.id))
    audit.record(
        session, None, "member_revoked", actor=by, member=member_id, state=member.state_code
    )
    return member


def require_role(principal: Principal, *roles: Role, doing: str) -> None:
    if principal.role not in roles:
        names = " or ".join(r.value.replace("_", " ") + "s" for r in roles)
        raise NotPermitted(f"Only {names} can {doing}.")
