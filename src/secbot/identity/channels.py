"""Registering group chats and their audiences: the audience decides what the bot may say there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import SECRETARIAT
from secbot.db.models import Channel, State
from secbot.domain.enums import AudienceKind
from secbot.domain.errors import InvalidInput, NotFound
from secbot.identity.partners import get_partner
from secbot.identity.states import get_state

PLATFORMS = ("telegram", "slack", "console")


def parse_audience(session: Session, text: str) -> tuple[AudienceKind, list[str]]:
    """`all`, `secretariat` or comma-separated state and partner codes, each of which must
    exist. `all` holds the states and the secretariat, never partners: a room that holds a
    partner names it (`BRB, CDEMA`)."""
    value = text.strip()
    if value.lower() == "all":
        return AudienceKind.ALL, []
    if value.lower() == "secretariat":
        return AudienceKind.SECRETARIAT, []
    codes = sorted({c.strip().upper() for c in value.split(",") if c.strip()})
    if not codes:
        raise InvalidInput(
            "Audience is `all`, `secretariat` or state and partner codes like BRB,JAM,CDEMA."
        )
    unknown = [
        c for c in codes if get_state(session, c) is None and get_partner(session, c) is None
    ]
    if unknown:
        raise InvalidInput(f"Unknown state or partner code(s): {', '.join(unknown)}.")
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
    """The parties a room holds, or None for a room that sees regional knowledge only: not
    registered, or an outsider (no member at all) has been seen there."""
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is None or channel.stranger_seen_at is not None:
        return None
    seen = frozenset(channel.seen_parties or ())
    kind = AudienceKind(channel.audience_kind)
    if kind is AudienceKind.SECRETARIAT:
        return frozenset({SECRETARIAT}) | seen
    if kind is AudienceKind.ALL:
        states = select(State.code).where(State.kind == "state")
        return frozenset(session.scalars(states)) | {SECRETARIAT} | seen
    return frozenset(channel.audience_states) | seen


def note_party_in_channel(
    session: Session, platform: str, workspace: str, chat_id: str, party: str
) -> None:
    """A member whose party the registration left out has evidently joined the room: widen
    the audience the group rule must satisfy (an admin can re-register to reset it)."""
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is not None and party not in (channel.seen_parties or []):
        channel.seen_parties = sorted({*(channel.seen_parties or []), party})


def note_stranger_in_channel(
    session: Session, platform: str, workspace: str, chat_id: str, now: datetime
) -> None:
    """Someone who is no member spoke in the room: from now on it sees regional knowledge only,
    until an admin registers it again (which says the room is as registered)."""
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is not None and channel.stranger_seen_at is None:
        channel.stranger_seen_at = now
        audit.record(
            session, None, "outsider_seen", actor=platform, channel=channel.id, chat=chat_id
        )


def add_channel(
    session: Session,
    *,
    platform: str,
    chat_id: str,
    audience: str,
    workspace: str = "",
    title: str = "",
    tags: list[str] | None = None,
    by: str,
    keep_seen: bool = False,
) -> Channel:
    if platform not in PLATFORMS:
        raise InvalidInput(f"Platform is one of: {', '.join(PLATFORMS)}.")
    kind, states = parse_audience(session, audience)
    channel = find_channel(session, platform, workspace, chat_id)
    if channel is None:
        channel = Channel(platform=platform, workspace=workspace, chat_id=chat_id)
        session.add(channel)
    channel.title = title
    channel.audience_kind = kind.value
    channel.audience_states = states
    channel.tags = sorted({t.lower() for t in tags or []})
    if not keep_seen:
        channel.seen_parties = []
    channel.stranger_seen_at = None
    channel.active = True
    channel.removed_reason = ""
    session.flush()
    audit.record(
        session, None, "channel_registered", actor=by, channel=channel.id, audience=audience
    )
    return channel


def list_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def remove_channel(session: Session, channel_id: int, *, by: str) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        raise NotFound(f"No active channel #{channel_id}. `secbot admin channel list` shows them.")
    channel.active = False
    audit.record(session, None, "channel_removed", actor=by, channel=channel_id)
    return channel


def mark_removed(
    session: Session, platform: str, workspace: str, chat_id: str, reason: str
) -> bool:
    """The platform told us the bot left or lost a chat: stop sending there, keep the history.
    Returns whether an active channel was deactivated."""
    channel = find_channel(session, platform, workspace, chat_id, active_only=True)
    if channel is None:
        return False
    channel.active = False
    channel.removed_reason = f"bot removed: {reason}"[:300]
    audit.record(session, None, "channel_lost", actor=platform, channel=channel.id, reason=reason)
    return True
