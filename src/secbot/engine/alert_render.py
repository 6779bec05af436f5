"""How alerts read in chat and on the command line. Status views name channels, states and
members, never any submission's content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from secbot.access.principal import SECRETARIAT, Principal
from secbot.db.models import Alert, AlertDelivery, Member
from secbot.domain.cap import CATEGORY_LABELS, CapCategory
from secbot.services import alerts


def _when(alert: Alert) -> str:
    return f"{alert.created_at:%Y-%m-%d %H:%M} UTC"


def heading(alert: Alert) -> str:
    label = CATEGORY_LABELS.get(CapCategory(alert.category), alert.category)
    return (
        f"{alerts.show_id(alert.id)} · {alert.severity} · {alert.urgency} · {label} — "
        f"{alert.headline}"
    )


def _channel_line(delivery: AlertDelivery) -> str:
    channel = delivery.channel
    audience = ",".join(channel.audience_states) or channel.audience_kind
    title = f" “{channel.title}”" if channel.title else ""
    where = f"{channel.platform} {channel.chat_id}{title} ({audience})"
    if delivery.status == "sent" and delivery.sent_at is not None:
        return f"• {where}: sent {delivery.sent_at:%H:%M:%S}"
    if delivery.status == "failed":
        return f"• {where}: FAILED — {delivery.last_error}"
    retry = f" (attempt {delivery.attempts}: {delivery.last_error})" if delivery.last_error else ""
    return f"• {where}: {delivery.status}{retry}"


def status_text(
    session: Session, principal: Principal, alert_ref: str, *, limit: int | None = 25
) -> str:
    """The secretariat's view of one alert: per-channel status and who acknowledged."""
    alerts.require_secretariat(principal, "see delivery status")
    alert = alerts.get_for(session, principal, alerts.parse_alert_id(alert_ref))
    counts = alerts.counts(session, alert.id)
    acks = alerts.acks(session, alert.id)
    states = sorted({a.party for a in acks if a.party != SECRETARIAT})
    lines = [
        heading(alert),
        f"Sent {_when(alert)} by {alert.sender} to "
        + alerts.audience_label(alert.audience_kind, alert.audience_states)
        + (
            f" tagged {', '.join('#' + t for t in alert.audience_tags)}"
            if alert.audience_tags
            else ""
        ),
        f"Delivered {counts.sent}/{counts.total} · failed {counts.failed} · "
        f"pending {counts.pending} · acknowledged by {len(acks)} "
        f"member{'s' if len(acks) != 1 else ''} from {len(states)} state"
        f"{'s' if len(states) != 1 else ''}",
        "Channels:",
    ]
    rows = alerts.deliveries(session, alert.id)
    order = {"failed": 0, "sending": 1, "pending": 2, "sent": 3}
    rows.sort(key=lambda d: (order.get(d.status, 4), d.id))
    shown = rows if limit is None else rows[:limit]
    lines += [_channel_line(d) for d in shown]
    if len(rows) > len(shown):
        lines.append(
            f"…and {len(rows) - len(shown)} more: `secbot alert show {alerts.show_id(alert.id)}`"
        )
    lines.append("Acknowledged:" if acks else "Acknowledged: nobody yet")
    for ack in acks:
        member = session.get(Member, ack.member_id)
        name = member.display_name or member.user_id if member else "unknown"
        party = "secretariat" if ack.party == SECRETARIAT else ack.party
        lines.append(f"• {name} ({party}) {ack.at:%Y-%m-%d %H:%M} UTC")
    return "\n".join(lines)


def list_line(session: Session, principal: Principal, alert: Alert) -> str:
    if principal.role is not None and principal.role.is_secretariat:
        c = alerts.counts(session, alert.id)
        n_acks = len(alerts.acks(session, alert.id))
        return (
            f"• {heading(alert)}\n  {_when(alert)} · delivered {c.sent}/{c.total}, "
            f"failed {c.failed}, pending {c.pending} · {n_acks} acknowledged"
        )
    mine = any(a.member_id == principal.member_id for a in alerts.acks(session, alert.id))
    ack = "✔ acknowledged" if mine else f"not acknowledged: ack {alerts.show_id(alert.id)}"
    return f"• {heading(alert)}\n  {_when(alert)} · {ack}"
