"""The similar-report check at filing: is this the event someone already reported?

Candidates are only the reports the filer's Scope may see where they file (SQL filter, then the
post-check), so a suggestion can never reveal, by its wording or its count, a report the filer
may not see. A candidate matches when it happened at the same place or close by within
`WINDOW` of the new event, or when its text is very similar (word-set Jaccard over at least
`MIN_TERMS` content words each, within `TEXT_WINDOW`: cheap, and measured on labelled pairs in
tests/reports/test_similar.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.reads import active_grantees_bulk
from secbot.access.scope import Scope, SubmissionFacts, permits
from secbot.access.sql import submission_filter
from secbot.db.models import Incident, Submission
from secbot.domain.enums import TLP
from secbot.domain.places import words

WINDOW = timedelta(hours=48)
TEXT_WINDOW = timedelta(days=7)
CLOSE_KM = 5.0
TEXT_THRESHOLD = 0.75
MIN_TERMS = 4
"""Texts with fewer content words ("Boat seen") say too little to call two reports one event."""
LIMIT = 3
_STOP = frozenset(
    "the a an and or of at in on to by for with from near off was were is are has have had "
    "this that it its into about after before two one three been".split()
)


@dataclass(frozen=True)
class Filing:
    """What the check needs of the report about to be filed."""

    text: str
    occurred_at: datetime
    place: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Similar:
    submission: Submission
    reason: str
    """`same place`, `close by` (with the distance) or `similar text`."""
    hours: float
    """The candidate's event time minus the new one's, in hours (negative: earlier)."""
    score: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), accurate enough for "close by"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _stem(word: str) -> str:
    """A crude suffix cut, so "landed" meets "landing" and "robbed" meets "robbery"."""
    for suffix in ("ing", "ery", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> frozenset[str]:
    """Content words, stemmed: no stop words, numbers or words under three letters."""
    return frozenset(
        _stem(w)
        for w in words(text)
        if len(w) > 2 and w not in _STOP and not re.fullmatch(r"\d+", w)
    )


@lru_cache(maxsize=20_000)
def cached_terms(text: str) -> frozenset[str]:
    """Reports in the window recur from one filing to the next: their words are read once."""
    return terms(text)


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' content words (0..1)."""
    ta, tb = terms(a), terms(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _place_reason(new: Filing, place: str, lat: float | None, lon: float | None) -> str | None:
    if new.place and place and new.place == place:
        return "same place"
    if new.lat is None or new.lon is None or lat is None or lon is None:
        return None
    km = distance_km(new.lat, new.lon, lat, lon)
    return f"close by, {km:.1f} km" if km <= CLOSE_KM else None


def similar_reports(
    session: Session, scope: Scope, new: Filing, *, limit: int = LIMIT
) -> list[Similar]:
    """The visible reports that look like the same event, best first (place-and-time matches
    by closeness in time, then text matches by score). Columns only, then the post-check on
    the same facts (`permits`, shares read afresh in one query), then the few hits loaded."""
    if scope.sees_nothing:
        return []
    rows = session.execute(
        select(
            Submission.id,
            Submission.owner_state,
            Submission.tlp,
            Incident.occurred_at,
            Incident.place,
            Incident.latitude,
            Incident.longitude,
            Incident.title,
            Incident.description,
        )
        .join(Incident, Incident.submission_id == Submission.id)
        .where(
            submission_filter(scope),
            Incident.occurred_at >= new.occurred_at - TEXT_WINDOW,
            Incident.occurred_at <= new.occurred_at + TEXT_WINDOW,
        )
    ).all()
    grantees = active_grantees_bulk(session, [r.id for r in rows])
    new_terms = terms(new.text)
    by_words = len(new_terms) >= MIN_TERMS
    hits: list[tuple[int, str, float, float]] = []
    for r in rows:
        facts = SubmissionFacts(r.owner_state, TLP(r.tlp), grantees.get(r.id, frozenset()))
        if not permits(scope, facts):
            continue
        hours = (r.occurred_at - new.occurred_at).total_seconds() / 3600
        reason = (
            _place_reason(new, r.place, r.latitude, r.longitude)
            if abs(hours) <= WINDOW.total_seconds() / 3600
            else None
        )
        if reason is not None:
            hits.append((r.id, reason, hours, 2.0 - abs(hours) / 48))
            continue
        if not by_words:
            continue
        other = cached_terms(f"{r.title} {r.description}")
        if len(other) >= MIN_TERMS:
            score = len(new_terms & other) / len(new_terms | other)
            if score >= TEXT_THRESHOLD:
                hits.append((r.id, "similar text", hours, score))
    found = [
        Similar(submission, reason, hours, score)
        for sid, reason, hours, score in hits
        if (submission := session.get(Submission, sid)) is not None
    ]
    found.sort(key=lambda s: (-s.score, s.submission.public_id))
    return found[:limit]
