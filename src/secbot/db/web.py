"""The web console's sign-in links and sessions. Both keep only a SHA-256 of their secret, so a
copy of the database signs nobody in; both are bound to one member, whose revocation ends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base, Submission
from secbot.db.types import UTCDateTime, utcnow


class WebLink(Base):
    """A one-time sign-in link: used once (`used_at`), within `expires_at`, by `member_id`."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser. Looked up on every request, so sign-out and revocation act at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


SUBMISSIONS_NEWEST_FIRST = Index("ix_submissions_created_at", Submission.created_at, Submission.id)
"""The console's report list pages newest first: with this index a page of 25 out of 10,000
reads about 25 rows instead of sorting all of them (migration 0012)."""
