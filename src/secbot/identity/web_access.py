"""Passwordless sign-in to the web console: one-time links and the sessions they open.

A link is 32 random bytes, kept only as its SHA-256, usable once within ten minutes, by the one
member it was made for. A session is another random token (a new one at every sign-in, so a
planted cookie never becomes a signed-in one), checked against the member on every request: a
revoked member, an ended or idle session is a stranger at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Place, Principal, party_for
from secbot.db.models import Member
from secbot.db.web import WebLink, WebSession
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput

LINK_TTL = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_LIFETIME = timedelta(hours=12)
"""However busy, a session ends this long after sign-in: a stolen cookie does not live for ever."""
SEEN_EVERY = timedelta(seconds=30)
"""seen_at is written at most this often: one write per page would serialise every read."""
LINK_REFUSED = (
    "This sign-in link cannot be used: links work once, for ten minutes. Send `web` to the bot "
    "in a direct message for a new one."
)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def signin_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/web/signin?token={token}"


def create_link(session: Session, member_id: int, now: datetime) -> str:
    """A new one-time token for this member (earlier unused links stay valid until they expire
    or until any of them is used)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebLink(
            token_hash=digest(token), member_id=member_id, created_at=now, expires_at=now + LINK_TTL
        )
    )
    session.flush()
    return token


@dataclass(frozen=True)
class Opened:
    token: str
    """The session cookie's value: shown to the browser once, stored only as a hash."""
    member_id: int


def redeem_link(session: Session, token: str, now: datetime) -> Opened:
    """Spend a link and open a session. Reuse, expiry, a revoked member and an unknown token all
    get the same refusal. The UPDATE ... WHERE used_at IS NULL makes two racing uses one."""
    link = session.scalar(select(WebLink).where(WebLink.token_hash == digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidInput(LINK_REFUSED)
    member = session.get(Member, link.member_id)
    if member is None or member.revoked_at is not None:
        raise InvalidInput(LINK_REFUSED)
    spent = session.execute(
        update(WebLink)
        .where(WebLink.id == link.id, WebLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidInput(LINK_REFUSED)
    # One sign-in spends every other link the member still holds: a link forwarded or left in
    # a chat history is worth nothing once its owner has signed in.
    session.execute(
        update(WebLink)
        .where(WebLink.member_id == member.id, WebLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    opened = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=digest(opened),
            member_id=member.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            seen_at=now,
        )
    )
    audit.record(session, None, "web_signin", actor=f"web:{member.id}", member=member.id)
    session.flush()
    return Opened(opened, member.id)


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: who it is (as a direct-message principal) and its CSRF token."""

    principal: Principal
    csrf: str
    session_id: int
    name: str


def visitor(session: Session, token: str | None, now: datetime) -> Visitor | None:
    """The member behind a session cookie, or None (no cookie, unknown, ended, idle, revoked)."""
    if not token:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if row is None or row.ended_at is not None:
        return None
    if row.seen_at + IDLE_TIMEOUT <= now or row.created_at + MAX_LIFETIME <= now:
        row.ended_at = now
        return None
    member = session.get(Member, row.member_id)
    if member is None or member.revoked_at is not None:
        row.ended_at = now
        return None
    if now - row.seen_at >= SEEN_EVERY:
        row.seen_at = now
    role = Role(member.role)
    label = f"web:{member.platform}:{member.user_id}"
    principal = Principal(
        party=party_for(role, member.state_code),
        role=role,
        place=Place.direct(),
        member_id=member.id,
        label=label,
    )
    return Visitor(principal, row.csrf, row.id, member.display_name or member.user_id)


def end_session(session: Session, token: str | None, now: datetime) -> None:
    if token:
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == digest(token), WebSession.ended_at.is_(None))
            .values(ended_at=now)
        )


def end_member_sessions(session: Session, member_id: int, now: datetime) -> None:
    """Called when a member is revoked (the per-request check refuses them anyway)."""
    session.execute(
        update(WebSession)
        .where(WebSession.member_id == member_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
