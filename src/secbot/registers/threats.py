"""The regional threat register and states' own entries (submissions, under the same rule)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, require
from secbot.access.principal import Principal
from secbot.access.reads import visible
from secbot.access.scope import Scope
from secbot.db.models import Submission, ThreatEntry
from secbot.db.numbering import allocate_threat_code, new_submission
from secbot.domain.enums import TLP, FunctionalArea, Impact, Likelihood, ThreatStatus
from secbot.domain.errors import InvalidInput
from secbot.domain.taxonomy import BY_KEY
from secbot.registers.matching import matches


def threat_matches(t: ThreatEntry, topic: str) -> bool:
    return matches(
        topic, [t.code, t.title, t.description, t.dimension, t.category, t.lead_area, *t.topics]
    )


def regional_threats(session: Session, topic: str = "") -> list[ThreatEntry]:
    rows = session.scalars(
        select(ThreatEntry).where(ThreatEntry.submission_id.is_(None)).order_by(ThreatEntry.code)
    )
    return [t for t in rows if threat_matches(t, topic)]


def state_threats(session: Session, scope: Scope, topic: str = "") -> list[ThreatEntry]:
    """States' own register entries, through the rule like any submission."""
    subs: list[Submission] = visible(session, scope, kind="threat")
    entries = [s.threat for s in subs if s.threat is not None]
    return [t for t in entries if threat_matches(t, topic)]


def add_state_threat(
    session: Session,
    principal: Principal,
    *,
    title: str,
    description: str,
    category: str,
    likelihood: Likelihood = Likelihood.POSSIBLE,
    impact: Impact = Impact.MODERATE,
    lead_area: FunctionalArea = FunctionalArea.SECURITY,
    tlp: TLP = TLP.AMBER,
) -> Submission:
    """A state's own register entry: a private submission under the same rule as incidents."""
    require(principal, Action.ADD_STATE_THREAT)
    assert principal.state is not None
    known = BY_KEY.get(category)
    if known is None:
        raise InvalidInput(f"Unknown category {category!r}.")
    submission = new_submission(
        session,
        owner_state=principal.state,
        kind="threat",
        tlp=tlp.value,
        created_by=principal.member_id,
        public_id=allocate_threat_code(session, principal.state),
    )
    session.add(
        ThreatEntry(
            code=submission.public_id,
            submission_id=submission.id,
            title=title[:200],
            dimension=known.dimension.value,
            category=category,
            description=description,
            likelihood=likelihood.value,
            impact=impact.value,
            lead_area=lead_area.value,
            status=ThreatStatus.ACTIVE.value,
            topics=[],
        )
    )
    session.flush()
    audit.record(session, principal, "threat_added", submission, tlp=tlp.value)
    return submission
