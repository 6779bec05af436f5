"""Direct notices: a direct message owed to one member about a shared report's co-ordination
log (a task for their party, a need posted), written with the log entry and sent later.

Revision ID: 0015_direct_notices
Revises: 0014_erasure
Create Date: 2026-11-30 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_direct_notices"
down_revision = "0014_erasure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "direct_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False, server_default=""),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(300), nullable=False, server_default=""),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sqlite_autoincrement=True,  # an erased notice's id is never given again
    )
    op.create_index("ix_direct_notices_due", "direct_notices", ["platform", "sent_at"])
    op.create_index(
        "ix_direct_notices_submission_id", "direct_notices", ["submission_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_direct_notices_submission_id", table_name="direct_notices")
    op.drop_index("ix_direct_notices_due", table_name="direct_notices")
    op.drop_table("direct_notices")
