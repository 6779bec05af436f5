"""Who a chat account is: the member it is bound to, resolved to a principal per message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.principal import Place, Principal, party_for
from secbot.db.models import Member
from secbot.domain.enums import Role
from secbot.domain.text import one_line


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


def find_member(session: Session, account: Account) -> Member | None:
    return session.scalar(
        select(Member).where(
            Member.platform == account.platform,
            Member.workspace == account.workspace,
            Member.user_id == account.user_id,
            Member.revoked_at.is_(None),
        )
    )


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
