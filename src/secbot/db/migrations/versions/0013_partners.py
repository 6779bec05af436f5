"""Partner organisations and co-ordination logs: a party's `kind` (state, or the partner's
kind) and `retired_at` on `states`; party codes widen to 12 characters (PostgreSQL enforces
VARCHAR lengths; SQLite does not, so it needs no copy of tables other rows point at); and
`response_entries`, the co-ordination log of a shared report.

Revision ID: 0013_partners
Revises: 0011_brief_subscriptions
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_partners"
down_revision = "0012_web_console"
branch_labels = None
depends_on = None

PARTY_COLUMNS = (
    ("states", "code", False),
    ("members", "state_code", True),
    ("invites", "state_code", True),
    ("submissions", "owner_state", False),
    ("contacts", "state_code", True),
    ("places", "state_code", False),
    ("audit_events", "owner_state", True),
    ("report_updates", "author_state", False),
)


def _widen(length: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, nullable in PARTY_COLUMNS:
        op.alter_column(
            table,
            column,
            type_=sa.String(length),
            existing_type=sa.String(3 if length > 3 else 12),
            existing_nullable=nullable,
        )


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN: a batch copy of `states` would drop a table that other
    # rows point at.
    op.add_column(
        "states", sa.Column("kind", sa.String(16), nullable=False, server_default="state")
    )
    op.add_column("states", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    for column in ("office", "contact_channel"):
        op.add_column(
            "states", sa.Column(column, sa.String(200), nullable=False, server_default="")
        )
    _widen(12)
    op.create_table(
        "response_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("assignee", sa.String(16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.UniqueConstraint("submission_id", "number", name="uq_response_entry_number"),
    )


def downgrade() -> None:
    op.drop_table("response_entries")
    bind = op.get_bind()
    partners = bind.execute(sa.text("SELECT count(*) FROM states WHERE kind <> 'state'")).scalar()
    if partners:
        raise RuntimeError(
            "Partner organisations exist; remove their rows before downgrading below 0013."
        )
    _widen(3)
    op.drop_column("states", "contact_channel")
    op.drop_column("states", "office")
    op.drop_column("states", "retired_at")
    op.drop_column("states", "kind")
