"""The gazetteer in SQL: each state's places from knowledge/places/, replaced on every load.

Kept in SQL like the other regional knowledge so every process (and every replica) reads the
same list without knowing where the knowledge folder is.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secbot.db.models import Base
from secbot.db.types import JSONType


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("state_code", "name", name="uq_place_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state_code: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(24))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    also: Mapped[list[str]] = mapped_column(JSONType, default=list)
    """Other spellings and names people use."""
