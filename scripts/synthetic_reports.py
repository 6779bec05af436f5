"""Synthetic reports for the brief's benchmark and its rendered samples: one generator, two
shapes (a uniform year for timing, a plausible year with a story for the samples), written in
bulk (submissions, incidents, shares, register links) into a fresh database.

Imported by scripts/bench_brief.py and scripts/render_brief_samples.py (run from any folder:
each adds this folder and src/ to the path)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from secbot.access.principal import ALL
from secbot.db.models import Incident, ReportLink, Share, State, Submission, ThreatEntry
from secbot.db.session import Database
from secbot.domain.taxonomy import CATEGORIES
from secbot.knowledge.files import load_knowledge
from secbot.registers.sync import apply_bundle

REPO = Path(__file__).resolve().parents[1]
SEVERITIES = ["low", "moderate", "moderate", "high", "critical"]
CHUNK = 2000


@dataclass(frozen=True)
class Report:
    owner: str
    tlp: str
    category: str
    severity: str
    title: str
    place: str
    occurred_at: datetime
    grantee: str | None
    """`*all`, a state code, or None (not shared)."""
    linked: bool
    """Linked to a regional register entry of its category, if there is one."""


def uniform_year(
    count: int, rng: random.Random, now: datetime, states: Sequence[str], tlps: Sequence[str]
) -> list[Report]:
    """For timing: any category, any minute of the year; 60 % shared with all, 10 % with one
    state, the rest private; 70 % linked."""
    keys = [c.key for c in CATEGORIES]
    out = []
    for n in range(1, count + 1):
        roll = rng.random()
        out.append(
            Report(
                owner=rng.choice(states),
                tlp=rng.choice(tlps),
                category=rng.choice(keys),
                severity=rng.choice(SEVERITIES),
                title=f"Synthetic event {n}",
                place=f"Place {rng.randint(1, 300)}",
                occurred_at=now - timedelta(minutes=rng.randint(1, 365 * 24 * 60)),
                grantee=ALL if roll < 0.6 else (rng.choice(states) if roll < 0.7 else None),
                linked=rng.random() < 0.7,
            )
        )
    return out


def storied_year(
    rng: random.Random,
    now: datetime,
    places: dict[str, list[str]],
    weights: dict[str, int],
    titles: dict[str, str],
) -> list[Report]:
    """For the samples: daily rates by category, drug trafficking up in the last 30 days and
    human trafficking first seen in the last 25, every report shared with all."""
    states = list(places)
    out = []
    for day in range(365, 0, -1):
        for category, weight in weights.items():
            rate = weight / 14 * (2.2 if day <= 30 and category == "drug_trafficking" else 1.0)
            if category == "human_trafficking" and day > 25:
                rate = 0
            while rng.random() < rate:
                rate -= 1
                owner = rng.choice(states)
                out.append(
                    Report(
                        owner=owner,
                        tlp=rng.choice(["GREEN", "GREEN", "AMBER"]),
                        category=category,
                        severity=rng.choice(SEVERITIES),
                        title=titles[category],
                        place=rng.choice(places[owner]),
                        occurred_at=now - timedelta(days=day - 1, hours=rng.randint(0, 23)),
                        grantee=ALL,
                        linked=rng.random() < 0.7,
                    )
                )
    return out


def write(
    db: Database,
    reports: Sequence[Report],
    states: Sequence[str],
    rng: random.Random,
    now: datetime,
) -> None:
    """The regional knowledge (register entries to link to), the states, then every report in
    bulk inserts of CHUNK rows: a year of 10,000 reports loads in seconds."""
    with db.transaction() as session:
        apply_bundle(session, load_knowledge(REPO / "knowledge"))
        codes: dict[str, list[str]] = {}
        regional = select(ThreatEntry).where(ThreatEntry.submission_id.is_(None))
        for entry in session.scalars(regional):
            codes.setdefault(entry.category, []).append(entry.code)
        first = (session.scalar(select(Submission.id).order_by(Submission.id.desc())) or 0) + 1
    numbers = dict.fromkeys(states, 0)
    subs, incidents, shares, links = [], [], [], []
    for n, r in enumerate(reports, start=first):
        numbers[r.owner] += 1
        subs.append(
            {
                "id": n,
                "public_id": f"{r.owner}-{numbers[r.owner]:04d}",
                "owner_state": r.owner,
                "kind": "incident",
                "tlp": r.tlp,
                "created_at": now,
                "updated_at": now,
            }
        )
        incidents.append(
            {
                "submission_id": n,
                "category": r.category,
                "severity": r.severity,
                "title": r.title,
                "description": "",
                "location": r.place,
                "occurred_at": r.occurred_at,
                "status": "open",
            }
        )
        if r.linked and codes.get(r.category):
            links.append(
                {"submission_id": n, "threat_code": rng.choice(codes[r.category]), "linked_at": now}
            )
        if r.grantee is not None and r.grantee != r.owner:
            shares.append({"submission_id": n, "grantee": r.grantee, "granted_at": now})
    with db.transaction() as session:
        known = set(session.scalars(select(State.code)))
        missing = [{"code": s, "name": s} for s in states if s not in known]
        if missing:
            session.execute(insert(State), missing)
        for code in states:
            session.execute(
                update(State).where(State.code == code).values(last_number=numbers[code])
            )
        tables = ((Submission, subs), (Incident, incidents), (Share, shares), (ReportLink, links))
        for table, rows in tables:
            for start in range(0, len(rows), CHUNK):
                session.execute(insert(table), rows[start : start + CHUNK])
