"""The gazetteer in SQL: replaced to match knowledge/places/ exactly, untouched when equal."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from secbot.db.models import Place
from secbot.domain.places import GazetteerPlace


def _row(p: GazetteerPlace) -> Place:
    return Place(
        state_code=p.state,
        name=p.name,
        region=p.region,
        kind=p.kind,
        latitude=p.lat,
        longitude=p.lon,
        also=list(p.also),
    )


def _key(p: Place) -> tuple[object, ...]:
    return (p.state_code, p.name, p.region, p.kind, p.latitude, p.longitude, list(p.also))


def apply_places(session: Session, places: tuple[GazetteerPlace, ...]) -> None:
    rows = [_row(p) for p in places]
    existing = list(session.scalars(select(Place).order_by(Place.id)))
    if [_key(r) for r in existing] == [_key(r) for r in rows]:
        return
    session.execute(delete(Place))
    session.add_all(rows)
    session.flush()


def places_of(session: Session, state: str | None) -> tuple[GazetteerPlace, ...]:
    """One state's gazetteer, in file order; empty for the secretariat or an unknown state."""
    if state is None:
        return ()
    rows = session.scalars(select(Place).where(Place.state_code == state).order_by(Place.id))
    return tuple(
        GazetteerPlace(
            r.state_code, r.name, r.region, r.kind, r.latitude, r.longitude, tuple(r.also)
        )
        for r in rows
    )
