"""The visibility rule, decided once per principal as a Scope that SQL, Chroma and Python all obey.

A party is *entitled* to a submission when it owns it, or (unless the label is RED) the owner has an
active share to that party or to all. A principal sees a submission when every party in its Scope
is entitled and the label is allowed where it asks:

- direct message: the principal's own party; any label (RED only reaches the owner anyway);
- registered group: the principal's party and every party of the channel's audience, CLEAR or
  GREEN only, so nobody in the room learns anything another party of the room may not see;
- strangers, unregistered groups, and secretariat admins (who administer identities, not data):
  no submissions at all, regional knowledge only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from secbot.access.principal import Principal, grant_tokens
from secbot.domain.enums import TLP, ChatKind, Role

GROUP_TLPS = frozenset(t for t in TLP if t.group_safe)
ALL_TLPS = frozenset(TLP)


@dataclass(frozen=True)
class Scope:
    """`required` parties must all be entitled; empty means no submission is visible (deny)."""

    required: frozenset[str]
    tlps: frozenset[TLP]

    @property
    def sees_nothing(self) -> bool:
        return not self.required or not self.tlps


NOTHING = Scope(frozenset(), frozenset())


def scope_for(principal: Principal) -> Scope:
    if not principal.is_member or principal.party is None:
        return NOTHING
    if principal.role is Role.SECRETARIAT_ADMIN:
        return NOTHING
    place = principal.place
    if place.kind is ChatKind.DIRECT:
        return Scope(frozenset({principal.party}), ALL_TLPS)
    if place.audience is None or not place.audience:
        return NOTHING
    return Scope(frozenset(place.audience) | {principal.party}, GROUP_TLPS)


def room_scope(parties: frozenset[str] | None) -> Scope:
    """The group rule for a room with nobody asking (a scheduled brief): every party the room
    holds must be entitled, CLEAR or GREEN only; a room that may see nothing sees nothing."""
    if not parties:
        return NOTHING
    return Scope(frozenset(parties), GROUP_TLPS)


@dataclass(frozen=True)
class SubmissionFacts:
    """What the rule needs to know about one submission, read fresh from SQL."""

    owner: str
    tlp: TLP
    grantees: frozenset[str]


def entitled(party: str, facts: SubmissionFacts) -> bool:
    if facts.owner == party:
        return True
    return facts.tlp is not TLP.RED and bool(facts.grantees & grant_tokens(party))


def permits(scope: Scope, facts: SubmissionFacts) -> bool:
    """The post-check every result passes before it reaches a reply."""
    if scope.sees_nothing or facts.tlp not in scope.tlps:
        return False
    return all(entitled(party, facts) for party in scope.required)


def sorted_parties(parties: Iterable[str]) -> list[str]:
    """Deterministic order keeps generated SQL and Chroma filters stable (and cacheable)."""
    return sorted(parties)
