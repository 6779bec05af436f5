"""Everything one party (a state or a partner) submitted, and nothing else: its reports (with
timelines, co-ordination logs, links and the history of their shares), its own threat-register
entries, and who outside it read them.

Rows are selected by `owner_state` alone, never through a Scope: what was shared *with* the state
is another party's data and must not travel in its export. A link to another state's register
entry keeps nothing of that entry (not even its code); regional entries are everyone's.

A report's co-ordination log is part of the report (decision 0027): every entry on the owner's
report travels with it, whoever wrote it, marked with the author's party (as `respond` shows it
to the owner); a member is named only when the owner's own. Entries the exporter wrote on
another party's report are part of that report and stay out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, require
from secbot.access.principal import SECRETARIAT, Principal
from secbot.db.models import (
    AuditEvent,
    Incident,
    Member,
    ReportLink,
    ReportUpdate,
    ResponseEntry,
    Share,
    State,
    Submission,
    ThreatEntry,
)
from secbot.domain.clock import utcnow
from secbot.domain.errors import InvalidInput

FORMAT_VERSION = 1
CHUNK = 500


@dataclass
class StateExport:
    """Plain values (str, int, float, None, lists, dicts), ready for any format."""

    state: str
    state_name: str
    exported_at: datetime
    reports: list[dict[str, Any]] = field(default_factory=list)
    threats: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "secbot-state-export",
            "version": FORMAT_VERSION,
            "state": self.state,
            "state_name": self.state_name,
            "exported_at": iso(self.exported_at),
            "reports": self.reports,
            "threats": self.threats,
            "reads": self.reads,
        }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _own_members(session: Session, state: str) -> dict[int, str]:
    """Labels of the state's own members; anyone else's id is never written out."""
    rows = session.execute(
        select(Member.id, Member.display_name, Member.platform, Member.user_id).where(
            Member.state_code == state
        )
    )
    return {mid: f"{name or user} ({platform})" for mid, name, platform, user in rows}


def _grouped(session: Session, model: Any, ids: Sequence[int], order: Any) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for part in _chunks(ids):
        rows = session.scalars(select(model).where(model.submission_id.in_(part)).order_by(*order))
        for row in rows:
            found.setdefault(row.submission_id, []).append(row)
    return found


def shareable_codes(session: Session, state: str, codes: set[str]) -> set[str]:
    """Threat codes an export may name: regional entries and the state's own."""
    if not codes:
        return set()
    rows = session.execute(
        select(ThreatEntry.code, Submission.owner_state)
        .outerjoin(Submission, Submission.id == ThreatEntry.submission_id)
        .where(ThreatEntry.code.in_(sorted(codes)))
    )
    return {code for code, owner in rows if owner is None or owner == state}


def collect(session: Session, state: str, now: datetime | None = None) -> StateExport:
    """The whole export of `state`, read in bulk (a state with 10,000 reports is a few queries
    per 500 rows, not a few per report)."""
    row = session.get(State, state)
    if row is None:
        raise InvalidInput(f"There is no state {state!r}.")
    members = _own_members(session, state)
    subs = list(
        session.scalars(
            select(Submission)
            .where(Submission.owner_state == state)
            .order_by(Submission.created_at, Submission.id)
        )
    )
    ids = [s.id for s in subs]
    incidents = {i.submission_id: i for part in _chunks(ids) for i in _incidents(session, part)}
    updates = _grouped(session, ReportUpdate, ids, (ReportUpdate.at, ReportUpdate.id))
    logs = _grouped(session, ResponseEntry, ids, (ResponseEntry.number,))
    links = _grouped(session, ReportLink, ids, (ReportLink.threat_code,))
    shares = _grouped(session, Share, ids, (Share.granted_at, Share.id))
    codes = shareable_codes(session, state, {ln.threat_code for v in links.values() for ln in v})
    threats = {
        t.submission_id: t
        for part in _chunks(ids)
        for t in session.scalars(select(ThreatEntry).where(ThreatEntry.submission_id.in_(part)))
    }
    out = StateExport(state, row.name, now or utcnow())
    for sub in subs:
        base = _submission(sub, members, shares.get(sub.id, []))
        incident = incidents.get(sub.id)
        if sub.kind == "incident" and incident is not None:
            base.update(_incident(incident, members))
            base["updates"] = [_update(u, members) for u in updates.get(sub.id, [])]
            base["log"] = [_entry(e, sub.public_id, members) for e in logs.get(sub.id, [])]
            base["links"] = [
                {
                    "threat_code": ln.threat_code,
                    "linked_at": iso(ln.linked_at),
                    "linked_by": members.get(ln.linked_by or -1),
                }
                for ln in links.get(sub.id, [])
                if ln.threat_code in codes
            ]
            out.reports.append(base)
        elif sub.kind == "threat" and sub.id in threats:
            base.update(_threat(threats[sub.id]))
            out.threats.append(base)
    out.reads = reads_of(session, state)
    return out


