"""A shared report's co-ordination log: dated notes, needs, offers and tasks for a party.

The log is part of its report: every read and write goes through `get_visible` with the
asker's own Scope, so it shows exactly to the parties that may see the report (owner,
grantees, partners named in a share) and, in a group, only under the group rule. Unsharing
closes it to that party at once, since the share is what the check reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, require
from secbot.access.principal import SECRETARIAT, Principal
from secbot.access.reads import facts, get_visible
from secbot.access.scope import Scope, entitled, scope_for
from secbot.db.models import Member, ResponseEntry, State, Submission
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput, NotPermitted
from secbot.domain.ids import split_id
from secbot.domain.text import one_line
from secbot.identity.partners import get_partner
from secbot.identity.states import get_state
from secbot.reports import notices

KINDS = ("log", "need", "offer", "task")
MAX_CHARS = 1000
TASK_REF = re.compile(r"^\s*(.+?)\s*[/#]\s*(\d{1,4})\s*$")

FOCAL_ROLES = {
    Role.FOCAL_POINT.value,
    Role.STATE_ADMIN.value,
    Role.PARTNER.value,
    Role.PARTNER_ADMIN.value,
}


@dataclass(frozen=True)
class Written:
    submission: Submission
    entry: ResponseEntry
    tell: list[Member]
    """Focal points of the parties concerned (a task's party; everyone who sees the report, for
    a need) who may see the report: each was queued a direct-message notice."""


def read_log(
    session: Session, scope: Scope, public_id: str
) -> tuple[Submission, list[ResponseEntry]]:
    """The report (through the rule, so an unseen report reads as unknown) and its log."""
    submission = get_visible(session, scope, public_id)
    entries = session.scalars(
        select(ResponseEntry)
        .where(ResponseEntry.submission_id == submission.id)
        .order_by(ResponseEntry.number)
    )
    return submission, list(entries)


def log_counts(session: Session, submission: Submission) -> tuple[int, int]:
    """(entries, open tasks) of a report the caller already read through the rule (its log is
    seen wherever the report is)."""
    rows = session.execute(
        select(ResponseEntry.kind, ResponseEntry.done_at).where(
            ResponseEntry.submission_id == submission.id
        )
    ).all()
    return len(rows), sum(1 for kind, done in rows if kind == "task" and done is None)


def parse_party(session: Session, word: str) -> str:
    """A state code, a partner code, or `secretariat`: who a task is for."""
    token = word.strip(",;:").upper()
    if token == "SECRETARIAT":
        return SECRETARIAT
    if get_state(session, token) is not None or get_partner(session, token) is not None:
        return token
    raise InvalidInput(
        f"I don't know the party “{word[:40]}”. A task goes to a state code (JAM), a partner "
        "code (CDEMA) or `secretariat`, e.g. task BRB-0007 JAM Patrol the north coast tonight"
    )


def add_entry(
    session: Session,
    principal: Principal,
    public_id: str,
    kind: str,
    body: str,
    now: datetime,
    assignee: str | None = None,
) -> Written:
    """One entry, numbered per report under the report's row lock."""
    require(principal, Action.COORDINATE)
    assert kind in KINDS and principal.party is not None
    submission = get_visible(session, scope_for(principal), public_id)
    text = one_line(body.strip(), MAX_CHARS + 1)
    if not text:
        raise InvalidInput(f"Say what to add, e.g. {kind} {submission.public_id} " + _EXAMPLE[kind])
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"An entry is at most {MAX_CHARS} characters; this one has {len(text)}.")
    if (
        assignee is not None
        and assignee != principal.party
        and principal.party != (submission.owner_state)
    ):
        # Only the owner knows whom it shared with; a grantee's refusal must not depend on it.
        raise InvalidInput(
            f"Only {submission.owner_state} can assign tasks on {submission.public_id} to "
            f"another party; you can take one yourself: task {submission.public_id} "
            f"{principal.party} ..."
        )
    if assignee is not None and not entitled(assignee, facts(session, submission)):
        raise InvalidInput(
            f"{_name(assignee)} cannot see {submission.public_id}, so it cannot take a task on "
            "it. Its owner can share it first."
        )
    session.execute(select(Submission.id).where(Submission.id == submission.id).with_for_update())
    number = (
        session.scalar(
            select(func.max(ResponseEntry.number)).where(
                ResponseEntry.submission_id == submission.id
            )
        )
        or 0
    ) + 1
    entry = ResponseEntry(
        submission_id=submission.id,
        number=number,
        kind=kind,
        party=principal.party,
        author_id=principal.member_id,
        assignee=assignee,
        body=text,
        at=now,
    )
    session.add(entry)
    session.flush()
    audit.record(session, principal, f"response_{kind}", submission, number=number)
    tell: list[Member] = []
    if kind == "task" and assignee is not None:
        tell = focal_points(session, assignee)
    elif kind == "need":
        parties = _parties_who_see(session, submission) - {principal.party}
        tell = [m for p in sorted(parties) for m in focal_points(session, p)]
    tell = [m for m in tell if m.id != principal.member_id]
    return Written(submission, entry, notices.queue(session, submission, entry, tell))


