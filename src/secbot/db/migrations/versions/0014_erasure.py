"""Erasure: tombstones of erased submissions, states' own retention periods, and an audit
guard that lets an erasure unlink an audit line from the erased row (submission_id -> NULL)
while every other change to the audit log is still refused.

Revision ID: 0014_erasure
Revises: 0011_brief_subscriptions
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_erasure"
down_revision = "0013_partners"
branch_labels = None
depends_on = None

_SAME = " AND ".join(
    f"NEW.{c} IS OLD.{c}"
    for c in ("id", "at", "actor_member_id", "actor", "actor_party", "action", "owner_state")
)
_UNLINK_SQLITE = f"NEW.submission_id IS NULL AND {_SAME} AND NEW.detail IS OLD.detail"
_UNLINK_PG = (
    "NEW.submission_id IS NULL AND "
    + " AND ".join(
        f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}"
        for c in ("id", "at", "actor_member_id", "actor", "actor_party", "action", "owner_state")
    )
    + " AND NEW.detail::text IS NOT DISTINCT FROM OLD.detail::text"
)

_GUARDS = {
    "sqlite": [
        "DROP TRIGGER audit_no_update",
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events "
        f"WHEN NOT ({_UNLINK_SQLITE}) "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_append_only_but_unlink() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'UPDATE' AND "
        f"{_UNLINK_PG} THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "DROP TRIGGER audit_no_change ON audit_events",
        "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only_but_unlink()",
    ],
}
_GUARDS_BACK = {
    "sqlite": [
        "DROP TRIGGER audit_no_update",
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "DROP TRIGGER audit_no_change ON audit_events",
        "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        "DROP FUNCTION audit_append_only_but_unlink()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(16), nullable=False),
        sa.Column("owner_state", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("actor_party", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("compacted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_erasures_pending", "erasures", ["compacted_at"])
    op.create_index("ix_erasures_submission_id", "erasures", ["submission_id"])
    op.create_index("ix_erasures_public_id", "erasures", ["public_id"])
    op.create_index("ix_erasures_owner_state", "erasures", ["owner_state"])
    op.create_table(
        "retention_overrides",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("state_code", sa.String(12), sa.ForeignKey("states.code"), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(160), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("state_code", "tlp", name="uq_retention_state_tlp"),
    )
    # Deleting a submission checks the audit log's foreign key: without an index each check
    # reads the whole log (erasing a state's 10,000 reports was quadratic).
    op.create_index("ix_audit_events_submission_id", "audit_events", ["submission_id"])
    _run(_GUARDS)


def downgrade() -> None:
    _run(_GUARDS_BACK)
    op.drop_index("ix_audit_events_submission_id", table_name="audit_events")
    op.drop_table("retention_overrides")
    op.drop_index("ix_erasures_owner_state", table_name="erasures")
    op.drop_index("ix_erasures_public_id", table_name="erasures")
    op.drop_index("ix_erasures_submission_id", table_name="erasures")
    op.drop_index("ix_erasures_pending", table_name="erasures")
    op.drop_table("erasures")
