"""CAP 1.2 export: every document is checked against the normative OASIS schema, then read back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from secbot.alerts.cap_export import (
    CAP_NAMESPACE,
    DEFAULT_AREA,
    DEFAULT_SENDER_NAME,
    TAG_VALUE_NAME,
    to_cap_xml,
)
from secbot.db.models import Alert
from secbot.domain.cap import CapCategory, CapCertainty, CapSeverity, CapUrgency

XSD = Path(__file__).resolve().parents[1] / "data" / "cap" / "CAP-v1.2.xsd"
NS = {"cap": CAP_NAMESPACE}
SENDER = "secbot@secretariat.example"
CREATED = datetime(2026, 11, 27, 23, 40, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def make_alert(**overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "id": 7,
        "identifier": "secbot-2026-0007",
        "headline": "Armed robbery wave in port districts",
        "body": "Reports of coordinated robberies near the main ports overnight.",
        "severity": CapSeverity.SEVERE.value,
        "urgency": CapUrgency.IMMEDIATE.value,
        "certainty": CapCertainty.LIKELY.value,
        "category": CapCategory.SECURITY.value,
        "audience_kind": "all",
        "audience_states": [],
        "audience_tags": [],
        "expires_at": None,
        "created_at": CREATED,
        "sender": "telegram:5550001 (Alice)",
        "origin": "chat",
    }
    fields.update(overrides)
    return Alert(**fields)


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)


def text(root: ET.Element, path: str) -> str | None:
    return root.findtext(path, namespaces=NS)


def test_full_alert_validates_and_round_trips(schema: xmlschema.XMLSchema) -> None:
    alert = make_alert(
        audience_kind="states",
        audience_states=["BRB", "JAM"],
        audience_tags=["ports", "maritime"],
        expires_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    )
    xml = to_cap_xml(
        alert,
        sender=SENDER,
        areas=["Barbados", "Jamaica"],
        sender_name="Regional Security Secretariat",
    )

    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert xml.endswith(b"</alert>\n"), "one final newline, like any text file"
    schema.validate(xml)
    root = parse(xml)
    assert root.tag == f"{{{CAP_NAMESPACE}}}alert"
    assert text(root, "cap:identifier") == "secbot-2026-0007"
    assert text(root, "cap:sender") == SENDER
    assert text(root, "cap:sent") == "2026-11-27T23:40:00+00:00"
    assert text(root, "cap:status") == "Actual"
    assert text(root, "cap:msgType") == "Alert"
    assert text(root, "cap:scope") == "Restricted"
    assert text(root, "cap:restriction") == "Member states: BRB, JAM"
    info = root.findall("cap:info", NS)
    assert len(info) == 1
    assert text(info[0], "cap:language") == "en"
    assert text(info[0], "cap:category") == "Security"
    assert text(info[0], "cap:event") == "Security", "the type of event, not the headline"
    assert text(info[0], "cap:urgency") == "Immediate"
    assert text(info[0], "cap:severity") == "Severe"
    assert text(info[0], "cap:certainty") == "Likely"
    assert text(info[0], "cap:expires") == "2026-11-29T12:00:00+00:00"
    assert text(info[0], "cap:senderName") == "Regional Security Secretariat"
    assert b"5550001" not in xml, "a member's account id never leaves in an export"
    assert text(info[0], "cap:headline") == alert.headline
    assert text(info[0], "cap:description") == alert.body
    parameters = [
        (text(p, "cap:valueName"), text(p, "cap:value"))
        for p in info[0].findall("cap:parameter", NS)
    ]
    assert parameters == [(TAG_VALUE_NAME, "ports"), (TAG_VALUE_NAME, "maritime")]
    areas = [text(a, "cap:areaDesc") for a in info[0].findall("cap:area", NS)]
    assert areas == ["Barbados", "Jamaica"]

    decoded = schema.to_dict(xml)  # the schema's own reading agrees with ElementTree's
    assert isinstance(decoded, dict)
    assert decoded["restriction"] == "Member states: BRB, JAM"
    assert decoded["info"][0]["category"] == ["Security"]
    assert decoded["info"][0]["expires"] == "2026-11-29T12:00:00+00:00"
    assert [a["areaDesc"] for a in decoded["info"][0]["area"]] == ["Barbados", "Jamaica"]


def test_public_alert_without_expiry_or_tags(schema: xmlschema.XMLSchema) -> None:
    xml = to_cap_xml(make_alert(), sender=SENDER, areas=[])

    schema.validate(xml)
    root = parse(xml)
    assert text(root, "cap:scope") == "Public"
    assert root.find("cap:restriction", NS) is None
    assert root.find("cap:info/cap:expires", NS) is None
    assert root.findall("cap:info/cap:parameter", NS) == []
    areas = [text(a, "cap:areaDesc") for a in root.findall("cap:info/cap:area", NS)]
    assert areas == [DEFAULT_AREA]
    assert text(root, "cap:info/cap:senderName") == DEFAULT_SENDER_NAME
    weather = parse(to_cap_xml(make_alert(category="Met"), sender=SENDER, areas=[]))
    assert text(weather, "cap:info/cap:event") == "Weather"


def test_secretariat_audience_is_restricted(schema: xmlschema.XMLSchema) -> None:
    xml = to_cap_xml(make_alert(audience_kind="secretariat"), sender=SENDER, areas=["HQ"])

    schema.validate(xml)
    root = parse(xml)
    assert text(root, "cap:scope") == "Restricted"
    assert text(root, "cap:restriction") == "Secretariat only"


def test_markup_and_non_ascii_are_escaped(schema: xmlschema.XMLSchema) -> None:
    headline = "Hurricane Élan – Category 4 <script>&\"'"
    body = "<script>alert('x')</script> & \"shelter\" now — São Tomé, Curaçao"
    alert = make_alert(headline=headline, body=body, audience_tags=["a&b <c>"])
    xml = to_cap_xml(alert, sender=SENDER, areas=["Saint-Barthélemy & <Nevis>"])

    schema.validate(xml)
    assert b"<script>" not in xml
    assert b"&lt;script&gt;" in xml
    assert b"&amp;" in xml
    assert "Élan –".encode() in xml  # written as UTF-8, not as character references
    root = parse(xml)
    assert text(root, "cap:info/cap:headline") == headline
    assert text(root, "cap:info/cap:event") == "Security"
    assert text(root, "cap:info/cap:description") == body
    assert text(root, "cap:info/cap:parameter/cap:value") == "a&b <c>"
    assert text(root, "cap:info/cap:area/cap:areaDesc") == "Saint-Barthélemy & <Nevis>"


VOCABULARY: list[tuple[str, StrEnum]] = [
    (field, member)
    for field, enum in (
        ("severity", CapSeverity),
        ("urgency", CapUrgency),
        ("certainty", CapCertainty),
        ("category", CapCategory),
    )
    for member in enum
]


@pytest.mark.parametrize(
    ("field", "member"), VOCABULARY, ids=[f"{f}-{m.value}" for f, m in VOCABULARY]
)
def test_every_cap_vocabulary_value_validates(
    schema: xmlschema.XMLSchema, field: str, member: StrEnum
) -> None:
    xml = to_cap_xml(make_alert(**{field: member.value}), sender=SENDER, areas=["Barbados"])

    schema.validate(xml)
    assert text(parse(xml), f"cap:info/cap:{field}") == member.value


def test_invalid_severity_fails_schema_validation(schema: xmlschema.XMLSchema) -> None:
    xml = to_cap_xml(make_alert(severity="Huge"), sender=SENDER, areas=["Barbados"])

    assert not schema.is_valid(xml)
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="Huge"):
        schema.validate(xml)


def test_sent_is_whole_seconds_in_utc_and_sent_at_overrides() -> None:
    local = timezone(timedelta(hours=-4))
    created = datetime(2026, 11, 27, 19, 40, 5, 123456, tzinfo=local)
    root = parse(to_cap_xml(make_alert(created_at=created), sender=SENDER, areas=[]))
    assert text(root, "cap:sent") == "2026-11-27T23:40:05+00:00"

    later = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    root = parse(to_cap_xml(make_alert(), sender=SENDER, areas=[], sent_at=later))
    assert text(root, "cap:sent") == "2026-11-28T06:00:00+00:00"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        to_cap_xml(make_alert(created_at=datetime(2026, 11, 27, 23, 40)), sender=SENDER, areas=[])
