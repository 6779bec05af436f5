"""Partner organisations (non-state actors): parties of their own, added by the secretariat
admin. They share the `states` table (so they can own observations and number them) but never
its name: a partner code is 4-12 characters, a state code 3 (decision 0023)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.db.models import Channel, Member, Share, State
from secbot.domain.enums import PartnerKind
from secbot.domain.errors import InvalidInput, NotFound
from secbot.domain.text import one_line

CODE = re.compile(r"^[A-Z]{4,12}$")
"""Letters only, so `cdema7` reads as CDEMA-0007 the way `brb7` reads as BRB-0007."""
KINDS = ", ".join(k.value for k in PartnerKind)


def normal_code(code: str) -> str:
    return code.strip().upper()


def add_partner(
    session: Session,
    code: str,
    name: str,
    kind: str,
    *,
    by: str,
    office: str = "",
    channel: str = "",
) -> State:
    """A new partner, or a removed one brought back under the same code."""
    code = normal_code(code)
    if not CODE.match(code):
        raise InvalidInput(
            "A partner code is 4 to 12 letters (e.g. CDEMA): three-letter codes belong to states."
        )
    try:
        partner_kind = PartnerKind(kind.strip().lower())
    except ValueError:
        raise InvalidInput(f"A partner's kind is one of: {KINDS}.") from None
    if not name.strip():
        raise InvalidInput('Give the partner\'s name, e.g. --name "Disaster Agency".')
    existing = session.get(State, code)
    if existing is not None and (existing.kind == "state" or existing.retired_at is None):
        raise InvalidInput(f"{code} already exists.")
    if existing is None:
        existing = State(code=code, name=name.strip(), kind=partner_kind.value)
        session.add(existing)
    existing.name = name.strip()
    existing.kind = partner_kind.value
    existing.retired_at = None
    existing.office = one_line(office.strip(), 200)
    existing.contact_channel = one_line(channel.strip(), 200)
    session.flush()
    audit.record(session, None, "partner_added", actor=by, partner=code, kind=partner_kind.value)
    return existing


def get_partner(session: Session, code: str) -> State | None:
    """An active partner by code; None for states, unknown and removed codes."""
    row = session.get(State, normal_code(code))
    if row is None or row.kind == "state" or row.retired_at is not None:
        return None
    return row


def list_partners(session: Session) -> list[State]:
    return list(
        session.scalars(
            select(State)
            .where(State.kind != "state", State.retired_at.is_(None))
            .order_by(State.code)
        )
    )


def remove_partner(session: Session, code: str, *, by: str, now: datetime) -> State:
    """Retire a partner at once: its members are revoked, every active share to it is revoked
    (so its co-ordination logs close), rooms naming it are switched off. Rows are kept."""
    partner = get_partner(session, code)
    if partner is None:
        raise NotFound(f"No partner {normal_code(code)}. `secbot admin partner list` shows them.")
    partner.retired_at = now
    session.execute(
        update(Member)
        .where(Member.state_code == partner.code, Member.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    # Through the ORM, not a bulk UPDATE: the flush is what tells the retrieval index which
    # submissions' readers changed (db.session._touched_submissions).
    for share in session.scalars(
        select(Share).where(Share.grantee == partner.code, Share.revoked_at.is_(None))
    ):
        share.revoked_at = now
    # A room naming the partner is switched off, never narrowed: its people are still in the
    # platform's group, and a narrower audience would let the room see more (the group rule
    # reads what every party may see). An admin registers it again for who is really there.
    for channel in session.scalars(select(Channel).where(Channel.active.is_(True))):
        if partner.code in (channel.audience_states or []):
            channel.active = False
            channel.removed_reason = f"partner {partner.code} removed"
    audit.record(session, None, "partner_removed", actor=by, partner=partner.code)
    return partner
