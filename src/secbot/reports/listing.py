"""One page of the incident reports a scope may see, filtered: the web console's list.

The SQL filter is access/'s `submission_filter` and every row shown passes access/'s post-check,
exactly as chat's `reports`; the filters only ever narrow what the rule already allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, column, func, select, table, union
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
COUNT_CAP = 500
MAX_PAGE = 10_000
"""Past the cap a page number is only bounded by this (the database's integers are)."""
"""The list counts at most this many matches ("more than 500"): the count stops there instead
of running the rule over every visible report on each page view."""


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
        if any(not c.isprintable() for c in self.text):
            raise InvalidInput("Search text can't hold control characters.")
        return self


@dataclass(frozen=True)
class Page:
    rows: list[Submission]
    total: int
    """Matches counted, at most COUNT_CAP + 1 (then `more` is true)."""
    page: int
    pages: int
    """Pages known to exist: exact when the count is, else up to this page and one more."""
    more: bool = False


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
ID_PART = re.compile(r"[A-Za-z0-9-]+")
SEARCH = table("incident_search", column("rowid"), column("body"))
"""SQLite: the FTS5 trigram table of incident text (migration 0016), rowid = submission id."""
SEARCH_PG = table("incidents", column("submission_id"), column("search_body"))
"""PostgreSQL: the stored, generated lower-case text of an incident, trigram-indexed (0016)."""


def text_match(text: str, dialect: str) -> ColumnElement[bool]:
    """The reports whose title, description, location or id contain `text` (any case): the
    ids the trigram index finds (FTS5 on SQLite, GIN pg_trgm on PostgreSQL), unioned with the
    ids that match (short strings, one pass), so the database starts from the few matches
    instead of testing every visible report."""
    like = f"%{text.lower()}%"
    if dialect == "sqlite":
        by_text = select(SEARCH.c.rowid).where(SEARCH.c.body.like(like))
    else:
        by_text = select(SEARCH_PG.c.submission_id).where(SEARCH_PG.c.search_body.like(like))
    if not ID_PART.fullmatch(text):  # no id contains it: skip the pass over the ids
        return Submission.id.in_(by_text.correlate(None))
    by_id = select(Submission.id).where(func.lower(Submission.public_id).like(like))
    return Submission.id.in_(union(by_text.correlate(None), by_id.correlate(None)))


def _narrow(query: Q, f: Filters, now: datetime, dialect: str) -> Q:
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
        conditions.append(text_match(f.text, dialect))
    return query.where(*conditions) if conditions else query


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def count(session: Session, scope: Scope, filters: Filters, now: datetime) -> int:
    counted = select(func.count(Submission.id)).join(
        Incident, Incident.submission_id == Submission.id
    )
    narrowed = _narrow(
        counted.where(submission_filter(scope)), filters.checked(), now, _dialect(session)
    )
    return int(session.scalar(narrowed) or 0)


def capped_count(
    session: Session, scope: Scope, filters: Filters, now: datetime, cap: int | None = None
) -> int:
    """Matches up to cap + 1: the database stops at the first cap + 1 rows the rule allows."""
    cap = COUNT_CAP if cap is None else cap
    ids = _narrow(
        select(Submission.id)
        .join(Incident, Incident.submission_id == Submission.id)
        .where(submission_filter(scope)),
        filters.checked(),
        now,
        _dialect(session),
    ).limit(cap + 1)
    return int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def incidents_page(
    session: Session, scope: Scope, filters: Filters, page: int, now: datetime
) -> Page:
    """The count (capped), then one page walked newest first: the (created_at, id) index lets
    the database stop after a page of rows the rule allows instead of sorting them all. Past
    the cap, paging goes on as long as a next row exists (one row more is read to know)."""
    filters = filters.checked()
    total = capped_count(session, scope, filters, now)
    more = total > COUNT_CAP
    known = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), MAX_PAGE) if more else min(max(1, page), known)
    query = (
        _narrow(
            select(Submission)
            .join(Incident, Incident.submission_id == Submission.id)
            .where(submission_filter(scope)),
            filters,
            now,
            _dialect(session),
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .options(contains_eager(Submission.incident))
    )
    found = list(session.scalars(query))
    if more:
        known = page + 1 if len(found) > PAGE_SIZE else page
    rows = post_check(session, scope, found[:PAGE_SIZE])
    return Page(rows, total, page, known, more)
