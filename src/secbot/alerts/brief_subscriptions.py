"""A registered room's standing order for a brief: subscribe, unsubscribe, and what is due.

Who may subscribe (room admins and the secretariat) is the permission table's call
(Action.SUBSCRIBE_BRIEF); a state admin may do it only in a room of its own state's audience,
as with `register`. The room's group rule, not the subscriber's, decides what each brief shows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.db.models import BriefSubscription, Channel
from secbot.domain.brief_periods import Cadence
from secbot.domain.errors import InvalidInput
from secbot.domain.zones import is_zone_name


def current(session: Session, channel: Channel) -> BriefSubscription | None:
    """The room's subscription if it is running."""
    found = session.scalar(
        select(BriefSubscription).where(BriefSubscription.channel_id == channel.id)
    )
    return found if found is not None and found.ended_at is None else None


def parse_cadence(text: str) -> Cadence:
    word = text.strip().lower()
    try:
        return Cadence(word)
    except ValueError:
        raise InvalidInput(
            "Say how often: `brief subscribe weekly` or `brief subscribe monthly` "
            "(optionally with the room's time zone, e.g. `brief subscribe weekly "
            "America/Barbados`)."
        ) from None


def subscribe(
    session: Session,
    principal: Principal,
    channel: Channel,
    cadence: Cadence,
    zone: str | None,
    now: datetime,
) -> BriefSubscription:
    """Start (or change) the room's subscription. `zone` None keeps the room's zone (UTC for a
    new one). Briefs due before now are not sent: a subscription starts with the next one."""
    if zone is not None and not is_zone_name(zone):
        raise InvalidInput(
            f"I don't know the time zone “{zone[:60]}”. Zones are written like "
            "America/Barbados; `utc` is UTC."
        )
    row = session.scalar(
        select(BriefSubscription).where(BriefSubscription.channel_id == channel.id)
    )
    if row is None:
        row = BriefSubscription(channel_id=channel.id, timezone="UTC")
        session.add(row)
    if row.ended_at is not None or row.cadence != cadence.value:
        row.started_at = now
    row.cadence = cadence.value
    row.timezone = "UTC" if zone is not None and zone.upper() == "UTC" else (zone or row.timezone)
    row.ended_at = None
    row.created_by = principal.member_id
    session.flush()
    audit.record(
        session,
        principal,
        "brief_subscribed",
        channel=channel.id,
        cadence=cadence.value,
        zone=row.timezone,
    )
    return row


def unsubscribe(
    session: Session, principal: Principal, channel: Channel, now: datetime
) -> BriefSubscription | None:
    """End the room's subscription; None when there was none. Issues already queued are still
    delivered (they were due while it ran)."""
    row = current(session, channel)
    if row is None:
        return None
    row.ended_at = now
    audit.record(session, principal, "brief_unsubscribed", channel=channel.id)
    return row


def running(session: Session) -> list[tuple[BriefSubscription, Channel]]:
    """Every running subscription of an active room, oldest first."""
    rows = session.execute(
        select(BriefSubscription, Channel)
        .join(Channel, Channel.id == BriefSubscription.channel_id)
        .where(BriefSubscription.ended_at.is_(None), Channel.active.is_(True))
        .order_by(BriefSubscription.id)
    )
    return [(sub, channel) for sub, channel in rows]
