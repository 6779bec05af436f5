"""Migrations run up and down on both databases, and the audit log refuses to be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from secbot.db.migrate import downgrade, upgrade
from secbot.db.models import AuditEvent, Base, Member, Place, State
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


def test_member_timezone_migration_up_and_down(db: Database) -> None:
    """0008 adds the zones, the gazetteer and an incident's place; down removes them and
    keeps the rows that were there."""
    downgrade(db.engine, "0007")
    columns = {c["name"] for c in inspect(db.engine).get_columns("members")}
    assert "timezone" not in columns and "places" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO states (code, name, last_number, created_at) "
                "VALUES ('BRB', 'B', 0, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO members (platform, workspace, user_id, display_name, state_code, "
                "role, joined_at) VALUES ('console', '', 'a', 'A', 'BRB', 'delegate', "
                "CURRENT_TIMESTAMP)"
            )
        )
    upgrade(db.engine)
    assert {"timezone"} <= {c["name"] for c in inspect(db.engine).get_columns("members")}
    assert {"place", "region", "latitude", "longitude"} <= {
        c["name"] for c in inspect(db.engine).get_columns("incidents")
    }
    with db.transaction() as session:
        member = session.query(Member).one()
        assert member.timezone is None
        member.timezone = "America/Barbados"
        session.get(State, "BRB").timezone = "America/Barbados"  # type: ignore[union-attr]
        session.add(
            Place(
                state_code="BRB",
                name="Oistins",
                region="Christ Church",
                kind="town",
                latitude=13.064,
                longitude=-59.543,
                also=[],
            )
        )
    downgrade(db.engine, "0007")
    assert "timezone" not in {c["name"] for c in inspect(db.engine).get_columns("members")}
    assert "places" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT user_id FROM members")).scalar() == "a"
    upgrade(db.engine)
