"""Secretariat alerts: checking a draft, choosing channels, writing the outbox, acknowledgements.

Chat (`alert` verb) and automation (`secbot alert send`) both go through `validate` and `create`,
so a feed gets exactly the checks a person does. The alert row and one delivery row per channel
are written in the caller's single transaction: the dispatcher only ever sees whole alerts.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil import parser as dateparser
from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access import reads as submissions
from secbot.access.principal import SECRETARIAT, Principal
from secbot.access.scope import GROUP_TLPS, Scope, permits
from secbot.db.models import Alert, AlertAck, AlertDelivery, Channel, State, Submission
from secbot.domain.cap import (
    CATEGORY_LABELS,
    CapCategory,
    CapCertainty,
    CapEnum,
    CapSeverity,
    CapUrgency,
)
from secbot.domain.enums import AudienceKind
from secbot.domain.errors import FormErrors, InvalidInput, NotFound, NotPermitted
from secbot.domain.text import clean_text, one_line
from secbot.services import identity

HEADLINE_MAX = 160
BODY_MAX = 3000
MAX_EXPIRY = timedelta(days=30)
_PUBLIC_ID = re.compile(r"(?<![A-Za-z])[A-Za-z]{3}\s?-\s?\d{4,}(?!\d)", re.ASCII)
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]")
_DURATION = re.compile(
    r"^(?:in\s+)?(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.IGNORECASE
)
_ALERT_ID = re.compile(r"^#?(?:a-?)?(\d{1,9})$", re.IGNORECASE)


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


def audience_label(kind: str, states: list[str]) -> str:
    if kind == AudienceKind.ALL:
        return "all channels"
    if kind == AudienceKind.SECRETARIAT:
        return "secretariat channels"
    return "channels of " + ", ".join(states)


def show_id(alert_id: int) -> str:
    return f"A-{alert_id}"


def parse_alert_id(text: str) -> int:
    match = _ALERT_ID.match(text.strip())
    if match is None:
        raise InvalidInput("An alert id looks like A-12 (or just 12).")
    return int(match.group(1))


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """`none`, a duration (`6h`, `in 2 days`) or a UTC date; at most 30 days ahead."""
    value = text.strip().lower()
    if value in ("", "none", "never", "no", "skip"):
        return None
    match = _DURATION.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
            unit, timedelta(days=amount)
        )
        expires = now + delta
    else:
        try:
            parsed = dateparser.parse(text.strip())
            expires = parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
            expires.utcoffset()  # an offset like +25:00 parses, then fails here
        except (ValueError, OverflowError, TypeError):
            raise InvalidInput(
                "I couldn't read the expiry. Try `6h`, `24 hours`, `3 days`, `none` or a UTC "
                "date like `2026-12-01 18:00`."
            ) from None
    if expires <= now:
        raise InvalidInput("The expiry must be in the future.")
    if expires - now > MAX_EXPIRY:
        raise InvalidInput("An alert can run for at most 30 days; send a new one after that.")
    return expires


def parse_audience(session: Session, text: str) -> tuple[AudienceKind, tuple[str, ...]]:
    """The registration rule of `identity.parse_audience`, with the looser wording a person
    types in a form (`everyone`, `BRB JAM`)."""
    value = text.strip()
    if value.lower() in ("everyone", "all channels"):
        value = "all"
    kind, states = identity.parse_audience(session, re.sub(r"[,\s]+", ",", value))
    return kind, tuple(states)


def parse_tags(text: str) -> tuple[str, ...]:
    value = text.strip().lower()
    if value in ("", "none", "any", "skip", "no"):
        return ()
    tags = sorted({t.lstrip("#") for t in re.split(r"[,\s]+", value) if t.lstrip("#")})
    bad = [t for t in tags if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", t)]
    if bad:
        raise InvalidInput(f"Tags are short words (letters, digits, - or _): {', '.join(bad)}.")
    return tuple(tags)


def _choice(kind: type[CapEnum], value: str) -> CapEnum | None:
    parsed = kind.parse(value)
    if parsed is None and kind is CapCategory:
        wanted = value.strip().lower()
        return next((c for c, label in CATEGORY_LABELS.items() if label.lower() == wanted), None)
    return parsed


def validate(session: Session, values: dict[str, str], now: datetime) -> AlertInput:
    """Every field checked at once; FormErrors names each bad field and nothing is written."""
    errors: dict[str, str] = {}
    headline = _text_field(values, "headline", HEADLINE_MAX, errors)
    headline = one_line(headline, 10_000)
    if "headline" not in errors and len(headline) < 5:
        errors["headline"] = "The headline needs a few words."
    body = _text_field(values, "body", BODY_MAX, errors)
    if "body" not in errors and len(body) < 5:
        errors["body"] = "The message needs a few words."
    vocab: tuple[tuple[str, type[CapEnum], str], ...] = (
        ("severity", CapSeverity, "Extreme, Severe, Moderate, Minor or Unknown"),
        ("urgency", CapUrgency, "Immediate, Expected, Future, Past or Unknown"),
        ("certainty", CapCertainty, "Observed, Likely, Possible, Unlikely or Unknown"),
        ("category", CapCategory, ", ".join(c.value for c in CapCategory)),
    )
    chosen: dict[str, object] = {}
    for name, vocabulary, allowed in vocab:
        picked = _choice(vocabulary, values.get(name, ""))
        if picked is None:
            errors[name] = f"{name.capitalize()} is one of: {allowed}."
        chosen[name] = picked
    kind: AudienceKind = AudienceKind.ALL
    states: tuple[str, ...] = ()
    try:
        kind, states = parse_audience(session, values.get("audience", ""))
    except InvalidInput as error:
        errors["audience"] = error.message
    tags: tuple[str, ...] = ()
    try:
        tags = parse_tags(values.get("tags", ""))
    except InvalidInput as error:
        errors["tags"] = error.message
    expires = None
    try:
        expires = parse_expiry(values.get("expires", ""), now)
    except InvalidInput as error:
        errors["expires"] = error.message
    for name, text in (("headline", headline), ("body", body)):
        problem = None if name in errors else quoting_problem(session, text)
        if problem:
            errors[name] = problem
    if errors:
        raise FormErrors(errors)
    return AlertInput(
        headline=headline,
        body=body,
        severity=chosen["severity"],  # type: ignore[arg-type]
        urgency=chosen["urgency"],  # type: ignore[arg-type]
        certainty=chosen["certainty"],  # type: ignore[arg-type]
        category=chosen["category"],  # type: ignore[arg-type]
        audience_kind=kind,
        audience_states=states,
        tags=tags,
        expires_at=expires,
    )


def _text_field(values: dict[str, str], name: str, limit: int, errors: dict[str, str]) -> str:
    """The chat's own checks (no control or bidi characters), so a feed gets no laxer rules."""
    label = "headline" if name == "headline" else "message"
    try:
        text = clean_text(values.get(name, ""), max_chars=100_000)
    except InvalidInput:
        errors[name] = f"The {label} contains a control character; please send plain text."
        return ""
    if len(text) > limit:
        errors[name] = f"Keep the {label} under {limit} characters."
    return text


