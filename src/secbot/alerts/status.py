"""Reading alerts back: who they were addressed to, what was delivered, who acknowledged."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.alerts.audience import addressed_to
from secbot.alerts.text import show_id
from secbot.db.models import Alert, AlertAck, AlertDelivery, Channel, State
from secbot.domain.enums import AudienceKind, DeliveryStatus
from secbot.domain.errors import NotFound


def get_for(session: Session, principal: Principal, alert_id: int) -> Alert:
    """The same NotFound for an unknown alert and for one not addressed to the asker."""
    alert = session.get(Alert, alert_id)
    if alert is None or not addressed_to(alert, principal.party):
        raise not_found(alert_id)
    return alert


def not_found(alert_id: int) -> NotFound:
    return NotFound(
        f"I can't find an alert {show_id(alert_id)} for you. `alerts` lists recent ones."
    )


def recent(session: Session, principal: Principal, limit: int = 10) -> list[Alert]:
    rows = session.scalars(select(Alert).order_by(Alert.id.desc()).limit(200))
    return [a for a in rows if addressed_to(a, principal.party)][:limit]


@dataclass(frozen=True)
class DeliveryCounts:
    sent: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


def counts(session: Session, alert_id: int) -> DeliveryCounts:
    tally = Counter(
        session.scalars(select(AlertDelivery.status).where(AlertDelivery.alert_id == alert_id))
    )
    return _counted(tally)


def counts_for(session: Session, alert_ids: list[int]) -> dict[int, DeliveryCounts]:
    """Several alerts' counts in one grouped query (a list page reads no count per row)."""
    tallies: dict[int, Counter[str]] = {i: Counter() for i in alert_ids}
    rows = session.execute(
        select(AlertDelivery.alert_id, AlertDelivery.status, func.count(AlertDelivery.id))
        .where(AlertDelivery.alert_id.in_(alert_ids))
        .group_by(AlertDelivery.alert_id, AlertDelivery.status)
    )
    for alert_id, state, n in rows:
        if alert_id is not None:
            tallies[alert_id][state] += int(n)
    return {i: _counted(t) for i, t in tallies.items()}


@dataclass(frozen=True)
class Board:
    """One alert's live view, read in two queries (no ORM objects, no per-row loads):
    each channel's (room, platform, status, last error) in delivery order, the counts
    derived from them, and acknowledgements counted per party."""

    rows: list[tuple[str, str, str, str]]
    counts: DeliveryCounts
    acks: list[tuple[str, int]]


def board(session: Session, alert_id: int) -> Board:
    rows = session.execute(
        select(
            func.coalesce(func.nullif(Channel.title, ""), Channel.chat_id),
            AlertDelivery.platform,
            AlertDelivery.status,
            AlertDelivery.last_error,
        )
        .join(Channel, Channel.id == AlertDelivery.channel_id)
        .where(AlertDelivery.alert_id == alert_id)
        .order_by(AlertDelivery.id)
    ).all()
    tally = Counter(r[2] for r in rows)
    acked = session.execute(
        select(AlertAck.party, func.count(AlertAck.id))
        .where(AlertAck.alert_id == alert_id)
        .group_by(AlertAck.party)
        .order_by(AlertAck.party)
    ).all()
    return Board(
        rows=[(r[0], r[1], r[2], r[3]) for r in rows],
        counts=_counted(tally),
        acks=[(party, int(n)) for party, n in acked],
    )


def _counted(tally: Counter[str]) -> DeliveryCounts:
    return DeliveryCounts(
        sent=tally[DeliveryStatus.SENT],
        failed=tally[DeliveryStatus.FAILED],
        pending=tally[DeliveryStatus.PENDING] + tally[DeliveryStatus.SENDING],
    )


def deliveries(session: Session, alert_id: int) -> list[AlertDelivery]:
    return list(
        session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert_id)
            .order_by(AlertDelivery.id)
        )
    )


def acks(session: Session, alert_id: int) -> list[AlertAck]:
    return list(
        session.scalars(select(AlertAck).where(AlertAck.alert_id == alert_id).order_by(AlertAck.at))
    )


def acknowledge(
    session: Session,
    principal: Principal,
    alert_id: int,
    *,
    channel_id: int | None,
    now: datetime,
) -> tuple[AlertAck, bool]:
    """(ack, created): acknowledging twice keeps the first time."""
    alert = get_for(session, principal, alert_id)
    assert principal.member_id is not None and principal.party is not None
    existing = session.scalar(
        select(AlertAck).where(
            AlertAck.alert_id == alert.id, AlertAck.member_id == principal.member_id
        )
    )
    if existing is not None:
        return existing, False
    ack = AlertAck(
        alert_id=alert.id,
        member_id=principal.member_id,
        party=principal.party,
        channel_id=channel_id,
        at=now,
    )
    session.add(ack)
    session.flush()
    audit.record(session, principal, "alert_acknowledged", alert=alert.id)
    return ack, True


def area_names(session: Session, alert: Alert) -> list[str]:
    """CAP areas: the states the alert is addressed to (none named for secretariat-only)."""
    if alert.audience_kind == AudienceKind.SECRETARIAT:
        return []
    query = select(State.name).order_by(State.name)
    if alert.audience_kind == AudienceKind.STATES:
        query = query.where(State.code.in_(alert.audience_states))
    return list(session.scalars(query))
