"""Erasing submissions from SQL, in the caller's one transaction: the rows and their history,
the copies of their words elsewhere (inbox, queued replies, drafts, alerts, brief issues), and
the audit lines' links to them. What survives is a tombstone per submission (db/erasures.py)
and an `erased` audit line carrying the same hash. The index and the storage follow after the
commit (rights/compaction.py)."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from secbot.access.principal import Principal
from secbot.db.briefs import BriefFile, BriefIssue
from secbot.db.erasures import Erasure
from secbot.db.inbound import InboxEntry
from secbot.db.models import (
    Alert,
    AuditEvent,
    Draft,
    Incident,
    Share,
    Submission,
    ThreatEntry,
)
from secbot.db.report_extras import DirectNotice, ReportLink, ReportUpdate, ResponseEntry
from secbot.db.types import utcnow
from secbot.rights.scrub import Fragments, blank_json, mentions, strip_attachments

_TEXT_MIMES = ("text/", "application/json", "application/csv")
_BULK = {"synchronize_session": False}
"""The erased objects are expunged from the session; nothing in it needs the bulk results."""
FRAGMENTS_KEY = "erased_fragments"
"""session.info key: the erased words of this transaction, kept in memory for the files under
the data dir (rights.compaction reads it after the commit)."""


@dataclass(frozen=True)
class Erased:
    """One erased submission, as the caller may report it (no content)."""

    public_id: str
    owner_state: str
    sha256: str
    fragments: tuple[str, ...]
    """The erased words, kept in memory only, for the files under the data dir."""


@dataclass(frozen=True)
class Actor:
    label: str
    party: str | None
    principal: Principal | None = None


def content(
    session: Session, submission: Submission, updates: list[str] | None = None
) -> dict[str, object]:
    """Everything the submission said, in a fixed order: what the tombstone's hash covers.
    `updates`: its timeline's texts when the caller read them already (in bulk)."""
    body: dict[str, object] = {"public_id": submission.public_id, "tlp": submission.tlp}
    if submission.incident is not None:
        i = submission.incident
        body.update(title=i.title, description=i.description, location=i.location)
    if submission.threat is not None:
        t = submission.threat
        body.update(code=t.code, title=t.title, description=t.description)
    if updates is None:
        updates = _timelines(session, [submission.id]).get(submission.id, [])
    body["updates"] = updates
    return body


