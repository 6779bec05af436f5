"""A STIX 2.1 bundle taken in as the importing state's own submissions.

Every object is parsed by the `stix2` library first; the first bad one refuses the whole bundle
with its id and the reason, before anything is written. Labels come from the objects' own TLP
markings (their own, granular, `tlp:` labels, and those of every note and location copied
into them), the strictest when there are several, AMBER (secbot's default) when there are none:
never wider than the bundle said. Imported reports are private: shares never travel in a
bundle. The caller's transaction holds everything, so a failure half-way keeps nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stix2
from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.db.models import ThreatEntry
from secbot.domain.enums import TLP, Impact, IncidentStatus, Likelihood, Severity
from secbot.domain.errors import InvalidInput, SecbotError
from secbot.domain.places import PlaceFound
from secbot.domain.taxonomy import BY_KEY
from secbot.interchange.tlp import KNOWN, strictest, tlp_of_definition
from secbot.registers.threats import add_state_threat
from secbot.reports import links, updates
from secbot.reports.incidents import IncidentInput, file_incident

MAX_OBJECTS = 50_000
Obj = Mapping[str, Any]


@dataclass
class ImportResult:
    reports: list[str] = field(default_factory=list)
    threats: list[str] = field(default_factory=list)
    updates: int = 0
    links: int = 0
    skipped_links: list[str] = field(default_factory=list)


def read_bundle(data: bytes) -> list[Obj]:
    """The bundle's objects, each checked by stix2; InvalidInput names the first bad one."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"That file is not JSON: {str(error)[:120]}") from None
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        raise InvalidInput('That is not a STIX bundle: its top level needs "type": "bundle".')
    objects = doc.get("objects")
    if not isinstance(objects, list) or not objects:
        raise InvalidInput('That bundle has no "objects" list, so there is nothing to import.')
    if len(objects) > MAX_OBJECTS:
        raise InvalidInput(f"That bundle has {len(objects)} objects; I take {MAX_OBJECTS} at most.")
    for n, obj in enumerate(objects, 1):
        name = obj.get("id", f"object #{n}") if isinstance(obj, dict) else f"object #{n}"
        if not isinstance(obj, dict):
            raise InvalidInput(f"Refused {name}: it is not a JSON object.")
        if obj.get("spec_version") != "2.1":
            raise InvalidInput(f"Refused {str(name)[:80]}: it is not STIX 2.1 (spec_version).")
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except Exception as error:  # stix2 raises many kinds; each is a reason to refuse
            reason = " ".join(str(error).split())[:200]
            raise InvalidInput(f"Refused {str(name)[:80]}: {reason}") from None
    return objects


def _label(obj: Obj, markings: dict[str, TLP | None], copied: Iterable[Obj] = ()) -> TLP:
    """The strictest label the bundle gives anything that lands in this submission: the
    object's own markings, its granular markings, a `tlp:` label (how MISP and OpenCTI often
    mark), and the same of every note or location copied into it. AMBER when none says."""
    found: list[TLP] = []
    for source in (obj, *copied):
        refs = [*(source.get("object_marking_refs") or [])]
        refs += [g.get("marking_ref") for g in source.get("granular_markings") or []]
        for ref in refs:
            if ref not in markings:
                raise InvalidInput(
                    f"Refused {source['id']}: its marking {ref} is not in the bundle and is no "
                    "TLP marking I know, so I cannot tell how far it may go."
                )
            if markings[ref] is not None:
                found.append(markings[ref])  # type: ignore[arg-type]
        for label in source.get("labels") or []:
            if isinstance(label, str) and label.strip().lower().startswith("tlp:"):
                parsed = TLP.parse(label)
                if parsed is None:
                    raise InvalidInput(
                        f"Refused {source['id']}: {label[:40]!r} is no TLP label I know, so I "
                        "cannot tell how far it may go."
                    )
                found.append(parsed)
    return strictest(found) or TLP.AMBER


def _time(value: Any, fallback: str) -> datetime:
    text = str(value or fallback)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text[:40]!r} is not a time I can read.") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _pick(value: Any, allowed: type[Any], default: Any) -> Any:
    try:
        return allowed(str(value).lower())
    except ValueError:
        return default


def _category(obj: Obj) -> str:
    wanted = [obj.get("x_secbot_category"), *(obj.get("labels") or [])]
    return next((str(w) for w in wanted if str(w) in BY_KEY), "other")


def _severity(obj: Obj) -> Severity:
    wanted = [obj.get("x_secbot_severity")]
    wanted += [w.removeprefix("severity-") for w in obj.get("labels") or [] if isinstance(w, str)]
    for w in wanted:
        if w and str(w).lower() in {s.value for s in Severity}:
            return Severity(str(w).lower())
    return Severity.MODERATE


def _code(obj: Obj) -> str | None:
    for ref in obj.get("external_references") or []:
        if ref.get("source_name") == "secbot-threat-register" and ref.get("external_id"):
            return str(ref["external_id"])
    return None