def everyone_scope(session: Session) -> Scope:
    """What a room holding every party may see: the bar for anything an alert quotes."""
    parties = frozenset(session.scalars(select(State.code))) | {SECRETARIAT}
    return Scope(parties, GROUP_TLPS)


def quoting_problem(session: Session, text: str) -> str | None:
    """An alert may quote only regional knowledge or reports shared with all (CLEAR/GREEN).

    Unknown ids and private ids get the same answer, so the check reveals nothing."""
    scope = everyone_scope(session)
    readable = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    for found in sorted({m.group(0).upper() for m in _PUBLIC_ID.finditer(readable)}):
        found = re.sub(r"\s", "", found)
        row = session.scalar(select(Submission).where(Submission.public_id == found))
        if row is None or not permits(scope, submissions.facts(session, row)):
            return (
                f"{found} is not a report shared with all states (TLP:CLEAR or GREEN), so an "
                "alert cannot quote it. Ask its owner to share it with all, or leave it out."
            )
    return None


def _parties(channel: Channel) -> set[str]:
    return {*channel.audience_states, *(channel.seen_parties or [])}


def target_channels(
    session: Session, kind: AudienceKind, states: tuple[str, ...], tags: tuple[str, ...]
) -> list[Channel]:
    """`all`: every active channel. `secretariat`: secretariat rooms. States: rooms whose every
    party is one of those states (or the secretariat), so nobody else reads it. Tags narrow."""
    chosen = [
        channel
        for channel in session.scalars(
            select(Channel).where(Channel.active.is_(True), Channel.platform != "console")
        )
        if (not tags or set(tags) & set(channel.tags or []))
        and room_fits(channel, kind.value, states)
    ]
    return sorted(chosen, key=lambda c: c.id)


