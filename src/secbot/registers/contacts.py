"""The contact directory: offices and roles per state and functional area, no personal names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.models import Contact, State
from secbot.domain.enums import FunctionalArea
from secbot.registers.matching import matches

PARTNER_AREA = {
    "regional": FunctionalArea.REGIONAL_ORGANISATION.value,
    "international": FunctionalArea.REGIONAL_ORGANISATION.value,
    "civil_society": FunctionalArea.CIVIL_SOCIETY.value,
    "academia": FunctionalArea.ACADEMIA.value,
}
"""A partner's kind as the model's functional area of non-state actors (paragraph 15 b)."""


def partner_offices(session: Session) -> list[Contact]:
    """Active partners' offices as directory entries (never added to the session: the
    directory file stays the only source of stored contacts)."""
    rows = session.scalars(
        select(State)
        .where(State.kind != "state", State.retired_at.is_(None), State.office != "")
        .order_by(State.code)
    )
    return [
        Contact(
            state_code=p.code,
            organisation=p.name,
            office=p.office,
            role=f"partner ({p.kind.replace('_', ' ')})",
            area=PARTNER_AREA.get(p.kind, FunctionalArea.REGIONAL_ORGANISATION.value),
            channel=p.contact_channel or "-",
            topics=[p.kind, "partner"],
        )
        for p in rows
    ]


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
    rows += partner_offices(session)

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
