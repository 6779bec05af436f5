"""Typed SQLAlchemy models. Each state-owned record hangs off a Submission: one rule governs all.

Submission ids shown to people are per-state (`BRB-0007`): the internal integer key is never shown,
so no state can watch a global sequence grow and infer another state's activity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from secbot.db.types import JSONType, UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


class State(Base):
    """A party that owns submissions: a member state (`kind` state, a 3-letter ISO code) or a
    partner organisation (`kind` its PartnerKind, a code of 4-12 characters; decision 0023)."""

    __tablename__ = "states"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Per-state counter behind public ids; bumped with UPDATE ... RETURNING under a row lock.
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)  # its members' default
    kind: Mapped[str] = mapped_column(String(16), default="state", server_default="state")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """A removed partner: its members and the shares to it are revoked, its rows kept."""
    office: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_channel: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """A partner's office and how to reach it, listed by `contacts` beside the states'."""


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "user_id", name="uq_member_account"),
        CheckConstraint(
            "(role IN ('secretariat', 'secretariat_admin')) = (state_code IS NULL)",
            name="ck_member_party",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    state_code: Mapped[str | None] = mapped_column(ForeignKey("states.code"), nullable=True)
    role: Mapped[str] = mapped_column(String(24))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: the state's


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state_code: Mapped[str | None] = mapped_column(ForeignKey("states.code"), nullable=True)
    role: Mapped[str] = mapped_column(String(24))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)


class Submission(Base):
    __tablename__ = "submissions"
    # The console's newest-first page (migration 0016 also builds the incidents' text index).
    __table_args__ = (Index("ix_submissions_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    owner_state: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tlp: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    shares: Mapped[list[Share]] = relationship(back_populates="submission", lazy="selectin")
    incident: Mapped[Incident | None] = relationship(back_populates="submission", uselist=False)
    threat: Mapped[ThreatEntry | None] = relationship(back_populates="submission", uselist=False)


class Incident(Base):
    __tablename__ = "incidents"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The gazetteer entry `location` names, copied: a report keeps what was understood even if
    # the gazetteer changes later.
    place: Mapped[str] = mapped_column(String(120), default="", server_default="")
    region: Mapped[str] = mapped_column(String(80), default="", server_default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Idempotency key from the transport, so a redelivered report is still one report.
    client_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="incident", lazy="joined")


class ThreatEntry(Base):
    """A regional register entry (no submission) or a state's own entry (a private submission)."""

    __tablename__ = "threat_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id"), unique=True, nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(16))
    lead_area: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)

    submission: Mapped[Submission | None] = relationship(back_populates="threat", lazy="joined")


class Share(Base):
    """A grant from the owner state; `grantee` is a state code, `*all` or `*secretariat`."""

    __tablename__ = "shares"
    __table_args__ = (
        Index(
            "uq_share_active",
            "submission_id",
            "grantee",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    grantee: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="shares")


class Objective(Base):
    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    lead_actors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    linked_threats: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_code: Mapped[str | None] = mapped_column(ForeignKey("states.code"), nullable=True)
    organisation: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)


class Channel(Base):
    """A registered group chat; its audience decides what the bot may say there."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "workspace", "chat_id", name="uq_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    audience_kind: Mapped[str] = mapped_column(String(16))
    audience_states: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Parties seen speaking here though the registration left them out: the room evidently
    # holds them, so they join the audience the group rule must satisfy.
    seen_parties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the platform said the bot can no longer post here (kicked, archived, not found):
    # the channel is deactivated so no delivery retries it forever.
    removed_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Per-chat pacing for the alert dispatcher (Slack 1/s per channel, Telegram 20/min a group).
    next_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Someone who is no member spoke here: the room holds an outsider, so it sees regional
    # knowledge only until an admin registers it again.
    stranger_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Draft(Base):
    """A half-filled form, stored so a restart loses nothing the member typed."""

    __tablename__ = "drafts"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(160))
    actor_party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id"), nullable=True, index=True
    )
    owner_state: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Alert(Base):
    """A secretariat broadcast. Its deliveries are written in the same transaction (the outbox)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(80), unique=True)
    """The CAP identifier: unique across senders, stable across exports."""
    headline: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    audience_kind: Mapped[str] = mapped_column(String(16))
    audience_states: Mapped[list[str]] = mapped_column(JSONType, default=list)
    audience_tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    sender: Mapped[str] = mapped_column(String(160))
    origin: Mapped[str] = mapped_column(String(16))
    request_key: Mapped[str | None] = mapped_column(String(160), unique=True, nullable=True)
    """Idempotency key (a chat form's nonce, a feed's `--key`): a retried send is one alert."""

    deliveries: Mapped[list[AlertDelivery]] = relationship(
        back_populates="alert", order_by="AlertDelivery.id"
    )


class AlertDelivery(Base):
    """One alert to one channel: pending -> sending (claimed, leased) -> sent | failed."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel_id", name="uq_delivery_channel"),
        UniqueConstraint("brief_issue_id", name="uq_delivery_brief_issue"),
        Index("ix_delivery_due", "platform", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    brief_issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("brief_issues.id", name="fk_delivery_brief_issue"), nullable=True
    )
    """Set instead of alert_id when the delivery carries a scheduled brief (db/briefs.py)."""
    platform: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str] = mapped_column(String(80), default="")
    platform_message_id: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    alert: Mapped[Alert | None] = relationship(back_populates="deliveries")
    channel: Mapped[Channel] = relationship(lazy="joined")


class AlertAck(Base):
    __tablename__ = "alert_acks"
    __table_args__ = (UniqueConstraint("alert_id", "member_id", name="uq_ack_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    party: Mapped[str] = mapped_column(String(16))
    """The member's state code, or `*secretariat`."""
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SendWindow(Base):
    """A platform's recent sends, shared by every dispatcher process so the limit is global.

    `entries` holds `[delivery_id, claimed_at, done_at | null]` in epoch seconds; a row lock
    (PostgreSQL) or the write lock (SQLite) serialises the claims that read and extend it.
    """

    __tablename__ = "send_windows"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    entries: Mapped[list[list[float | None]]] = mapped_column(JSONType, default=list)


# Operational records (deliveries, notices, the change log) live in db/inbound.py; imported
# here so that this module stays the one registry of every table.
from secbot.db.briefs import BriefFile, BriefIssue, BriefSubscription  # noqa: E402
from secbot.db.documents import DocumentChunk, SourceDocument  # noqa: E402
from secbot.db.erasures import Erasure, RetentionOverride  # noqa: E402
from secbot.db.inbound import InboxEntry, IndexChange, Notice, ProcessedInbound  # noqa: E402
from secbot.db.places import Place  # noqa: E402
from secbot.db.report_extras import (  # noqa: E402
    DirectNotice,
    ReportLink,
    ReportUpdate,
    ResponseEntry,
)
from secbot.db.web import WebLink, WebSession  # noqa: E402

__all__ = [
    "BriefFile",
    "BriefIssue",
    "BriefSubscription",
    "DirectNotice",
    "DocumentChunk",
    "Erasure",
    "InboxEntry",
    "IndexChange",
    "Notice",
    "Place",
    "ProcessedInbound",
    "ReportLink",
    "ReportUpdate",
    "ResponseEntry",
    "RetentionOverride",
    "SourceDocument",
    "WebLink",
    "WebSession",
]