def _timelines(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Each submission's own words after filing: its timeline, then its co-ordination log
    (both are part of the report, so both are erased and hashed with it)."""
    found: dict[int, list[str]] = {}
    for table in (ReportUpdate, ResponseEntry):
        for start in range(0, len(ids), 1000):
            rows = session.execute(
                select(table.submission_id, table.body)
                .where(table.submission_id.in_(ids[start : start + 1000]))
                .order_by(table.id)
            )
            for submission_id, body in rows:
                found.setdefault(submission_id, []).append(body)
    return found


def digest(body: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _words(body: dict[str, object]) -> list[str]:
    found = [str(body.get(k, "")) for k in ("title", "description", "location")]
    updates = body.get("updates", [])
    return found + [str(u) for u in updates] if isinstance(updates, list) else found


def erase(
    session: Session, submissions: Sequence[Submission], actor: Actor, reason: str
) -> list[Erased]:
    """Erase these submissions (already checked to be the actor's to erase) in `session`."""
    if not submissions:
        return []
    ids = [s.id for s in submissions]
    timelines = _timelines(session, ids)
    bodies = {s.id: content(session, s, timelines.get(s.id, [])) for s in submissions}
    fragments = Fragments(w for body in bodies.values() for w in _words(body))
    public_ids = [s.public_id for s in submissions]
    threat_codes = [s.threat.code for s in submissions if s.threat is not None]
    _scrub_copies(session, fragments, public_ids)
    if threat_codes:
        session.execute(
            delete(ReportLink).where(ReportLink.threat_code.in_(threat_codes)),
            execution_options=_BULK,
        )
    for table in (
        DirectNotice,
        ReportUpdate,
        ResponseEntry,
        ReportLink,
        Share,
        Incident,
        ThreatEntry,
    ):
        session.execute(delete(table).where(table.submission_id.in_(ids)), execution_options=_BULK)
    session.execute(
        update(AuditEvent).where(AuditEvent.submission_id.in_(ids)).values(submission_id=None),
        execution_options=_BULK,
    )
    erased = [
        Erased(s.public_id, s.owner_state, digest(bodies[s.id]), tuple(_words(bodies[s.id])))
        for s in submissions
    ]
    _record(session, submissions, erased, actor, reason)
    for s in submissions:
        _forget(session, s)
    session.execute(delete(Submission).where(Submission.id.in_(ids)), execution_options=_BULK)
    # The change log and this process's index follow the erasure like any other change.
    session.info.setdefault("touched", set()).update(ids)
    session.info.setdefault(FRAGMENTS_KEY, []).extend(fragments.texts)
    session.flush()
    return erased


def _forget(session: Session, submission: Submission) -> None:
    """The bulk deletes do not touch the session: the loaded objects leave it by hand."""
    loaded = submission.__dict__
    for item in (loaded.get("incident"), loaded.get("threat"), *loaded.get("shares", ())):
        if item is not None and item in session:
            session.expunge(item)
    session.expunge(submission)


def _record(
    session: Session,
    submissions: Sequence[Submission],
    erased: list[Erased],
    actor: Actor,
    reason: str,
) -> None:
    """A tombstone and an `erased` audit line per submission, inserted in bulk."""
    now = utcnow()
    member = actor.principal.member_id if actor.principal else None
    session.execute(
        insert(Erasure),
        [
            {
                "at": now,
                "submission_id": s.id,
                "public_id": s.public_id,
                "owner_state": s.owner_state,
                "kind": s.kind,
                "tlp": s.tlp,
                "actor": actor.label,
                "actor_party": actor.party,
                "reason": reason,
                "content_sha256": e.sha256,
            }
            for s, e in zip(submissions, erased, strict=True)
        ],
    )
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor_member_id": member,
                "actor": actor.label,
                "actor_party": actor.party,
                "action": "erased",
                "submission_id": None,
                "owner_state": e.owner_state,
                "detail": {"public_id": e.public_id, "sha256": e.sha256, "reason": reason},
            }
            for e in erased
        ],
    )


def _scrub_copies(session: Session, fragments: Fragments, public_ids: list[str]) -> None:
    """Blank the erased words wherever a message, reply, draft, alert or brief copied them."""
    for entry in session.scalars(select(InboxEntry)):
        changed = False
        for column in ("inbound", "context", "replies"):
            new, hit = blank_json(getattr(entry, column), fragments)
            if hit:
                setattr(entry, column, new)
                changed = True
        # A copy: mutating the loaded value in place would hide the change from the flush.
        replies, stripped = strip_attachments(
            copy.deepcopy(entry.replies), fragments, public_ids, sent=entry.replied_at is not None
        )
        if stripped:
            entry.replies = replies
            changed = True
        if changed:
            entry.last_error = ""
    for draft in session.scalars(select(Draft)):
        if mentions(draft.data, public_ids) or blank_json(draft.data, fragments)[1]:
            session.delete(draft)
    for alert in session.scalars(select(Alert)):
        if fragments.hits(alert.headline) or fragments.hits(alert.body):
            alert.headline = fragments.blank(alert.headline)
            alert.body = fragments.blank(alert.body)
    for issue in session.scalars(select(BriefIssue)):
        about = mentions(issue.text, public_ids) or fragments.hits(issue.text)
        detail, hit = blank_json(issue.detail, fragments)
        if hit:
            issue.detail = detail
        if about:
            issue.text = fragments.blank(issue.text)
            _scrub_brief_files(session, issue.id, fragments)


def _scrub_brief_files(session: Session, issue_id: int, fragments: Fragments) -> None:
    """Text files are blanked in place; a chart or PDF cannot be, so it is withdrawn."""
    for file in session.scalars(select(BriefFile).where(BriefFile.issue_id == issue_id)):
        if file.mime.startswith(_TEXT_MIMES) or file.filename.endswith((".csv", ".json")):
            file.data = fragments.blank(file.data.decode("utf-8", "replace")).encode()
        else:
            session.delete(file)
