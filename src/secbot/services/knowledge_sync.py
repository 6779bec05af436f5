"""Loads `knowledge/` into SQL. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.db.models import Contact, Objective, State, ThreatEntry
from secbot.knowledge.files import KnowledgeBundle, load_knowledge


@dataclass(frozen=True)
class SyncReport:
    states: int
    threats: int
    objectives: int
    contacts: int


def sync_knowledge(session: Session, directory: Path) -> SyncReport:
    bundle = load_knowledge(directory)
    apply_bundle(session, bundle)
    return SyncReport(
        len(bundle.states), len(bundle.threats), len(bundle.objectives), len(bundle.contacts)
    )


def apply_bundle(session: Session, bundle: KnowledgeBundle) -> None:
    """States are only added or renamed (members and submissions hang off them); the
    regional register, objectives and contacts are replaced to match the files exactly."""
    for record in bundle.states:
        state = session.get(State, record.code)
        if state is None:
            session.add(State(code=record.code, name=record.name))
        elif state.name != record.name:
            state.name = record.name

    codes = {t.code for t in bundle.threats}
    regional = {
        t.code: t
        for t in session.scalars(select(ThreatEntry).where(ThreatEntry.submission_id.is_(None)))
    }
    for code, entry in regional.items():
        if code not in codes:
            session.delete(entry)
    for t in bundle.threats:
        entry = regional.get(t.code) or ThreatEntry(code=t.code)
        values = {
            "title": t.title,
            "dimension": t.dimension.value,
            "category": t.category,
            "description": t.description,
            "likelihood": t.likelihood.value,
            "impact": t.impact.value,
            "lead_area": t.lead_area.value,
            "status": t.status.value,
            "topics": list(t.topics),
        }
        for key, value in values.items():
            if getattr(entry, key, None) != value:
                setattr(entry, key, value)
        session.add(entry)

    session.execute(delete(Objective))
    session.add_all(
        Objective(
            code=o.code,
            title=o.title,
            description=o.description,
            indicators=[
                {"indicator": i.indicator, "target": i.target, "due": i.due.isoformat()}
                for i in o.indicators
            ],
            lead_actors=list(o.lead_actors),
            linked_threats=list(o.linked_threats),
            status=o.status.value,
            topics=list(o.topics),
        )
        for o in bundle.objectives
    )
    session.execute(delete(Contact))
    session.add_all(
        Contact(
            state_code=c.state,
            organisation=c.organisation,
            office=c.office,
            role=c.role,
            area=c.area.value,
            channel=c.channel,
            topics=list(c.topics),
        )
        for c in bundle.contacts
    )
    session.flush()
