"""Reports linked to threat-register entries.

A link is part of its report: it is read only by joining the submissions the reader's Scope may
see (the same `submission_filter` and post-check as every read), and a link to a state's own
register entry is shown only to readers who may see that entry too. `linked_threats` and
`threat_activity` are the read API other features (trend briefs) build on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.access.reads import post_check
from secbot.access.scope import Scope, scope_for
from secbot.access.sql import submission_filter
from secbot.db.models import ReportLink, Submission, ThreatEntry
from secbot.domain.errors import InvalidInput, NotFound
from secbot.reports.incidents import owned_for_change


def visible_incidents(session: Session, scope: Scope, ids: Iterable[int]) -> list[Submission]:
    """The incident submissions among `ids` the scope may see (SQL filter, then post-check)."""
    wanted = sorted(set(ids))
    found: list[Submission] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows = session.scalars(
            select(Submission).where(
                Submission.id.in_(part), Submission.kind == "incident", submission_filter(scope)
            )
        )
        found += post_check(session, scope, list(rows))
    return found


def visible_threat_codes(session: Session, scope: Scope, codes: Iterable[str]) -> set[str]:
    """Regional entries are regional knowledge (every member's); a state's entry only when the
    scope may see its submission."""
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    entries = list(session.scalars(select(ThreatEntry).where(ThreatEntry.code.in_(wanted))))
    seen = {e.code for e in entries if e.submission_id is None}
    private = [e for e in entries if e.submission is not None]
    if private:
        allowed = {
            s.id
            for s in post_check(session, scope, [e.submission for e in private if e.submission])
        }
        seen |= {e.code for e in private if e.submission_id in allowed}
    return seen


def find_threat(session: Session, scope: Scope, code: str) -> ThreatEntry | None:
    """The entry by code if the scope may see it; None otherwise (unknown reads the same)."""
    entry = session.scalar(select(ThreatEntry).where(ThreatEntry.code == code))
    if entry is None or code not in visible_threat_codes(session, scope, [code]):
        return None
    return entry


def linked_threats(
    session: Session, scope: Scope, submission_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Threat codes linked to each visible report among `submission_ids`, sorted; reports the
    scope may not see are absent, and so are links to entries it may not see."""
    visible_ids = [s.id for s in visible_incidents(session, scope, submission_ids)]
    links: dict[int, list[str]] = {}
    for start in range(0, len(visible_ids), 500):
        part = visible_ids[start : start + 500]
        rows = session.execute(
            select(ReportLink.submission_id, ReportLink.threat_code).where(
                ReportLink.submission_id.in_(part)
            )
        )
        for submission_id, code in rows:
            links.setdefault(submission_id, []).append(code)
    shown = visible_threat_codes(session, scope, {c for codes in links.values() for c in codes})
    return {
        sid: sorted(c for c in codes if c in shown)
        for sid, codes in links.items()
        if any(c in shown for c in codes)
    }


@dataclass(frozen=True)
class Activity:
    """One month of a register entry's linked reports, as one reader may see them."""

    month: str
    """`YYYY-MM` of the event time (UTC)."""
    public_ids: tuple[str, ...]
    tlps: tuple[str, ...] = ()
    """Each report's TLP label, in capitals, in the order of `public_ids`."""


def threat_activity(session: Session, scope: Scope, code: str) -> list[Activity]:
    """Reports linked to `code` that the scope may see, by month of the event, oldest first.
    Empty when the scope may not see the entry itself."""
    if code not in visible_threat_codes(session, scope, [code]):
        return []
    rows = session.scalars(
        select(Submission)
        .join(ReportLink, ReportLink.submission_id == Submission.id)
        .where(ReportLink.threat_code == code, Submission.kind == "incident")
        .where(submission_filter(scope))
    )
    seen = post_check(session, scope, list(rows))
    months: dict[str, list[tuple[str, str, str]]] = {}
    for s in seen:
        incident = s.incident
        assert incident is not None
        at = incident.occurred_at
        months.setdefault(f"{at:%Y-%m}", []).append(
            (at.isoformat(), s.public_id, str(s.tlp).upper())
        )
    return [
        Activity(
            month,
            tuple(pid for _, pid, _ in sorted(items)),
            tuple(tlp for _, _, tlp in sorted(items)),
        )
        for month, items in sorted(months.items())
    ]


def link(
    session: Session, principal: Principal, public_id: str, code: str
) -> tuple[Submission, ThreatEntry, bool]:
    """Link one of the principal's state's reports to an entry it may see. Returns whether a
    new link was made (linking twice is not an error)."""
    submission = owned_for_change(session, principal, public_id)
    entry = find_threat(session, scope_for(principal), code)
    if entry is None:
        raise NotFound(f"I can't find a register entry {code} that you can see. Try `threats`.")
    existing = session.scalar(
        select(ReportLink).where(
            ReportLink.submission_id == submission.id, ReportLink.threat_code == entry.code
        )
    )
    if existing is not None:
        return submission, entry, False
    try:
        with session.begin_nested():
            session.add(
                ReportLink(
                    submission_id=submission.id,
                    threat_code=entry.code,
                    linked_by=principal.member_id,
                )
            )
            session.flush()
    except IntegrityError:  # linked by a concurrent message in the meantime
        return submission, entry, False
    audit.record(session, principal, "report_linked", submission, threat=entry.code)
    return submission, entry, True


def unlink(session: Session, principal: Principal, public_id: str, code: str) -> Submission:
    submission = owned_for_change(session, principal, public_id)
    row = session.scalar(
        select(ReportLink).where(
            ReportLink.submission_id == submission.id, ReportLink.threat_code == code
        )
    )
    if row is None:
        raise InvalidInput(
            f"{submission.public_id} is not linked to {code}. `incident {submission.public_id}` "
            "shows its links."
        )
    session.delete(row)
    audit.record(session, principal, "report_unlinked", submission, threat=code)
    return submission


def links_of(session: Session, scope: Scope, submission: Submission) -> list[ThreatEntry]:
    """The entries a visible report is linked to, as this reader may see them."""
    codes = linked_threats(session, scope, [submission.id]).get(submission.id, [])
    if not codes:
        return []
    return list(
        session.scalars(
            select(ThreatEntry).where(ThreatEntry.code.in_(codes)).order_by(ThreatEntry.code)
        )
    )


__all__ = [
    "Activity",
    "find_threat",
    "link",
    "linked_threats",
    "links_of",
    "threat_activity",
    "unlink",
    "visible_incidents",
    "visible_threat_codes",
]
