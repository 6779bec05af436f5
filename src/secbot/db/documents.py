"""Ingested documents and their chunks: the SQL copy of regional knowledge the index is rebuilt
from (decision 0005), with an official document's title-block metadata (decision 0017)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from secbot.db.models import Base
from secbot.db.types import UTCDateTime, utcnow


class SourceDocument(Base):
    """An ingested document (regional knowledge). Its chunks are kept here so the index can
    always be rebuilt from SQL alone."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default="ingest")
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # From an official document's title block (knowledge/title_block.py); empty/0 otherwise.
    doc_symbol: Mapped[str] = mapped_column(String(120), default="", server_default="")
    doc_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    doc_year: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    doc_date: Mapped[str] = mapped_column(String(10), default="", server_default="")
    doc_type: Mapped[str] = mapped_column(String(32), default="other", server_default="other")
    doc_body: Mapped[str] = mapped_column(String(120), default="", server_default="")
    doc_series: Mapped[str] = mapped_column(String(255), default="", server_default="")

    chunks: Mapped[list[DocumentChunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentChunk.position"
    )


class DocumentChunk(Base):
    __tablename__ = "document_chunks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    section: Mapped[str] = mapped_column(Text, default="")
    locator: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    para: Mapped[str] = mapped_column(String(40), default="", server_default="")
    header: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Context header indexed with the text (never shown): title, symbol, year, part, para."""

    document: Mapped[SourceDocument] = relationship(back_populates="chunks")
