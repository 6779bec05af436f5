"""How alerts read in chat and on the command line. Status views name channels, states and
members, never any submission's content."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, tzinfo

from sqlalchemy.orm import Session

from secbot.access.permissions import Action, allowed, require
from secbot.access.principal import SECRETARIAT, Principal, is_partner
from secbot.alerts import fields, status
from secbot.alerts.audience import audience_label
from secbot.alerts.compose import AlertInput
from secbot.alerts.text import category_label, show_id
from secbot.db.models import Alert, AlertDelivery, Channel, Member
from secbot.domain.cap import CATEGORY_LABELS
from secbot.domain.enums import DeliveryStatus
from secbot.domain.text import one_line
from secbot.domain.when import show_time


def _when(alert: Alert, zone: tzinfo = UTC) -> str:
    return show_time(alert.created_at, zone)


def heading(alert: Alert) -> str:
    return (
        f"{show_id(alert.id)} · {alert.severity} · {alert.urgency} · {category_label(alert)} — "
        f"{alert.headline}"
    )


def reach(channels: list[Channel]) -> str:
    by_platform = Counter(c.platform for c in channels)
    parts = ", ".join(f"{n} {p.capitalize()}" for p, n in sorted(by_platform.items()))
    noun = "channel" if len(channels) == 1 else "channels"
    partner_rooms = sum(
        1 for c in channels if any(is_partner(p) for p in [*c.audience_states, *c.seen_parties])
    )
    partners = f", {partner_rooms} of them partner rooms" if partner_rooms else ""
    return f"{len(channels)} {noun}" + (f" ({parts}{partners})" if parts else "")


def summary(data: AlertInput, zone: tzinfo = UTC) -> str:
    lines = [
        f"Headline: {data.headline}",
        f"Message: {one_line(data.body, 300)}",
        f"Severity {data.severity.value} · urgency {data.urgency.value} · "
        f"certainty {data.certainty.value} · {CATEGORY_LABELS[data.category]}",
        f"Audience: {data.audience_label}"
        + (f" tagged {', '.join('#' + t for t in data.tags)}" if data.tags else ""),
        "Expires: " + (show_time(data.expires_at, zone) if data.expires_at else "not set"),
    ]
    return "\n".join(lines)


def _channel_line(delivery: AlertDelivery) -> str:
    channel = delivery.channel
    audience = ",".join(channel.audience_states) or channel.audience_kind
    title = f" “{channel.title}”" if channel.title else ""
    outsider = (
        f", outsider seen {channel.stranger_seen_at:%Y-%m-%d}" if channel.stranger_seen_at else ""
    )
    where = f"{channel.platform} {channel.chat_id}{title} ({audience}{outsider})"
    if delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None:
        return f"• {where}: sent {delivery.sent_at:%H:%M:%S}"
    if delivery.status == DeliveryStatus.FAILED:
        return f"• {where}: FAILED — {delivery.last_error}"
    retry = f" (attempt {delivery.attempts}: {delivery.last_error})" if delivery.last_error else ""
    return f"• {where}: {delivery.status}{retry}"


def status_text(
    session: Session,
    principal: Principal,
    alert_ref: str,
    *,
    limit: int | None = 25,
    zone: tzinfo = UTC,
) -> str:
    """The secretariat's view of one alert: per-channel status and who acknowledged."""
    require(principal, Action.SEE_ALERT_STATUS)
    alert = status.get_for(session, principal, fields.alert_id(alert_ref))
    counts = status.counts(session, alert.id)
    acks = status.acks(session, alert.id)
    states = sorted({a.party for a in acks if a.party != SECRETARIAT and not is_partner(a.party)})
    partners = sorted({a.party for a in acks if is_partner(a.party)})
    lines = [
        heading(alert),
        f"Sent {_when(alert, zone)} by {alert.sender} to "
        + audience_label(alert.audience_kind, alert.audience_states)
        + (
            f" tagged {', '.join('#' + t for t in alert.audience_tags)}"
            if alert.audience_tags
            else ""
        ),
        f"Delivered {counts.sent}/{counts.total} · failed {counts.failed} · "
        f"pending {counts.pending} · acknowledged by {len(acks)} "
        f"member{'s' if len(acks) != 1 else ''} from {len(states)} state"
        f"{'s' if len(states) != 1 else ''}"
        + (f" and partners {', '.join(partners)}" if partners else ""),
        "Channels:",
    ]
    rows = status.deliveries(session, alert.id)
    order = {
        DeliveryStatus.FAILED: 0,
        DeliveryStatus.SENDING: 1,
        DeliveryStatus.PENDING: 2,
        DeliveryStatus.SENT: 3,
    }
    rows.sort(key=lambda d: (order.get(DeliveryStatus(d.status), 4), d.id))
    shown = rows if limit is None else rows[:limit]
    lines += [_channel_line(d) for d in shown]
    if len(rows) > len(shown):
        lines.append(f"…and {len(rows) - len(shown)} more: `secbot alert show {show_id(alert.id)}`")
    lines.append("Acknowledged:" if acks else "Acknowledged: nobody yet")
    for ack in acks:
        member = session.get(Member, ack.member_id)
        name = member.display_name or member.user_id if member else "unknown"
        party = "secretariat" if ack.party == SECRETARIAT else ack.party
        party += " · partner" if is_partner(ack.party) else ""
        lines.append(f"• {name} ({party}) {show_time(ack.at, zone)}")
    return "\n".join(lines)


def list_line(session: Session, principal: Principal, alert: Alert, zone: tzinfo = UTC) -> str:
    if allowed(principal, Action.SEE_ALERT_STATUS):
        c = status.counts(session, alert.id)
        n_acks = len(status.acks(session, alert.id))
        return (
            f"• {heading(alert)}\n  {_when(alert, zone)} · delivered {c.sent}/{c.total}, "
            f"failed {c.failed}, pending {c.pending} · {n_acks} acknowledged"
        )
    mine = any(a.member_id == principal.member_id for a in status.acks(session, alert.id))
    ack = "✔ acknowledged" if mine else f"not acknowledged: ack {show_id(alert.id)}"
    return f"• {heading(alert)}\n  {_when(alert, zone)} · {ack}"