class Importer:
    def __init__(self, session: Session, principal: Principal, objects: list[Obj], now: datetime):
        self.session, self.principal, self.now = session, principal, now
        self.by_id = {str(o["id"]): o for o in objects}
        self.markings: dict[str, TLP | None] = dict(KNOWN)
        for o in objects:
            if o["type"] == "marking-definition":
                self.markings[str(o["id"])] = tlp_of_definition(o)
        self.rels = [o for o in objects if o["type"] == "relationship"]
        self.result = ImportResult()
        self.threat_codes: dict[str, str] = {}
        """attack-pattern id -> the register code it is now (regional, or a new own entry)."""

    def run(self) -> ImportResult:
        for o in self.by_id.values():
            if o["type"] == "attack-pattern":
                self._guarded(o, self._threat)
        incidents = [o for o in self.by_id.values() if o["type"] == "incident"]
        if not incidents and not self.result.threats:
            raise InvalidInput("That bundle holds no incident and no register entry to import.")
        for o in incidents:
            self._guarded(o, self._incident)
        return self.result

    def _guarded(self, obj: Obj, step: Any) -> None:
        try:
            step(obj)
        except SecbotError as error:
            if error.message.startswith("Refused "):
                raise
            raise InvalidInput(f"Refused {obj['id']}: {error.message}") from None

    def _threat(self, obj: Obj) -> None:
        code = _code(obj)
        regional = self.session.scalar(
            select(ThreatEntry.code).where(
                ThreatEntry.code == (code or ""), ThreatEntry.submission_id.is_(None)
            )
        )
        if regional is not None:
            self.threat_codes[str(obj["id"])] = regional
            return
        if not obj.get("created_by_ref") and code is not None:
            return  # a regional entry this secbot does not have: its links are skipped
        category = _category(obj)
        submission = add_state_threat(
            self.session,
            self.principal,
            title=str(obj.get("name", ""))[:200],
            description=str(obj.get("description") or obj.get("name", "")),
            category=category,
            likelihood=_pick(obj.get("x_secbot_likelihood"), Likelihood, Likelihood.POSSIBLE),
            impact=_pick(obj.get("x_secbot_impact"), Impact, Impact.MODERATE),
            tlp=_label(obj, self.markings),
        )
        self.threat_codes[str(obj["id"])] = submission.public_id
        self.result.threats.append(submission.public_id)

    def _located(self, incident_id: str) -> tuple[PlaceFound | None, Obj | None]:
        for rel in self.rels:
            target = self.by_id.get(str(rel.get("target_ref")))
            if rel.get("source_ref") == incident_id and target and target["type"] == "location":
                lat, lon = target.get("latitude"), target.get("longitude")
                name = str(target.get("name") or target.get("city") or target.get("region") or "")
                return PlaceFound(name[:200], lat=lat, lon=lon), target
        return None, None

    def _incident(self, obj: Obj) -> None:
        place, location = self._located(str(obj["id"]))
        notes = [
            o
            for o in self.by_id.values()
            if o["type"] == "note" and obj["id"] in (o.get("object_refs") or [])
        ]
        copied = [*notes, *([location] if location is not None else [])]
        name = str(obj.get("name", "")).strip()
        if not name:
            raise InvalidInput("an incident needs a name.")
        data = IncidentInput(
            category=_category(obj),
            severity=_severity(obj),
            title=name,
            description=str(obj.get("description") or name),
            location=place.text if place else "",
            occurred_at=_time(obj.get("x_secbot_occurred_at"), str(obj["created"])),
            tlp=_label(obj, self.markings, copied),
            place=place,
        )
        submission = file_incident(self.session, self.principal, data)
        incident = submission.incident
        assert incident is not None
        incident.status = _pick(obj.get("x_secbot_status"), IncidentStatus, IncidentStatus.OPEN)
        if location is not None:
            incident.place = str(location.get("x_secbot_place") or "")[:120]
            incident.region = str(location.get("x_secbot_region") or "")[:80]
        audit.record(self.session, self.principal, "imported", submission, stix_id=obj["id"])
        self.result.reports.append(submission.public_id)
        for note in sorted(notes, key=lambda o: str(o["created"])):
            at = _time(note["created"], str(note["created"]))
            said = str(note.get("content", ""))
            if note.get("x_secbot_log_kind"):  # a co-ordination log entry: keep who and what
                said = f"[{str(note.get('abstract', ''))[:80]}] {said}"
            updates.add_update(self.session, self.principal, submission.public_id,
                               said, at)  # fmt: skip
            self.result.updates += 1
        for rel in self.rels:
            if rel.get("source_ref") != obj["id"] or rel.get("relationship_type") != "related-to":
                continue
            target = str(rel.get("target_ref"))
            code = self.threat_codes.get(target)
            if code is None:
                if target.startswith("attack-pattern--"):
                    self.result.skipped_links.append(_code(self.by_id.get(target, {})) or target)
                continue
            links.link(self.session, self.principal, submission.public_id, code)
            self.result.links += 1


def import_bundle(
    session: Session, principal: Principal, data: bytes, now: datetime
) -> ImportResult:
    """Everything in one transaction (the caller's): all of it lands, or none of it."""
    objects = read_bundle(data)
    return Importer(session, principal, objects, now).run()
