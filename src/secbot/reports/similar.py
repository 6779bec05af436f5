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

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access.reads import post_check
from secbot.access.scope import Scope
from secbot.access.sql import submission_filter
from secbot.db.models import Incident, Submission
from secbot.domain.places import words

WINDOW = timedelta(hours=48)
TEXT_WINDOW = timedelta(days=14)
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


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' content words (0..1)."""
    ta, tb = terms(a), terms(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _place_reason(new: Filing, incident: Incident) -> str | None:
    if new.place and incident.place and new.place == incident.place:
        return "same place"
    if None in (new.lat, new.lon, incident.latitude, incident.longitude):
        return None
    assert new.lat is not None and new.lon is not None
    assert incident.latitude is not None and incident.longitude is not None
    km = distance_km(new.lat, new.lon, incident.latitude, incident.longitude)
    return f"close by, {km:.1f} km" if km <= CLOSE_KM else None


def similar_reports(
    session: Session, scope: Scope, new: Filing, *, limit: int = LIMIT
) -> list[Similar]:
    """The visible reports that look like the same event, best first (place-and-time matches
    by closeness in time, then text matches by score)."""
    if scope.sees_nothing:
        return []
    rows = session.execute(
        select(Submission, Incident)
        .join(Incident, Incident.submission_id == Submission.id)
        .where(
            submission_filter(scope),
            Incident.occurred_at >= new.occurred_at - TEXT_WINDOW,
            Incident.occurred_at <= new.occurred_at + TEXT_WINDOW,
        )
    ).all()
    allowed = {s.id for s in post_check(session, scope, [s for s, _ in rows])}
    new_terms = terms(new.text)
    found: list[Similar] = []
    for submission, incident in rows:
        if submission.id not in allowed:
            continue
        hours = (incident.occurred_at - new.occurred_at).total_seconds() / 3600
        reason = (
            _place_reason(new, incident) if abs(hours) <= WINDOW.total_seconds() / 3600 else None
        )
        if reason is not None:
            found.append(Similar(submission, reason, hours, 2.0 - abs(hours) / 48))
            continue
        other = terms(f"{incident.title} {incident.description}")
        if len(new_terms) >= MIN_TERMS and len(other) >= MIN_TERMS:
            score = len(new_terms & other) / len(new_terms | other)
            if score >= TEXT_THRESHOLD:
                found.append(Similar(submission, "similar text", hours, score))
    found.sort(key=lambda s: (-s.score, s.submission.public_id))
    return found[:limit]