def room_fits(channel: Channel, kind: str, states: tuple[str, ...] | list[str]) -> bool:
    """Whether everyone a room holds may read an alert for this audience. Checked when the
    alert is queued and again when each delivery is claimed: rooms change in between."""
    if kind == AudienceKind.ALL:
        return True
    if kind == AudienceKind.SECRETARIAT:
        return channel.audience_kind == AudienceKind.SECRETARIAT and not channel.seen_parties
    wanted = set(states) | {SECRETARIAT}
    return channel.audience_kind == AudienceKind.STATES and _parties(channel) <= wanted


def reach(channels: list[Channel]) -> str:
    by_platform = Counter(c.platform for c in channels)
    parts = ", ".join(f"{n} {p.capitalize()}" for p, n in sorted(by_platform.items()))
    noun = "channel" if len(channels) == 1 else "channels"
    return f"{len(channels)} {noun}" + (f" ({parts})" if parts else "")


def summary(data: AlertInput) -> str:
    lines = [
        f"Headline: {data.headline}",
        f"Message: {one_line(data.body, 300)}",
        f"Severity {data.severity.value} · urgency {data.urgency.value} · "
        f"certainty {data.certainty.value} · {CATEGORY_LABELS[data.category]}",
        f"Audience: {data.audience_label}"
        + (f" tagged {', '.join('#' + t for t in data.tags)}" if data.tags else ""),
        "Expires: "
        + (data.expires_at.strftime("%Y-%m-%d %H:%M UTC") if data.expires_at else "not set"),
    ]
    return "\n".join(lines)


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
    session.add_all(
        AlertDelivery(
            alert_id=alert.id,
            channel_id=c.id,
            platform=c.platform,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            worker="",
            platform_message_id="",
            last_error="",
            updated_at=now,
        )
        for c in channels
    )
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


def message_text(alert: Alert) -> str:
    """What every channel receives: plain text, so no platform's markup parser can reject it."""
    lines = [
        f"⚠ ALERT {show_id(alert.id)} · {alert.severity.upper()} · {alert.urgency} · "
        f"{CATEGORY_LABELS.get(CapCategory(alert.category), alert.category)}",
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


# -- reading -----------------------------------------------------------------------------------


def addressed_to(alert: Alert, party: str | None) -> bool:
    """The secretariat sees every alert; a state sees those sent to all or naming it."""
    if party is None:
        return False
    if party == SECRETARIAT:
        return True
    if alert.audience_kind == AudienceKind.ALL:
        return True
    return alert.audience_kind == AudienceKind.STATES and party in alert.audience_states


def require_secretariat(principal: Principal, doing: str) -> None:
    if principal.role is None or not principal.role.is_secretariat:
        raise NotPermitted(f"Only the secretariat can {doing}.")


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


def addressed_to_room(alert: Alert, audience: frozenset[str] | None) -> bool:
    """In a group, an alert may be named only if it was addressed to every party there."""
    return bool(audience) and all(addressed_to(alert, party) for party in audience or ())


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
    return DeliveryCounts(
        sent=tally["sent"], failed=tally["failed"], pending=tally["pending"] + tally["sending"]
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


def known_tags(session: Session) -> list[str]:
    tags: set[str] = set()
    for row in session.scalars(select(Channel.tags).where(Channel.active.is_(True))):
        tags.update(row or [])
    return sorted(tags)
