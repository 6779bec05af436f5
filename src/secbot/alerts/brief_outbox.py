"""Scheduled briefs in the alert outbox: queuing an issue (issue, files and delivery in one
transaction, unique on subscription and period), and what a claim needs to send one.

A brief rides the same `alert_deliveries` rows as an alert (brief_issue_id instead of
alert_id), so it gets the same claims, leases, send window, per-chat pacing, retries and
restart behaviour; only the words and the files differ (docs/decisions/0021).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secbot.alerts.pending import pending_delivery
from secbot.db.models import BriefFile, BriefIssue, BriefSubscription, Channel
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
        detail=dict(detail or {}),
    )
    try:
        with session.begin_nested():
            session.add(issue)
            session.flush()
    except IntegrityError:
        return None
    session.add_all(
        BriefFile(
            issue_id=issue.id,
            position=n,
            filename=f.filename,
            mime=f.mime,
            caption=f.caption,
            data=f.data,
        )
        for n, f in enumerate(files)
    )
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