def _incidents(session: Session, part: Sequence[int]) -> Iterable[Incident]:
    return session.scalars(select(Incident).where(Incident.submission_id.in_(part)))


def _submission(sub: Submission, members: dict[int, str], shares: list[Share]) -> dict[str, Any]:
    return {
        "id": sub.public_id,
        "kind": sub.kind,
        "tlp": sub.tlp,
        "created_at": iso(sub.created_at),
        "updated_at": iso(sub.updated_at),
        "created_by": members.get(sub.created_by or -1),
        "shares": [
            {
                "grantee": s.grantee,
                "granted_at": iso(s.granted_at),
                "granted_by": members.get(s.granted_by or -1),
                "revoked_at": iso(s.revoked_at),
                "revoked_by": members.get(s.revoked_by or -1),
            }
            for s in shares
        ],
    }


def _incident(i: Incident, members: dict[int, str]) -> dict[str, Any]:
    return {
        "reporter": members.get(i.reporter_id or -1),
        "category": i.category,
        "severity": i.severity,
        "title": i.title,
        "description": i.description,
        "location": i.location,
        "place": i.place,
        "region": i.region,
        "latitude": i.latitude,
        "longitude": i.longitude,
        "occurred_at": iso(i.occurred_at),
        "status": i.status,
    }


def _update(u: ReportUpdate, members: dict[int, str]) -> dict[str, Any]:
    return {"at": iso(u.at), "author": members.get(u.author_id or -1), "body": u.body}


def _entry(e: ResponseEntry, public_id: str, members: dict[int, str]) -> dict[str, Any]:
    return {
        "entry": f"{public_id}/{e.number}",
        "kind": e.kind,
        "party": party_label(e.party),
        "author": members.get(e.author_id or -1),
        "assignee": party_label(e.assignee) if e.assignee else None,
        "body": e.body,
        "at": iso(e.at),
        "done_at": iso(e.done_at),
        "done_by": members.get(e.done_by or -1),
    }


def party_label(party: str) -> str:
    return "secretariat" if party == SECRETARIAT else party


def _threat(t: ThreatEntry) -> dict[str, Any]:
    return {
        "title": t.title,
        "dimension": t.dimension,
        "category": t.category,
        "description": t.description,
        "likelihood": t.likelihood,
        "impact": t.impact,
        "lead_area": t.lead_area,
        "status": t.status,
        "topics": list(t.topics or []),
    }


def reads_of(session: Session, state: str) -> list[dict[str, Any]]:
    """The audit of reads of the state's submissions by other states and the secretariat. The
    join on the submission's owner (not the event's copy of it) is the guard. A read names the
    reader's party, never the member: another party's people are not the exporter's to list."""
    rows = session.execute(
        select(AuditEvent, Submission.public_id)
        .join(Submission, Submission.id == AuditEvent.submission_id)
        .where(
            AuditEvent.action == "read",
            Submission.owner_state == state,
            AuditEvent.actor_party != state,
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": iso(event.at),
            "report": public_id,
            "reader_party": event.actor_party,
            "place": (event.detail or {}).get("place"),
        }
        for event, public_id in rows
    ]


def export_for(session: Session, principal: Principal, fmt: str) -> StateExport:
    """The principal's own party's export, audited: a state's focal points and admins, a
    partner's members (their own observations)."""
    require(principal, Action.EXPORT_STATE)
    party = principal.owner_party
    assert party is not None
    result = collect(session, party)
    audit.record(
        session,
        principal,
        "state_exported",
        state=party,
        format=fmt,
        reports=len(result.reports),
        threats=len(result.threats),
    )
    return result
