"""Who an alert reaches: the rooms that fit its audience, and who it is addressed to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.principal import SECRETARIAT, is_partner
from secbot.db.models import Alert, Channel
from secbot.domain.enums import AudienceKind

UNREACHABLE_PLATFORMS: tuple[str, ...] = ()
"""Platforms whose rooms an alert cannot reach. None today: console rooms receive alerts in
their mailbox (transports.console_rooms), so a trial without Telegram or Slack can try them."""


def audience_label(kind: str, states: list[str]) -> str:
    if kind == AudienceKind.ALL:
        return "all channels"
    if kind == AudienceKind.SECRETARIAT:
        return "secretariat channels"
    return "channels of " + ", ".join(states)


def _parties(channel: Channel) -> set[str]:
    return {*channel.audience_states, *(channel.seen_parties or [])}


def target_channels(
    session: Session, kind: AudienceKind, states: tuple[str, ...], tags: tuple[str, ...]
) -> list[Channel]:
    """`all`: every active channel. `secretariat`: secretariat rooms. States: rooms whose every
    party is one of those states (or the secretariat), so nobody else reads it. Tags narrow."""
    chosen = [
        channel
        for channel in session.scalars(
            select(Channel).where(
                Channel.active.is_(True), Channel.platform.not_in(UNREACHABLE_PLATFORMS)
            )
        )
        if (not tags or set(tags) & set(channel.tags or []))
        and room_fits(channel, kind.value, states)
    ]
    return sorted(chosen, key=lambda c: c.id)


def room_fits(channel: Channel, kind: str, states: tuple[str, ...] | list[str]) -> bool:
    """Whether everyone a room holds may read an alert for this audience. Checked when the
    alert is queued and again when each delivery is claimed: rooms change in between. `all`
    means the states and the secretariat: a room holding a partner is reached only by name."""
    if any(is_partner(p) for p in _parties(channel)):
        return (
            kind == AudienceKind.STATES
            and channel.audience_kind == AudienceKind.STATES
            and channel.stranger_seen_at is None
            and (_parties(channel) <= set(states) | {SECRETARIAT})
        )
    if kind == AudienceKind.ALL:
        return True
    if channel.stranger_seen_at is not None:
        return False  # someone who is no member is there: not every party is in the audience
    if kind == AudienceKind.SECRETARIAT:
        return channel.audience_kind == AudienceKind.SECRETARIAT and not channel.seen_parties
    wanted = set(states) | {SECRETARIAT}
    return channel.audience_kind == AudienceKind.STATES and _parties(channel) <= wanted


def addressed_to(alert: Alert, party: str | None) -> bool:
    """The secretariat sees every alert; a state sees those sent to all or naming it."""
    if party is None:
        return False
    if party == SECRETARIAT:
        return True
    if alert.audience_kind == AudienceKind.ALL and not is_partner(party):
        return True
    return alert.audience_kind == AudienceKind.STATES and party in alert.audience_states


def addressed_to_room(alert: Alert, audience: frozenset[str] | None) -> bool:
    """In a group, an alert may be named only if it was addressed to every party there."""
    return bool(audience) and all(addressed_to(alert, party) for party in audience or ())


def known_tags(session: Session) -> list[str]:
    tags: set[str] = set()
    for row in session.scalars(select(Channel.tags).where(Channel.active.is_(True))):
        tags.update(row or [])
    return sorted(tags)
