"""Direct notices of the co-ordination log: a focal point is told in a direct message when a
task is assigned to their party or a need is posted on a report their party sees.

A notice is a row written in the transaction of the log entry that causes it, so the entry and
its notices are committed together or not at all; the inbox worker (or the console's mailbox)
sends it later and marks it sent, so a hard kill between commit and delivery loses nothing and
a restart sends it once. Whom it goes to is checked through the access layer twice, deny by
default: when it is written, and again when it is claimed (an unshare in between stops it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from secbot.access.principal import SECRETARIAT, Place, Principal, party_for
from secbot.access.reads import facts
from secbot.access.scope import permits, scope_for
from secbot.db.models import DirectNotice, Member, ResponseEntry, Submission
from secbot.domain.enums import Role

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Pending:
    """A claimed notice, as a transport needs it: whose direct chat, and what to say."""

    id: int
    platform: str
    workspace: str
    user_id: str
    text: str


def may_see(session: Session, member: Member, submission: Submission) -> bool:
    """The member's own direct-chat Scope admits the report (the same rule as `incident ID`
    in their DM); a revoked or unknown role sees nothing."""
    if member.revoked_at is not None:
        return False
    try:
        role = Role(member.role)
        principal = Principal(
            party_for(role, member.state_code), role, Place.direct(), member_id=member.id
        )
    except ValueError:
        return False
    return permits(scope_for(principal), facts(session, submission))


def _who(party: str | None) -> str:
    return "the secretariat" if party == SECRETARIAT else party or "?"


def text_of(submission: Submission, entry: ResponseEntry) -> str:
    """What the task or need is, on which report: nothing the log itself does not show."""
    pid = submission.public_id
    if entry.kind == "task":
        return (
            f"📌 Task {pid}/{entry.number} for {_who(entry.assignee)}, from "
            f"{_who(entry.party)}: {entry.body}\nReport {pid} · TLP:{submission.tlp}. "
            f"See the log: respond {pid} · when it is done: done {pid}/{entry.number}"
        )
    return (
        f"🆘 Need posted on {pid} by {_who(entry.party)}: {entry.body}\n"
        f"Report {pid} · TLP:{submission.tlp}. See the log: respond {pid} · "
        f"answer it: offer {pid} TEXT"
    )


def queue(
    session: Session, submission: Submission, entry: ResponseEntry, tell: list[Member]
) -> list[Member]:
    """One notice per member who may see the report, in the caller's transaction; returns
    those written (anyone the rule refuses is skipped, never told)."""
    told = [m for m in tell if may_see(session, m, submission)]
    text = text_of(submission, entry)
    for member in told:
        session.add(
            DirectNotice(
                submission_id=submission.id,
                member_id=member.id,
                platform=member.platform,
                workspace=member.workspace,
                user_id=member.user_id,
                text=text,
                created_at=entry.at,
                attempts=0,
                last_error="",
            )
        )
    return told


def claim(
    session: Session,
    platform: str,
    *,
    now: datetime,
    lease: float,
    limit: int = 20,
    postgres: bool = False,
) -> list[Pending]:
    """Due notices of a platform, leased to the caller; a notice whose member may no longer
    see its report is closed unsent (an unshare or a revocation since it was written)."""
    query = (
        select(DirectNotice)
        .where(
            DirectNotice.platform == platform,
            DirectNotice.sent_at.is_(None),
            DirectNotice.lease_until.is_(None) | (DirectNotice.lease_until < now),
        )
        .order_by(DirectNotice.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True)
    out: list[Pending] = []
    for notice in session.scalars(query):
        member = session.get(Member, notice.member_id)
        submission = session.get(Submission, notice.submission_id)
        if member is None or submission is None or not may_see(session, member, submission):
            notice.sent_at = now
            notice.last_error = "not sent: the member may no longer see the report"
            continue
        notice.lease_until = now + timedelta(seconds=lease)
        out.append(
            Pending(notice.id, notice.platform, notice.workspace, notice.user_id, notice.text)
        )
    return out


def mark_sent(session: Session, notice_id: int, now: datetime) -> None:
    notice = session.get(DirectNotice, notice_id)
    if notice is not None:
        notice.sent_at, notice.lease_until, notice.last_error = now, None, ""


def mark_failed(session: Session, notice_id: int, error: str, now: datetime) -> None:
    """Try again after a backoff; after MAX_ATTEMPTS, give up (recorded in last_error)."""
    notice = session.get(DirectNotice, notice_id)
    if notice is None:
        return
    notice.attempts += 1
    notice.last_error = error[:300]
    if notice.attempts >= MAX_ATTEMPTS:
        notice.sent_at, notice.lease_until = now, None
        notice.last_error = f"gave up: {error}"[:300]
    else:
        notice.lease_until = now + timedelta(seconds=min(60.0, 2.0**notice.attempts))


def release_leases(session: Session) -> None:
    """At start of a single-process deployment (SQLite): nobody else can hold a lease."""
    session.execute(
        update(DirectNotice)
        .where(DirectNotice.sent_at.is_(None), DirectNotice.lease_until.is_not(None))
        .values(lease_until=None)
    )


def pending_count(session: Session, platform: str | None = None) -> int:
    query = select(DirectNotice.id).where(DirectNotice.sent_at.is_(None))
    if platform is not None:
        query = query.where(DirectNotice.platform == platform)
    return len(list(session.scalars(query)))
