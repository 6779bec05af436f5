"""The one shape of a delivery the outbox has not tried yet, for an alert or a scheduled brief:
both are queued in the transaction that records them, and the outbox treats them alike."""

from __future__ import annotations

from datetime import datetime

from secbot.db.models import AlertDelivery, Channel
from secbot.domain.enums import DeliveryStatus


def pending_delivery(
    channel: Channel,
    now: datetime,
    *,
    alert_id: int | None = None,
    brief_issue_id: int | None = None,
) -> AlertDelivery:
    return AlertDelivery(
        alert_id=alert_id,
        brief_issue_id=brief_issue_id,
        channel_id=channel.id,
        platform=channel.platform,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        worker="",
        platform_message_id="",
        last_error="",
        updated_at=now,
    )
