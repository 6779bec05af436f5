"""Regional knowledge (objectives, threat register, contacts) and states' own register entries.

Topic matching here is plain word matching; the retrieval index (issue 3) ranks by meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.access.reads import allocate_public_id, visible
from secbot.access.scope import Scope
from secbot.db.models import Contact, Objective, State, Submission, ThreatEntry
from secbot.domain.enums import TLP, FunctionalArea, Impact, Likelihood, Role, ThreatStatus
from secbot.domain.errors import InvalidInput
from secbot.domain.taxonomy import BY_KEY
from secbot.services.identity import require_role

_WORD = re.compile(r"[a-z0-9+]+")
STOP = {"the", "a", "an", "of", "and", "or", "in", "on", "for", "to", "with", "about", "what"}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOP}


def matches(topic: str, fields: Iterable[str]) -> bool:
    """Every topic word must appear in some field (as a word or a word prefix of 4+ letters)."""
    wanted = words(topic)
    if not wanted:
        return True
    have = set().union(*(words(f) for f in fields))
    return all(w in have or (len(w) >= 4 and any(h.startswith(w) for h in have)) for w in wanted)


def objective_matches(o: Objective, topic: str) -> bool:
    return matches(topic, [o.code, o.title, o.description, o.status, *o.topics, *o.linked_threats])


def objectives(session: Session, topic: str = "") -> list[Objective]:
    rows = session.scalars(select(Objective).order_by(Objective.code))
    return [o for o in rows if objective_matches(o, topic)]


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


@dataclass(frozen=True)
class ContactQuery:
    state: str | None
    area: str | None
    topic: str


def parse_contact_query(session: Session, query: str) -> ContactQuery:
    """Pull a state (code or name) and a functional area out of `contacts JAM legal cyber`."""
    rest = query.strip()
    states = {s.code: s.name.lower() for s in session.scalars(select(State))}
    wanted_state = None
    for code, name in states.items():
        if name in rest.lower():
            wanted_state = code
            rest = re.sub(re.escape(name), " ", rest, flags=re.IGNORECASE)
            break
    areas = {a.value for a in FunctionalArea}
    wanted_area = None
    topic_words = []
    for word in rest.split():
        token = word.strip(",;").lower().replace("-", "_")
        if wanted_state is None and token.upper() in states:
            wanted_state = token.upper()
        elif wanted_area is None and token in areas:
            wanted_area = token
        else:
            topic_words.append(word)
    return ContactQuery(wanted_state, wanted_area, " ".join(topic_words))


def contacts(
    session: Session, query: str | ContactQuery = "", ranked_ids: Sequence[int] = ()
) -> list[Contact]:
    """Contacts matching the state and area exactly and the topic by words; `ranked_ids` (from
    the retriever, best first) add entries that match the topic by meaning."""
    q = query if isinstance(query, ContactQuery) else parse_contact_query(session, query)
    rows = list(
        session.scalars(select(Contact).order_by(Contact.state_code.nulls_last(), Contact.area))
    )

    def fits(c: Contact) -> bool:
        return (q.state is None or c.state_code == q.state) and (q.area is None or c.area == q.area)

    found = [
        c
        for c in rows
        if fits(c) and matches(q.topic, [c.organisation, c.office, c.role, c.area, *c.topics])
    ]
    by_id = {c.id: c for c in rows}
    if q.topic:
        extra = [by_id[i] for i in ranked_ids if i in by_id and fits(by_id[i])]
        found += [c for c in extra if c not in found]
    return found


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
    require_role(principal, Role.FOCAL_POINT, Role.STATE_ADMIN, doing="add register entries")
    assert principal.state is not None
    known = BY_KEY.get(category)
    if known is None:
        raise InvalidInput(f"Unknown category {category!r}.")
    submission = Submission(
        public_id=allocate_public_id(session, principal.state),
        owner_state=principal.state,
        kind="threat",
        tlp=tlp.value,
        created_by=principal.member_id,
    )
    session.add(submission)
    session.flush()
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
