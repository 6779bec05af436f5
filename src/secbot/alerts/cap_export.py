"""Export an alert as an OASIS Common Alerting Protocol (CAP) 1.2 message.

Why: national warning systems, broadcasters and alert aggregators (and the feeds they poll) speak
CAP, not secbot's chat formats. One CAP document per alert lets a member state's own warning
system pick up a secretariat broadcast unchanged, instead of someone retyping it.

The alert's severity, urgency, certainty and category are already stored in CAP's spelling
(`secbot.domain.cap`), so they are written as they are; nothing here checks them, which is the
schema's job (tests validate every export against the normative CAP-v1.2.xsd).

Element order follows the schema's `xs:sequence` exactly: `alert` is identifier, sender, sent,
status, msgType, scope, restriction, info; `info` is language, category, event, urgency,
severity, certainty, expires, senderName, headline, description, parameter, area.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from secbot.db.models import Alert
from secbot.domain.cap import CATEGORY_LABELS, CapCategory
from secbot.domain.enums import AudienceKind

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
TAG_VALUE_NAME = "secbot:tag"
"""`valueName` of the `parameter` that carries one of the alert's audience tags."""
DEFAULT_AREA = "Member states of the regional security community"
DEFAULT_SENDER_NAME = "Regional security secretariat"
"""`senderName` when none is configured: the organisation, never a member's account id."""
LANGUAGE = "en"


def cap_datetime(moment: datetime) -> str:
    """CAP's dateTime: whole seconds and an explicit offset, e.g. `2026-11-27T23:40:00+00:00`.

    CAP forbids `Z` and fractional seconds and reserves `-00:00` for "unknown zone", so an aware
    datetime is written in UTC as `+00:00`. A naive one has no meaning here and is refused.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("CAP times need an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _restriction(alert: Alert) -> str | None:
    """The `restriction` text for a non-public audience, or None for a public alert."""
    kind = AudienceKind(alert.audience_kind)
    if kind is AudienceKind.ALL:
        return None
    if kind is AudienceKind.SECRETARIAT:
        return "Secretariat only"
    states = ", ".join(alert.audience_states or [])
    return f"Member states: {states}" if states else "Member states"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element


def event_type(alert: Alert) -> str:
    """CAP's `event`, the short type of event ("Weather", "Security"), from the category: the
    headline is its own element."""
    known = CapCategory.parse(alert.category)
    return CATEGORY_LABELS[known] if isinstance(known, CapCategory) else alert.category


def to_cap_xml(
    alert: Alert,
    *,
    sender: str,
    areas: list[str],
    sent_at: datetime | None = None,
    sender_name: str = DEFAULT_SENDER_NAME,
) -> bytes:
    """The alert as a UTF-8 CAP 1.2 `alert` document, with its XML declaration and a final
    newline.

    `sender` is CAP's globally unique sender id (e.g. `secbot@secretariat.example`) and
    `sender_name` the organisation's name for people (`senderName`); the alert's own sender
    label (a member's account) is not exported. `areas` gives one `area` per description (a
    default covering every member state when empty). `sent` is `sent_at` when given (a
    re-export at a later time), else when the alert was created.
    """
    restriction = _restriction(alert)

    root = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_datetime(sent_at if sent_at is not None else alert.created_at))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Alert")
    _sub(root, "scope", "Public" if restriction is None else "Restricted")
    if restriction is not None:
        _sub(root, "restriction", restriction)

    info = _sub(root, "info")
    _sub(info, "language", LANGUAGE)
    _sub(info, "category", alert.category)
    _sub(info, "event", event_type(alert))
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    if alert.expires_at is not None:
        _sub(info, "expires", cap_datetime(alert.expires_at))
    _sub(info, "senderName", sender_name)
    _sub(info, "headline", alert.headline)
    _sub(info, "description", alert.body)
    for tag in alert.audience_tags or []:
        parameter = _sub(info, "parameter")
        _sub(parameter, "valueName", TAG_VALUE_NAME)
        _sub(parameter, "value", tag)
    for description in areas or [DEFAULT_AREA]:
        area = _sub(info, "area")
        _sub(area, "areaDesc", description)

    ET.indent(root, space="  ")
    document: bytes = ET.tostring(  # typeshed types a named encoding's result as Any
        root, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NAMESPACE
    )
    return document + b"\n"
