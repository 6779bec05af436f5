"""Who is asking, and where. A principal is resolved once per inbound message."""

from __future__ import annotations

from dataclasses import dataclass

from secbot.domain.enums import ChatKind, Role

SECRETARIAT = "*secretariat"
"""The secretariat's party token; never a state code, so it can never own a submission."""

ALL = "*all"
"""Share grantee meaning every member state and the secretariat; never a partner."""

STATE_CODE_LENGTH = 3
"""State codes are ISO 3166-1 alpha-3; partner codes are 4-12 characters (decision 0023), so
a party's code alone says which it is and the rule needs no lookup."""


def is_partner(party: str | None) -> bool:
    """A non-state organisation: neither a state nor the secretariat, never inside `all`."""
    return party is not None and not party.startswith("*") and len(party) > STATE_CODE_LENGTH


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
    """party is a state code, SECRETARIAT, a partner code, or None for someone who has not
    joined."""

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
        """The member's state, or None for the secretariat, partners and strangers."""
        if not self.party or self.party.startswith("*") or is_partner(self.party):
            return None
        return self.party

    @property
    def partner(self) -> str | None:
        """The member's partner organisation, or None."""
        return self.party if is_partner(self.party) else None

    @property
    def owner_party(self) -> str | None:
        """The party whose submissions this member files and changes: a state or a partner."""
        return self.state or self.partner


def party_for(role: Role, state_code: str | None) -> str:
    if role.is_secretariat:
        return SECRETARIAT
    if state_code is None:
        raise ValueError(f"role {role} needs a state or a partner")
    if role.is_partner != is_partner(state_code):
        raise ValueError(f"role {role} does not fit party {state_code}")
    return state_code


def grant_tokens(party: str) -> frozenset[str]:
    """The share grantees that entitle a party: its own token and `all`; a partner only by
    name (`all` means the states and the secretariat, never a partner)."""
    if is_partner(party):
        return frozenset({party})
    return frozenset({party, ALL})
