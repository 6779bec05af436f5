"""Scheduled briefs in the alert outbox: queuing an issue (issue, files and delivery in one
transaction, unique on subscription and period), and what a claim needs to send one.

A brief rides the same `alert_deliveries` rows as an alert (brief_issue_id instead of
alert_id), so it gets the same claims, leases, send window, per-chat pacing, retries and
restart behaviour; only the words and the files differ (docs/decisions/0021).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secbot.access.reads import active_grantees_bulk
from secbot.access.scope import SubmissionFacts, permits, room_scope
from secbot.access.sql import submission_filter
from secbot.alerts.pending import pending_delivery
from secbot.db.models import (
    AlertDelivery,
    BriefFile,
    BriefIssue,
    BriefSubscription,
    Channel,
    Submission,
)
from secbot.domain.enums import TLP, DeliveryStatus
from secbot.identity.channels import channel_audience


@dataclass(frozen=True)
class OutboxFile:
    """A file a delivery carries, as stored (the alerts layer knows no engine Reply)."""

    filename: str
    mime: str
    data: bytes
    caption: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def room_parties(session: Session, channel: Channel) -> frozenset[str] | None:
    """The parties the room's group rule must satisfy, or None when it may see no submission
    (an outsider was seen, or the room is no longer registered)."""
    if not channel.active:
        return None
    return channel_audience(session, channel.platform, channel.workspace, channel.chat_id)


def enqueue(
    session: Session,
    subscription: BriefSubscription,
    channel: Channel,
    *,
    period_start: datetime,
    period_end: datetime,
    parties: frozenset[str],
    text: str,
    files: list[OutboxFile],
    now: datetime,
    detail: dict[str, object] | None = None,
    reports: list[int] | None = None,
) -> BriefIssue | None:
    """Record the issue and queue its delivery; None when this period's issue already exists
    (another tick or process got there first: the unique key decides, not a prior read)."""
    issue = BriefIssue(
        subscription_id=subscription.id,
        period_start=period_start,
        period_end=period_end,
        parties=sorted(parties),
        text=text,
        created_at=now,
        detail={**(detail or {}), REPORTS: sorted(reports or [])},
    )
    try:
        with session.begin_nested():
            session.add(issue)
            session.flush()
    except IntegrityError:
        return None
    _store_files(session, issue.id, files)
    session.add(pending_delivery(channel, now, brief_issue_id=issue.id))
    session.flush()
    return issue


def issue_exists(session: Session, subscription_id: int, period_start: datetime) -> bool:
    return (
        session.scalar(
            select(BriefIssue.id).where(
                BriefIssue.subscription_id == subscription_id,
                BriefIssue.period_start == period_start,
            )
        )
        is not None
    )


def files_of(session: Session, issue_id: int) -> tuple[OutboxFile, ...]:
    rows = session.scalars(
        select(BriefFile).where(BriefFile.issue_id == issue_id).order_by(BriefFile.position)
    )
    return tuple(OutboxFile(r.filename, r.mime, bytes(r.data), r.caption) for r in rows)


def still_fits(session: Session, channel: Channel, issue: BriefIssue) -> bool:
    """The room may still be sent what was computed for it: it holds no party the brief was not
    computed for (fewer parties only means the brief shows less than the room could see)."""
    now_parties = room_parties(session, channel)
    return now_parties is not None and now_parties <= frozenset(issue.parties)


REPORTS = "reports"
"""Detail key: internal ids of the submissions the issue counted."""
STALE = "stale"
"""Detail key: set when a counted report is no longer visible to the room; the scheduler
recomputes the issue before it may be sent."""
STALE_WAIT = 60.0
"""Seconds a stale issue's delivery waits for the scheduler to recompute it."""
_CHUNK = 5000


