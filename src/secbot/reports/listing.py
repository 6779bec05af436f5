"""One page of the incident reports a scope may see, filtered: the web console's list.

The SQL filter is access/'s `submission_filter` and every row shown passes access/'s post-check,
exactly as chat's `reports`; the filters only ever narrow what the rule already allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from secbot.access.reads import post_check
from secbot.access.scope import Scope
from secbot.access.sql import submission_filter
from secbot.db.models import Incident, Submission
from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import InvalidInput
from secbot.domain.taxonomy import BY_KEY

PERIODS = {"": None, "7d": 7, "30d": 30, "90d": 90, "365d": 365}
PAGE_SIZE = 25


@dataclass(frozen=True)
class Filters:
    category: str = ""
    severity: str = ""
    tlp: str = ""
    state: str = ""
    period: str = ""
    text: str = ""

    def checked(self) -> Filters:
        """Refuse a value no form offers, with the same words as chat, before any query."""
        if self.category and self.category not in BY_KEY:
            raise InvalidInput(f"Unknown category {self.category[:40]!r}.")
        if self.severity and self.severity not in {s.value for s in Severity}:
            raise InvalidInput("Severity is low, moderate, high or critical.")
        if self.tlp and self.tlp not in {t.value for t in TLP}:
            raise InvalidInput("TLP is CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
        if self.state and not (len(self.state) == 3 and self.state.isalpha()):
            raise InvalidInput("A state is its three-letter code, e.g. JAM.")
        if self.period not in PERIODS:
            raise InvalidInput("The period is 7d, 30d, 90d or 365d.")
        if len(self.text) > 200:
            raise InvalidInput("Search text is at most 200 characters.")
        return self


@dataclass(frozen=True)
class Page:
    rows: list[Submission]
    total: int
    page: int
    pages: int


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def _narrow(query: Q, f: Filters, now: datetime) -> Q:
    conditions: list[ColumnElement[bool]] = []
    if f.category:
        conditions.append(Incident.category == f.category)
    if f.severity:
        conditions.append(Incident.severity == f.severity)
    if f.tlp:
        conditions.append(Submission.tlp == f.tlp)
    if f.state:
        conditions.append(Submission.owner_state == f.state.upper())
    days = PERIODS[f.period]
    if days:
        conditions.append(Incident.occurred_at >= now - timedelta(days=days))
    if f.text:
        like = f"%{f.text.lower()}%"
        conditions.append(
            or_(
                func.lower(Incident.title).like(like),
                func.lower(Incident.description).like(like),
                func.lower(Incident.location).like(like),
                func.lower(Submission.public_id).like(like),
            )
        )
    return query.where(*conditions) if conditions else query


def count(session: Session, scope: Scope, filters: Filters, now: datetime) -> int:
    counted = select(func.count(Submission.id)).join(
        Incident, Incident.submission_id == Submission.id
    )
    narrowed = _narrow(counted.where(submission_filter(scope)), filters.checked(), now)
    return int(session.scalar(narrowed) or 0)


def incidents_page(
    session: Session, scope: Scope, filters: Filters, page: int, now: datetime
) -> Page:
    """The total, then one page walked newest first (the created_at index lets the database
    stop after a page of rows the rule allows instead of sorting them all)."""
    filters = filters.checked()
    total = count(session, scope, filters, now)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = (
        _narrow(
            select(Submission)
            .join(Incident, Incident.submission_id == Submission.id)
            .where(submission_filter(scope)),
            filters,
            now,
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .options(contains_eager(Submission.incident))
    )
    rows = post_check(session, scope, list(session.scalars(query)))
    return Page(rows, total, page, pages)
