"""Migrations run up and down on both databases, and the audit log refuses to be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from secbot.db.migrate import downgrade, upgrade
from secbot.db.models import AuditEvent, Base, Member, State
from secbot.db.session import Database


def test_schema_matches_models_and_downgrades_cleanly(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    downgrade(db.engine, "base")
    assert not {t.name for t in Base.metadata.sorted_tables} & set(
        inspect(db.engine).get_table_names()
    )
    upgrade(db.engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(
        inspect(db.engine).get_table_names()
    )


def test_audit_log_is_append_only(db: Database) -> None:
    with db.transaction() as session:
        session.add(AuditEvent(actor="test", action="probe", detail={}))
    with pytest.raises(DBAPIError), db.transaction() as session:
        session.execute(text("UPDATE audit_events SET action = 'rewritten'"))
    with pytest.raises(DBAPIError), db.transaction() as session:
        session.execute(text("DELETE FROM audit_events"))
    with db.transaction() as session:
        assert session.query(AuditEvent).one().action == "probe"


def test_member_party_constraint(db: Database) -> None:
    with db.transaction() as session:
        session.add(State(code="BRB", name="Barbados"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Member(platform="console", user_id="x", role="delegate", state_code=None))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Member(platform="console", user_id="y", role="secretariat", state_code="BRB"))


def test_sqlite_runs_in_wal_with_foreign_keys(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("WAL and PRAGMA foreign_keys are SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
