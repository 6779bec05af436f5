"""The words every channel receives for an alert: plain text, so no platform's markup parser
can reject it, and the same on every platform."""

from __future__ import annotations

from secbot.db.models import Alert
from secbot.domain.cap import CATEGORY_LABELS, CapCategory


def show_id(alert_id: int) -> str:
    return f"A-{alert_id}"


def category_label(alert: Alert) -> str:
    return CATEGORY_LABELS.get(CapCategory(alert.category), alert.category)


def message_text(alert: Alert) -> str:
    lines = [
        f"⚠ ALERT {show_id(alert.id)} · {alert.severity.upper()} · {alert.urgency} · "
        f"{category_label(alert)}",
        alert.headline,
        "",
        alert.body,
        "",
    ]
    if alert.expires_at is not None:
        lines.append(f"Expires {alert.expires_at:%Y-%m-%d %H:%M} UTC")
    lines.append(f"From {alert.sender} · certainty {alert.certainty}")
    lines.append(f"Tap Acknowledge, or send: ack {show_id(alert.id)}")
    return "\n".join(lines)
