"""Loading knowledge/ twice changes nothing the second time (ids the index relies on stay put)."""

from __future__ import annotations

from sqlalchemy import select

from secbot.db.models import Contact, Objective, State, ThreatEntry
from secbot.db.session import Database
from secbot.registers.sync import apply_bundle
from tests.support.world import bundle


def snapshot(db: Database) -> tuple[list[int], list[int], list[str], int]:
    with db.transaction() as session:
        return (
            list(session.scalars(select(Contact.id).order_by(Contact.id))),
            list(session.scalars(select(Objective.id).order_by(Objective.id))),
            list(session.scalars(select(ThreatEntry.code).order_by(ThreatEntry.code))),
            len(list(session.scalars(select(State.code)))),
        )


def test_sync_is_idempotent_and_follows_file_changes(db: Database) -> None:
    data = bundle()
    with db.transaction() as session:
        apply_bundle(session, data)
    first = snapshot(db)
    assert len(first[0]) == len(data.contacts) and first[3] == len(data.states)
    with db.transaction() as session:
        apply_bundle(session, data)
    assert snapshot(db) == first
    from dataclasses import replace

    fewer = replace(data, contacts=data.contacts[:-1], threats=data.threats[1:])
    with db.transaction() as session:
        apply_bundle(session, fewer)
    after = snapshot(db)
    assert len(after[0]) == len(data.contacts) - 1
    assert data.threats[0].code not in after[2]