def mark_done(session: Session, principal: Principal, ref: str, now: datetime) -> Written:
    """`done BRB-0007/2`: the task's party or the report's owner closes a task."""
    require(principal, Action.COORDINATE)
    found = TASK_REF.match(ref)
    split = split_id(found.group(1)) if found else None
    if found is None or split is None or split[1]:
        raise InvalidInput("Say which task, e.g. done BRB-0007/2 (`respond ID` lists them).")
    submission = get_visible(session, scope_for(principal), split[0])
    entry = session.scalar(
        select(ResponseEntry).where(
            ResponseEntry.submission_id == submission.id,
            ResponseEntry.number == int(found.group(2)),
            ResponseEntry.kind == "task",
        )
    )
    if entry is None:
        raise InvalidInput(
            f"{submission.public_id} has no task {found.group(2)}. `respond "
            f"{submission.public_id}` lists its tasks."
        )
    if principal.party not in (entry.assignee, submission.owner_state):
        raise NotPermitted(
            f"Only {_name(entry.assignee or '')} or {submission.owner_state} can close this task."
        )
    if entry.done_at is not None:
        raise InvalidInput(f"Task {submission.public_id}/{entry.number} is already done.")
    entry.done_at = now
    entry.done_by = principal.member_id
    audit.record(session, principal, "response_done", submission, number=entry.number)
    return Written(submission, entry, [])


def focal_points(session: Session, party: str) -> list[Member]:
    """Who speaks for a party: focal points and admins of a state or partner, the secretariat's
    officers."""
    query = select(Member).where(Member.revoked_at.is_(None)).order_by(Member.id)
    if party == SECRETARIAT:
        query = query.where(Member.role == Role.SECRETARIAT.value)
    else:
        query = query.where(Member.state_code == party, Member.role.in_(sorted(FOCAL_ROLES)))
    return list(session.scalars(query))


def _parties_who_see(session: Session, submission: Submission) -> set[str]:
    """Every party entitled to the report: its owner and grantees (`all` opens it to every
    state and the secretariat, never to a partner)."""
    known = facts(session, submission)
    candidates = set(session.scalars(select(State.code).where(State.retired_at.is_(None))))
    return {p for p in candidates | {SECRETARIAT} if entitled(p, known)}


def _name(party: str) -> str:
    return "the secretariat" if party == SECRETARIAT else party


_EXAMPLE = {
    "log": "Vessel sighted 2 nm off North Point at 14:10",
    "need": "A boat with a medical team",
    "offer": "One rescue boat from Bridgetown, ready in 2 hours",
    "task": "JAM Patrol the north coast tonight",
}
