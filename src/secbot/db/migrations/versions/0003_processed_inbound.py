"""Delivery ids already handled, so a redelivered update or event is acknowledged and ignored.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:15:58.061890
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_inbound",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("processed_inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_inbound_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_inbound_at"))

    op.drop_table("processed_inbound")
