"""Scheduled briefs: a room's subscription (cadence, time zone), each issue due to it (unique
on subscription and period start, with the rendered files), and outbox deliveries that carry a
brief instead of an alert (alert_id becomes nullable, brief_issue_id is added).

Revision ID: 0011_brief_subscriptions
Revises: 0009_report_links_updates
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_brief_subscriptions"
down_revision = "0010_document_metadata"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "brief_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("channel_id", name="uq_brief_subscription_channel"),
    )
    op.create_table(
        "brief_issues",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("brief_subscriptions.id"),
            nullable=False,
        ),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parties", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.UniqueConstraint("subscription_id", "period_start", name="uq_brief_issue"),
    )
    op.create_index("ix_brief_issues_subscription_id", "brief_issues", ["subscription_id"])
    op.create_table(
        "brief_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("issue_id", sa.Integer(), sa.ForeignKey("brief_issues.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("caption", sa.String(1000), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_brief_files_issue_id", "brief_files", ["issue_id"])
    # Nothing points at alert_deliveries, so SQLite's batch copy of it is safe.
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("brief_issue_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_delivery_brief_issue", "brief_issues", ["brief_issue_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_delivery_brief_issue", ["brief_issue_id"])


def downgrade() -> None:
    op.execute("DELETE FROM alert_deliveries WHERE alert_id IS NULL")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery_brief_issue", type_="unique")
        batch_op.drop_constraint("fk_delivery_brief_issue", type_="foreignkey")
        batch_op.drop_column("brief_issue_id")
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_brief_files_issue_id", table_name="brief_files")
    op.drop_table("brief_files")
    op.drop_index("ix_brief_issues_subscription_id", table_name="brief_issues")
    op.drop_table("brief_issues")
    op.drop_table("brief_subscriptions")
