"""What hangs off an incident report after filing: its links to threat-register entries and its
timeline of dated updates. Both are part of the report: read only through the report's own
visibility (secbot.reports.links, secbot.reports.updates join visible submissions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base
from secbot.db.types import UTCDateTime, utcnow


class ReportLink(Base):
    """A report tied to a register entry. `threat_code` is the entry's code (RT-07, BRB-T01),
    not a foreign key: regional entries are re-synced from knowledge/ and keep their codes."""

    __tablename__ = "report_links"
    __table_args__ = (UniqueConstraint("submission_id", "threat_code", name="uq_report_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    threat_code: Mapped[str] = mapped_column(String(16), index=True)
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportUpdate(Base):
    """One dated entry of a report's timeline. `client_key` makes a redelivered message one
    update (as Incident.client_key makes it one report)."""

    __tablename__ = "report_updates"
    __table_args__ = (Index("ix_report_updates_submission", "submission_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    author_state: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    client_key: Mapped[str | None] = mapped_column(String(160), unique=True, nullable=True)


class ResponseEntry(Base):
    """One entry of a shared report's co-ordination log: a dated note, a need, an offer or a
    task for a party. It has no visibility of its own: it is read only through its report."""

    __tablename__ = "response_entries"
    __table_args__ = (UniqueConstraint("submission_id", "number", name="uq_response_entry_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    number: Mapped[int] = mapped_column(Integer)
    """Per report (`BRB-0007/2`): no global sequence is ever shown."""
    kind: Mapped[str] = mapped_column(String(8))
    party: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(16), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)


class DirectNotice(Base):
    """A direct message owed to one member (a task for their party, a need posted on a report
    they see). Written in the transaction of the log entry that causes it and sent by the
    inbox worker (or the console's mailbox), so a hard kill loses none: pending -> sent."""

    __tablename__ = "direct_notices"
    # Never reuse an erased notice's id: the console mailbox knows a notice by its id.
    __table_args__ = (
        Index("ix_direct_notices_due", "platform", "sent_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """Set once the platform took it, or when it was given up on (last_error says so)."""
