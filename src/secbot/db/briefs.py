"""Scheduled briefs: a room's subscription, and each issue due to it (rendered once, stored with
its files, and delivered through the alert outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base
from secbot.db.types import JSONType, UTCDateTime, utcnow


class BriefSubscription(Base):
    """One room's standing order for a brief: weekly or monthly, in the room's time zone.
    Unsubscribing ends it (`ended_at`) rather than deleting it: its issues keep pointing at it."""

    __tablename__ = "brief_subscriptions"
    __table_args__ = (UniqueConstraint("channel_id", name="uq_brief_subscription_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    cadence: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    """Issues due before this are not sent (no back issues on subscribing)."""
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BriefIssue(Base):
    """One brief due to one subscription for one period. Unique on (subscription, period
    start) and written in the transaction that queues its delivery: a second scheduler tick,
    another process or a restart can never queue the same issue twice."""

    __tablename__ = "brief_issues"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start", name="uq_brief_issue"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("brief_subscriptions.id"), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    parties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    """The room's parties the brief was computed for; a room that has since gained a party is
    not sent it (the claim re-checks, as it does an alert's audience)."""
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class BriefFile(Base):
    """A file an issue carries (chart, PDF), stored as rendered: a resend after a crash sends
    exactly the bytes the first attempt did."""

    __tablename__ = "brief_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("brief_issues.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    caption: Mapped[str] = mapped_column(String(1000), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
