"""Who is asking, and where. A principal is resolved once per inbound message."""

from __future__ import annotations

from dataclasses import dataclass

from secbot.domain.enums import ChatKind, Role

SECRETARIAT = "*secretariat"
"""The secretariat's party token; never a state code, so it can never own a submission."""

ALL = "*all"
"""Share grantee meaning every member party: all states and the secretariat."""


@dataclass(frozen=True)
class Place:
    """Where a question is asked. A group's audience is None when the chat is not registered."""

    kind: ChatKind
    audience: frozenset[str] | None = None

    @classmethod
    def direct(cls) -> Place:
        return cls(ChatKind.DIRECT)

    @classmethod
    def group(cls, audience: frozenset[str] | None) -> Place:
        return cls(ChatKind.GROUP, audience)


@dataclass(frozen=True)
class Principal:
    """party is a state code, SECRETARIAT, or None for someone who has not joined."""

    party: str | None
    role: Role | None
    place: Place
    member_id: int | None = None
    label: str = "unknown"

    @classmethod
    def unknown(cls, place: Place | None = None) -> Principal:
        return cls(party=None, role=None, place=place or Place.direct())

    @property
    def is_member(self) -> bool:
        return self.party is not None and self.role is not None

    @property
    def state(self) -> str | None:
        """The member's state, or None for the secretariat and strangers."""
        return self.party if self.party and not self.party.startswith("*") else None


def party_for(role: Role, state_code: str | None) -> str:
    if role.is_secretariat:
        return SECRETARIAT
    if state_code is None:
        raise ValueError(f"role {role} needs a state")
    return state_code


def grant_tokens(party: str) -> frozenset[str]:
    """The share grantees that entitle a party: its own token and `all`."""
    return frozenset({party, ALL})
