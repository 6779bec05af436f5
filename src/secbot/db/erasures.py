"""What survives an erasure (the tombstone) and a state's own, shorter retention periods.

A tombstone proves an erasure without keeping what was erased: who, when, which id, and the
SHA-256 of the erased content. `compacted_at` is set once the derived copies (index, free
database pages, files under the data dir) are gone too; a tombstone without it is finished
by the next compaction, so a process that dies half-way leaves nothing behind for long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base
from secbot.db.types import UTCDateTime, utcnow


class Erasure(Base):
    __tablename__ = "erasures"
    __table_args__ = (Index("ix_erasures_pending", "compacted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submission_id: Mapped[int] = mapped_column(Integer, index=True)
    """The erased row's internal key (no foreign key: the row is gone)."""
    public_id: Mapped[str] = mapped_column(String(16), index=True)
    owner_state: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tlp: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(160))
    actor_party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(String(16))
    """`owner` (erase ID), `state` (admin state erase), `retention` (the daily job)."""
    content_sha256: Mapped[str] = mapped_column(String(64))
    compacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RetentionOverride(Base):
    """A state's own retention period for one TLP label, never longer than the setting's."""

    __tablename__ = "retention_overrides"
    __table_args__ = (UniqueConstraint("state_code", "tlp", name="uq_retention_state_tlp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state_code: Mapped[str] = mapped_column(ForeignKey("states.code"))
    tlp: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(160))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
