"""Putting reports, shares, links and register entries straight into the database at chosen
times (the filing path is tested in tests/reports): the set-up shared by the brief, scheduled
delivery and suggestion tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.models import Incident, ReportLink, Share, State, Submission, ThreatEntry
from secbot.db.numbering import new_submission


def add_states(session: Session, codes: Iterable[str]) -> None:
    for code in codes:
        if session.get(State, code) is None:
            session.add(State(code=code, name=code))
    session.flush()


def add_incident(
    session: Session,
    *,
    owner: str,
    occurred_at: datetime,
    category: str = "drug_trafficking",
    tlp: str = "GREEN",
    title: str = "Go-fast boat intercepted",
    place: str = "",
    severity: str = "moderate",
    grantees: Iterable[str] = (),
    links: Iterable[str] = (),
) -> str:
    submission = new_submission(
        session, owner_state=owner, kind="incident", tlp=tlp, created_by=None
    )
    session.add(
        Incident(
            submission_id=submission.id,
            category=category,
            severity=severity,
            title=title,
            description="",
            location=place,
            occurred_at=occurred_at,
        )
    )
    for grantee in grantees:
        session.add(Share(submission_id=submission.id, grantee=grantee))
    for code in links:
        session.add(ReportLink(submission_id=submission.id, threat_code=code))
    session.flush()
    return submission.public_id


def add_regional_threat(session: Session, code: str, category: str, title: str = "") -> None:
    session.add(
        ThreatEntry(
            code=code,
            title=title or f"Regional entry {code}",
            dimension="transnational_crime",
            category=category,
            description="",
            likelihood="likely",
            impact="major",
            lead_area="security",
            status="active",
            topics=[],
        )
    )
    session.flush()


def internal_id(session: Session, public_id: str) -> int:
    found = session.scalar(select(Submission.id).where(Submission.public_id == public_id))
    assert found is not None
    return found
