"""A state's export as a STIX 2.1 bundle, built with the OASIS `stix2` library.

Each report is an `incident` (created by the state's `identity`, marked with its TLP 2.0
marking definition) `located-at` a `location`; its timeline updates and its co-ordination log
entries (`x_secbot_log_kind`, `x_secbot_party`) are `note`s about it; a link
to a threat-register entry is a `related-to` relationship to an `attack-pattern` named by the
entry's code. Ids are UUIDv5 of the state and the public id, so exporting twice gives the same
ids and an importer can tell a re-import. What STIX has no property for (severity, status, the
time of the event) travels in `x_secbot_*` custom properties.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import stix2

from secbot.access.principal import is_partner
from secbot.domain.enums import TLP
from secbot.interchange.export import StateExport
from secbot.interchange.tlp import marking_definition

NAMESPACE = uuid.UUID("6f1c2b4e-8a53-4c1d-9d2e-5b0f3c7a9e11")
REGION = "caribbean"


def ts(value: str) -> datetime:
    """An export's ISO text back to a datetime (stix2 reads no `+00:00` offsets)."""
    return datetime.fromisoformat(value)


def stix_id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '/'.join(parts))}"


def state_identity(code: str, name: str) -> stix2.v21.Identity:
    return stix2.v21.Identity(
        id=stix_id("identity", "state", code),
        name=name,
        identity_class="organization",
        sectors=["non-profit"] if is_partner(code) else ["government-national"],
        created="2020-01-01T00:00:00.000Z",
        modified="2020-01-01T00:00:00.000Z",
        x_secbot_state=code,
        allow_custom=True,
    )


def _common(export: StateExport, identity: str, tlp: str) -> dict[str, Any]:
    return {
        "created_by_ref": identity,
        "object_marking_refs": [marking_definition(TLP(tlp))["id"]],
        "allow_custom": True,
    }


def report_objects(export: StateExport, identity: str, report: dict[str, Any]) -> list[Any]:
    rid = report["id"]
    common = _common(export, identity, report["tlp"])
    incident = stix2.v21.Incident(
        id=stix_id("incident", export.state, rid),
        name=report["title"],
        description=report["description"] or report["title"],
        created=ts(report["created_at"]),
        modified=max(ts(report["updated_at"]), ts(report["created_at"])),
        labels=[report["category"], f"severity-{report['severity']}"],
        external_references=[{"source_name": "secbot", "external_id": rid}],
        x_secbot_category=report["category"],
        x_secbot_severity=report["severity"],
        x_secbot_status=report["status"],
        x_secbot_occurred_at=report["occurred_at"],
        **common,
    )
    out: list[Any] = [incident]
    if report["location"] or report["latitude"] is not None:
        where: dict[str, Any] = {"region": REGION, "name": report["location"] or rid}
        if report["latitude"] is not None and report["longitude"] is not None:
            where |= {"latitude": report["latitude"], "longitude": report["longitude"]}
        location = stix2.v21.Location(
            id=stix_id("location", export.state, rid),
            x_secbot_place=report["place"],
            x_secbot_region=report["region"],
            **where,
            **common,
        )
        out += [location, _rel(export, rid, incident.id, "located-at", location.id, common)]
    for n, update in enumerate(report["updates"]):
        out.append(
            stix2.v21.Note(
                id=stix_id("note", export.state, rid, str(n)),
                created=ts(update["at"]),
                modified=ts(update["at"]),
                content=update["body"],
                object_refs=[incident.id],
                **common,
            )
        )
    for entry in report.get("log", []):
        label = entry["kind"].upper() + (f" for {entry['assignee']}" if entry["assignee"] else "")
        out.append(
            stix2.v21.Note(
                id=stix_id("note", export.state, rid, "log", entry["entry"]),
                created=ts(entry["at"]),
                modified=ts(entry["done_at"] or entry["at"]),
                abstract=f"{entry['entry']} {label} by {entry['party']}",
                content=entry["body"],
                object_refs=[incident.id],
                x_secbot_log_kind=entry["kind"],
                x_secbot_party=entry["party"],
                x_secbot_assignee=entry["assignee"],
                x_secbot_done_at=entry["done_at"],
                **common,
            )
        )
    for link in report["links"]:
        target = stix_id("attack-pattern", "threat", link["threat_code"])
        out.append(_rel(export, rid, incident.id, "related-to", target, common))
    return out


def _rel(
    export: StateExport, rid: str, src: str, kind: str, dst: str, common: dict[str, Any]
) -> Any:
    return stix2.v21.Relationship(
        id=stix_id("relationship", export.state, rid, kind, dst),
        source_ref=src,
        relationship_type=kind,
        target_ref=dst,
        **common,
    )


def threat_object(code: str, entry: dict[str, Any] | None, identity: str | None) -> Any:
    """A register entry as an attack-pattern named by its code. A regional entry carries only
    its code and title (it is everyone's knowledge); a state's own entry carries everything."""
    props: dict[str, Any] = {
        "id": stix_id("attack-pattern", "threat", code),
        "name": (entry or {}).get("title") or code,
        "external_references": [{"source_name": "secbot-threat-register", "external_id": code}],
        "created": "2020-01-01T00:00:00.000Z",
        "modified": "2020-01-01T00:00:00.000Z",
        "allow_custom": True,
    }
    if entry is not None and identity is not None:
        props |= {
            "description": entry["description"],
            "created_by_ref": identity,
            "object_marking_refs": [marking_definition(TLP(entry["tlp"]))["id"]],
            "created": ts(entry["created_at"]),
            "modified": max(ts(entry["updated_at"]), ts(entry["created_at"])),
            "x_secbot_category": entry["category"],
            "x_secbot_likelihood": entry["likelihood"],
            "x_secbot_impact": entry["impact"],
            "x_secbot_lead_area": entry["lead_area"],
        }
    return stix2.v21.AttackPattern(**props)


def to_bundle(export: StateExport, regional_titles: dict[str, str]) -> stix2.v21.Bundle:
    """`regional_titles`: code -> title of the regional entries the reports link to."""
    identity = state_identity(export.state, export.state_name)
    objects: list[Any] = [identity]
    used = {TLP(r["tlp"]) for r in export.reports} | {TLP(t["tlp"]) for t in export.threats}
    objects += [stix2.v21.MarkingDefinition(**marking_definition(t)) for t in TLP if t in used]
    own = {t["id"]: t for t in export.threats}
    for entry in export.threats:
        objects.append(threat_object(entry["id"], entry, identity.id))
    linked = {ln["threat_code"] for r in export.reports for ln in r["links"]}
    for code in sorted(linked - own.keys()):
        objects.append(threat_object(code, {"title": regional_titles.get(code, code)}, None))
    for report in export.reports:
        objects += report_objects(export, identity.id, report)
    return stix2.v21.Bundle(objects=objects, allow_custom=True)


def to_stix_json(export: StateExport, regional_titles: dict[str, str]) -> bytes:
    """stix2's `pretty=True` orders properties in quadratic time (minutes for 10,000 reports):
    serialise plainly, then indent with the json module."""
    text: str = to_bundle(export, regional_titles).serialize()
    return json.dumps(json.loads(text), indent=1, ensure_ascii=False).encode("utf-8")
