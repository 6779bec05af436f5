"""Composing an alert: every field checked, then the alert and one delivery per channel written
in the caller's single transaction (the outbox), so the dispatcher only ever sees whole alerts.

Chat (the `alert` form) and automation (`secbot alert send`) both end in `validate` and
`create`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.alerts import fields
from secbot.alerts.audience import audience_label, target_channels
from secbot.alerts.pending import pending_delivery
from secbot.alerts.quoting import copied_text_problem
from secbot.db.models import Alert
from secbot.domain.cap import CapCategory, CapCertainty, CapSeverity, CapUrgency
from secbot.domain.enums import AudienceKind
from secbot.domain.errors import FormErrors, InvalidInput, collect


@dataclass(frozen=True)
class AlertInput:
    headline: str
    body: str
    severity: CapSeverity
    urgency: CapUrgency
    certainty: CapCertainty
    category: CapCategory
    audience_kind: AudienceKind
    audience_states: tuple[str, ...]
    tags: tuple[str, ...]
    expires_at: datetime | None

    @property
    def audience_label(self) -> str:
        return audience_label(self.audience_kind.value, list(self.audience_states))


def validate(session: Session, values: dict[str, str], now: datetime) -> AlertInput:
    """Every field checked at once; FormErrors names each bad field and nothing is written."""
    v = values.get
    checked: dict[str, object] = collect(
        {
            "headline": lambda: fields.headline(session, v("headline", "")),
            "body": lambda: fields.body(session, v("body", "")),
            "severity": lambda: fields.cap_choice(CapSeverity, "severity", v("severity", "")),
            "urgency": lambda: fields.cap_choice(CapUrgency, "urgency", v("urgency", "")),
            "certainty": lambda: fields.cap_choice(CapCertainty, "certainty", v("certainty", "")),
            "category": lambda: fields.cap_choice(CapCategory, "category", v("category", "")),
            "audience": lambda: fields.audience(session, v("audience", "")),
            "tags": lambda: fields.tags(v("tags", "")),
            "expires": lambda: fields.expiry(v("expires", ""), now),
        }
    )
    kind, states = cast(tuple[AudienceKind, tuple[str, ...]], checked["audience"])
    copied = copied_text_problem(session, f"{checked['headline']}\n{checked['body']}", kind, states)
    if copied:
        raise FormErrors({"body": copied})
    return AlertInput(
        headline=cast(str, checked["headline"]),
        body=cast(str, checked["body"]),
        severity=cast(CapSeverity, checked["severity"]),
        urgency=cast(CapUrgency, checked["urgency"]),
        certainty=cast(CapCertainty, checked["certainty"]),
        category=cast(CapCategory, checked["category"]),
        audience_kind=kind,
        audience_states=states,
        tags=cast(tuple[str, ...], checked["tags"]),
        expires_at=cast(datetime | None, checked["expires"]),
    )


def create(
    session: Session,
    data: AlertInput,
    *,
    principal: Principal | None,
    sender: str,
    origin: str,
    now: datetime,
    request_key: str | None = None,
) -> tuple[Alert, bool]:
    """(alert, created). A known request_key returns the earlier alert: nothing is sent twice."""
    if request_key:
        earlier = session.scalar(select(Alert).where(Alert.request_key == request_key))
        if earlier is not None:
            return earlier, False
    channels = target_channels(session, data.audience_kind, data.audience_states, data.tags)
    if not channels:
        raise InvalidInput(
            "No registered channel matches that audience, so nothing was sent. "
            "`secbot admin channel list` shows the channels and their tags."
        )
    alert = Alert(
        identifier=f"secbot-{now:%Y%m%d}-{uuid.uuid4().hex[:16]}",
        headline=data.headline,
        body=data.body,
        severity=data.severity.value,
        urgency=data.urgency.value,
        certainty=data.certainty.value,
        category=data.category.value,
        audience_kind=data.audience_kind.value,
        audience_states=list(data.audience_states),
        audience_tags=list(data.tags),
        expires_at=data.expires_at,
        created_at=now,
        created_by=principal.member_id if principal else None,
        sender=sender,
        origin=origin,
        request_key=request_key,
    )
    session.add(alert)
    session.flush()
    session.add_all(pending_delivery(c, now, alert_id=alert.id) for c in channels)
    session.flush()
    audit.record(
        session,
        principal,
        "alert_created",
        actor=None if principal else sender,
        alert=alert.id,
        channels=len(channels),
        audience=data.audience_label,
    )
    return alert, True
