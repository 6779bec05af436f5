"""What keeps the bot's promises about messages: every inbound delivery (the inbox), deliveries
already handled, one-off notices given, and the change log replicas follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base
from secbot.db.types import JSONType, UTCDateTime, utcnow


class ProcessedInbound(Base):
    """Platform delivery ids already handled (Telegram update ids, Slack event ids), kept in
    SQL rather than as a high-water mark, so redeliveries in any order are recognised."""

    __tablename__ = "processed_inbound"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class IndexChange(Base):
    """A submission (or its shares) changed: written in the transaction of the change, so a
    process that did not make it (another replica) brings its own index up to date."""

    __tablename__ = "index_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Notice(Base):
    """A one-off notice already given (e.g. the join explanation to one person in one room on
    one day), so it is not given again; the key says what, to whom, where and when."""

    __tablename__ = "notices"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class InboxEntry(Base):
    """One inbound update or event, stored before the platform is told it was received.

    `key` is the platform's delivery key (Telegram update id, Slack event id, envelope or
    trigger id), unique, so a redelivery or a replayed request is one entry. Entries of one
    lane (a chat) are handled in arrival order; `handled_at` is set in the same transaction as
    the message's effects, and the replies are kept with it until they are sent."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    lane: Mapped[str] = mapped_column(String(200))
    inbound: Mapped[dict[str, Any]] = mapped_column(JSONType)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str] = mapped_column(String(80), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (
        Index("ix_inbox_open", "replied_at", "lane", "id"),
        Index("ix_inbox_received", "received_at"),
    )
