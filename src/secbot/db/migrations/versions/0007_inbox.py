"""The durable inbox: every inbound update or event, stored before the platform is told it was
received, handled once in arrival order per chat, its replies kept until sent. Also: rooms
remember an outsider was seen, one-off notices are remembered, and a change log of touched
submissions lets every replica keep its own index current.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("lane", sa.String(200), nullable=False),
        sa.Column("inbound", JSON, nullable=False),
        sa.Column("context", JSON, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("handled_at", WHEN, nullable=True),
        sa.Column("replied_at", WHEN, nullable=True),
        sa.Column("replies", JSON, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("worker", sa.String(80), nullable=False, server_default=""),
        sa.Column("last_error", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_inbox_open", "inbox", ["replied_at", "lane", "id"])
    op.create_index("ix_inbox_received", "inbox", ["received_at"])
    op.create_table(
        "index_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_index_changes_at", "index_changes", ["at"])
    op.create_table(
        "notices",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_notices_at", "notices", ["at"])
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stranger_seen_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("stranger_seen_at")
    op.drop_table("notices")
    op.drop_table("index_changes")
    op.drop_table("inbox")