def still_visible(session: Session, issue: BriefIssue) -> bool:
    """Every report the issue counted is still visible under the room's scope as computed (the
    same SQL filter and post-check as the brief's own read): a share revoked or a label raised
    since the brief was computed makes it stale rather than sent."""
    if issue.detail.get(STALE):
        return False
    counted = [int(i) for i in issue.detail.get(REPORTS, [])]
    if not counted:
        return True
    scope = room_scope(frozenset(issue.parties))
    if scope.sees_nothing:
        return False
    seen: set[int] = set()
    for at in range(0, len(counted), _CHUNK):
        part = counted[at : at + _CHUNK]
        rows = list(
            session.execute(
                select(Submission.id, Submission.owner_state, Submission.tlp).where(
                    Submission.id.in_(part), submission_filter(scope)
                )
            )
        )
        grantees = active_grantees_bulk(session, [r.id for r in rows])
        seen.update(
            r.id
            for r in rows
            if permits(
                scope, SubmissionFacts(r.owner_state, TLP(r.tlp), grantees.get(r.id, frozenset()))
            )
        )
    return seen >= set(counted)


def held_back(
    session: Session, issue: BriefIssue, delivery: AlertDelivery, moment: datetime
) -> bool:
    """At claim: a stale issue is never sent. It is marked for the scheduler to recompute and
    its delivery waits (pending, not failed) until then."""
    if still_visible(session, issue):
        return False
    issue.detail = {**issue.detail, STALE: True}
    delivery.next_attempt_at = moment + timedelta(seconds=STALE_WAIT)
    delivery.last_error = "waiting: a counted report is no longer visible; recomputing"
    delivery.updated_at = moment
    return True


def stale_issues(session: Session) -> list[int]:
    """Ids of the issues waiting, unsent, for a recomputation (few: read and filtered here, as
    JSON paths differ between SQLite and PostgreSQL)."""
    rows = session.execute(
        select(BriefIssue.id, BriefIssue.detail)
        .join(AlertDelivery, AlertDelivery.brief_issue_id == BriefIssue.id)
        .where(AlertDelivery.status == DeliveryStatus.PENDING)
    )
    return [issue_id for issue_id, detail in rows if (detail or {}).get(STALE)]


def refresh(
    session: Session,
    issue: BriefIssue,
    *,
    parties: frozenset[str],
    text: str,
    files: list[OutboxFile],
    reports: list[int],
    now: datetime,
) -> None:
    """Replace a stale issue's content by a recomputed one and let its delivery go at once (the
    same issue and delivery: still one per period)."""
    for old in session.scalars(select(BriefFile).where(BriefFile.issue_id == issue.id)):
        session.delete(old)
    session.flush()
    _store_files(session, issue.id, files)
    issue.parties = sorted(parties)
    issue.text = text
    # A recomputed issue is a new message: every part of it is sent, whatever went before.
    detail = {k: v for k, v in issue.detail.items() if k not in (STALE, PARTS, TEXT_ID)}
    issue.detail = {**detail, REPORTS: sorted(reports), "recomputed_at": now.isoformat()}
    for delivery in session.scalars(
        select(AlertDelivery).where(
            AlertDelivery.brief_issue_id == issue.id,
            AlertDelivery.status == DeliveryStatus.PENDING,
        )
    ):
        delivery.next_attempt_at = now
        delivery.updated_at = now
    session.flush()


PARTS = "parts_done"
"""Detail key: parts of the delivery that arrived (0 the text, n the n-th file)."""
TEXT_ID = "text_message_id"


def parts_done(issue: BriefIssue) -> tuple[tuple[int, ...], str]:
    """What an earlier attempt got through, so a retry after a partial failure sends only the
    rest (one delivery per issue, so the issue can keep the record)."""
    return tuple(int(p) for p in issue.detail.get(PARTS, [])), str(issue.detail.get(TEXT_ID, ""))


def note_parts(
    session: Session, delivery: AlertDelivery, parts: tuple[int, ...], text_message_id: str
) -> None:
    """Record the parts a failed attempt got through (a brief's delivery only)."""
    if not parts or delivery.brief_issue_id is None:
        return
    issue = session.get(BriefIssue, delivery.brief_issue_id)
    if issue is None:
        return
    done = sorted({*parts_done(issue)[0], *parts})
    detail = {**issue.detail, PARTS: done}
    if text_message_id:
        detail[TEXT_ID] = text_message_id
    issue.detail = detail


def _store_files(session: Session, issue_id: int, files: list[OutboxFile]) -> None:
    """An issue's files, in the order they are sent."""
    session.add_all(
        BriefFile(
            issue_id=issue_id,
            position=n,
            filename=f.filename,
            mime=f.mime,
            caption=f.caption,
            data=f.data,
        )
        for n, f in enumerate(files)
    )
