"""Loads `knowledge/` into SQL. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.db.models import Contact, Objective, State, ThreatEntry
from secbot.knowledge.files import KnowledgeBundle, load_knowledge
from secbot.knowledge.places import load_places
from secbot.registers.places import apply_places


@dataclass(frozen=True)
class SyncReport:
    states: int
    threats: int
    objectives: int
    contacts: int
    places: int = 0


OBJECTIVE_FIELDS = (
    "code",
    "title",
    "description",
    "indicators",
    "lead_actors",
    "linked_threats",
    "status",
    "topics",
)
CONTACT_FIELDS = ("state_code", "organisation", "office", "role", "area", "channel", "topics")
Row = TypeVar("Row", Objective, Contact)


def _replace_if_changed(
    session: Session, model: type[Row], rows: list[Row], fields: tuple[str, ...]
) -> None:
    """Keep rows (and their ids, which the index uses) when the file did not change them."""

    def key(row: Row) -> tuple[str, ...]:
        return tuple(json.dumps(getattr(row, f), sort_keys=True) for f in fields)

    existing = list(session.scalars(select(model).order_by(model.id)))
    if [key(r) for r in existing] == [key(r) for r in rows]:
        return
    session.execute(delete(model))
    session.add_all(rows)


def sync_knowledge(session: Session, directory: Path) -> SyncReport:
    bundle = load_knowledge(directory)
    places = load_places(directory, {s.code for s in bundle.states})
    apply_bundle(session, bundle)
    apply_places(session, places)
    return SyncReport(
        len(bundle.states),
        len(bundle.threats),
        len(bundle.objectives),
        len(bundle.contacts),
        len(places),
    )


def apply_bundle(session: Session, bundle: KnowledgeBundle) -> None:
    """States are only added or renamed (members and submissions hang off them); the
    regional register, objectives and contacts are replaced to match the files exactly."""
    for record in bundle.states:
        state = session.get(State, record.code)
        if state is None:
            session.add(State(code=record.code, name=record.name, timezone=record.timezone))
            continue
        if state.name != record.name:
            state.name = record.name
        if state.timezone != record.timezone:
            state.timezone = record.timezone

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

    objectives = [
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
    ]
    _replace_if_changed(session, Objective, objectives, OBJECTIVE_FIELDS)
    contacts = [
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
    ]
    _replace_if_changed(session, Contact, contacts, CONTACT_FIELDS)
    session.flush()
