"""What goes into the retrieval index, built from SQL only (so the index can always be rebuilt).

Every unit carries the metadata the visibility rule needs: `owner` (a state, or REGIONAL),
`tlp` and `readers` (active share grantees). Regional units are CLEAR and owned by REGIONAL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from secbot.access.chroma import REGIONAL, readers_metadata
from secbot.access.reads import active_grantees_bulk
from secbot.db.models import (
    Contact,
    DocumentChunk,
    Objective,
    SourceDocument,
    State,
    Submission,
    ThreatEntry,
)
from secbot.domain.taxonomy import BY_KEY


@dataclass(frozen=True)
class Unit:
    id: str
    text: str
    metadata: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        body = json.dumps([self.text, self.metadata], sort_keys=True, default=str)
        return hashlib.sha1(body.encode()).hexdigest()[:16]


def _regional(kind: str, source: str, locator: str, citation: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "source": source,
        "locator": locator,
        "citation": citation,
        "owner": REGIONAL,
        "tlp": "CLEAR",
        "readers": readers_metadata(frozenset()),
        **extra,
    }


def document_units(session: Session, document_ids: Iterable[int] | None = None) -> Iterator[Unit]:
    query = select(SourceDocument).options(selectinload(SourceDocument.chunks))
    if document_ids is not None:
        query = query.where(SourceDocument.id.in_(list(document_ids)))
    for document in session.scalars(query):
        for chunk in document.chunks:
            yield document_unit(document, chunk)


def document_unit(document: SourceDocument, chunk: DocumentChunk) -> Unit:
    """A passage is indexed as header + text (BM25 and the embedding both learn where it comes
    from); `display` keeps the paragraph alone, which is what a reply shows and quotes.
    The doc_* keys, `section`, `para` and `locator` are the contract retrieval codes against
    (docs/decisions/0017)."""
    named = bool(document.doc_symbol) or chunk.locator.startswith(f"{document.title}, ")
    citation = chunk.locator if named else f"{document.title}, {chunk.locator}"
    header = chunk.header
    text = f"{header}\n{chunk.text}" if header else chunk.text
    return Unit(
        f"doc:{chunk.id}",
        text,
        _regional(
            "document",
            document.source,
            chunk.locator,
            citation,
            section=chunk.section or "body",
            para=chunk.para,
            header=header,
            display=chunk.text,
            doc_symbol=document.doc_symbol,
            doc_number=document.doc_number,
            doc_year=int(document.doc_year or 0),
            doc_date=document.doc_date,
            doc_type=document.doc_type or "other",
            doc_body=document.doc_body,
            doc_title=document.title,
            doc_series=document.doc_series,
        ),
    )


def _first_sentence(text: str) -> str:
    head = " ".join(text.split())
    for end in (". ", "; "):
        if end in head:
            return head.split(end, 1)[0] + "."
    return head


def _words(value: str) -> str:
    return value.replace("_", " ")


def register_units(session: Session) -> Iterator[Unit]:
    """Threats, objectives and contacts. Each carries a `card`: how the entry reads when it is
    the hit (a line a person would write), so answers never quote its index text."""
    threats = {
        t.code: t
        for t in session.scalars(select(ThreatEntry).where(ThreatEntry.submission_id.is_(None)))
    }
    for t in threats.values():
        text = (
            f"{t.code} {t.title}. {t.description} Dimension: {_words(t.dimension)}. "
            f"Lead area: {t.lead_area}. Likelihood {t.likelihood}, impact {t.impact}. "
            f"Topics: {', '.join(t.topics)}."
        )
        card = (
            f"{t.code} {t.title}: {_first_sentence(t.description)} "
            f"(likelihood {_words(t.likelihood)}, impact {t.impact})"
        )
        yield Unit(
            f"threat:{t.code}",
            text,
            _regional(
                "threat", "threats.yaml", t.code, f"Regional threat register, {t.code}", card=card
            ),
        )
    for o in session.scalars(select(Objective)):
        indicators = "; ".join(
            f"{i['indicator']}: {i['target']} by {i['due']}" for i in o.indicators
        )
        # The linked threats' titles and topics are part of what an objective is about: a
        # question on drug trafficking must find the maritime objective that counters it.
        linked = [threats[c] for c in o.linked_threats if c in threats]
        counters = "; ".join(f"{t.code} {t.title} ({', '.join(t.topics)})" for t in linked)
        text = (
            f"{o.code} {o.title}. {o.description} Indicators: {indicators}. "
            f"Lead actors: {', '.join(o.lead_actors)}. "
            f"Counters the threats: {counters or ', '.join(o.linked_threats)}. "
            f"Topics: {', '.join(o.topics)}."
        )
        first = o.indicators[0] if o.indicators else None
        target = (
            f" Target: {first['indicator']}, {first['target']} by {first['due']}." if first else ""
        )
        against = f" Against: {', '.join(f'{t.code} {t.title}' for t in linked)}." if linked else ""
        card = (
            f"{o.code} {o.title} ({_words(o.status)}): {_first_sentence(o.description)}"
            f"{target}{against}"
        )
        yield Unit(
            f"objective:{o.code}",
            text,
            _regional(
                "objective",
                "objectives.yaml",
                o.code,
                f"Strategic objectives, {o.code}",
                card=card,
            ),
        )
    names = {s.code: s.name for s in session.scalars(select(State))}
    for c in session.scalars(select(Contact)):
        where = names.get(c.state_code or "", c.state_code) if c.state_code else c.organisation
        area = _words(c.area)
        text = (
            f"{c.state_code or 'Regional'} {area} contact: {c.office}, {c.role}, {c.organisation}. "
            f"Reach via {c.channel}. Topics: {', '.join(c.topics)}."
        )
        body = f"{c.office}, {c.role}"
        if c.organisation != where:
            body += f" ({c.organisation})"
        card = f"{where}, {area}: {body}, {c.channel}"
        locator = f"{c.state_code or 'Regional'} {c.area}"
        yield Unit(
            f"contact:{c.id}",
            text,
            _regional(
                "contact",
                "contacts.yaml",
                locator,
                f"Contact directory, {where}, {area}",
                card=card,
            ),
        )


def submission_unit(submission: Submission, grantees: frozenset[str]) -> Unit | None:
    meta: dict[str, Any] = {
        "source": "report",
        "locator": submission.public_id,
        "citation": f"{submission.public_id} ({submission.owner_state}, TLP:{submission.tlp})",
        "owner": submission.owner_state,
        "tlp": submission.tlp,
        "readers": readers_metadata(grantees),
        "public_id": submission.public_id,
    }
    if submission.incident is not None:
        i = submission.incident
        category = BY_KEY[i.category].label if i.category in BY_KEY else i.category
        text = f"{i.title}. {category}. {i.location}. {i.description}"
        return Unit(f"sub:{submission.public_id}", text, {**meta, "kind": "incident"})
    if submission.threat is not None:
        t = submission.threat
        text = f"{t.title}. {t.description} Dimension: {t.dimension.replace('_', ' ')}."
        return Unit(f"sub:{submission.public_id}", text, {**meta, "kind": "state_threat"})
    return None


def submission_units(session: Session, ids: Iterable[int] | None = None) -> Iterator[Unit]:
    query = select(Submission)
    if ids is not None:
        query = query.where(Submission.id.in_(list(ids)))
    rows = list(session.scalars(query))
    grantees = active_grantees_bulk(session, [r.id for r in rows])
    for submission in rows:
        unit = submission_unit(submission, grantees.get(submission.id, frozenset()))
        if unit is not None:
            yield unit


def all_units(session: Session) -> Iterator[Unit]:
    yield from document_units(session)
    yield from register_units(session)
    yield from submission_units(session)
