"""Alerts, their per-channel deliveries (the outbox), acknowledgements and send windows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("removed_reason", sa.String(300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("next_send_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identifier", sa.String(80), nullable=False, unique=True),
        sa.Column("headline", sa.String(160), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("certainty", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("audience_kind", sa.String(16), nullable=False),
        sa.Column("audience_states", JSON, nullable=False),
        sa.Column("audience_tags", JSON, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("sender", sa.String(160), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("request_key", sa.String(160), nullable=True, unique=True),
    )
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(80), nullable=False),
        sa.Column("platform_message_id", sa.String(64), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("alert_id", "channel_id", name="uq_delivery_channel"),
    )
    op.create_index("ix_alert_deliveries_alert_id", "alert_deliveries", ["alert_id"])
    op.create_index("ix_alert_deliveries_channel_id", "alert_deliveries", ["channel_id"])
    op.create_index(
        "ix_delivery_due", "alert_deliveries", ["platform", "status", "next_attempt_at"]
    )
    op.create_table(
        "alert_acks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channels.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("alert_id", "member_id", name="uq_ack_member"),
    )
    op.create_index("ix_alert_acks_alert_id", "alert_acks", ["alert_id"])
    op.create_table(
        "send_windows",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("entries", JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_windows")
    op.drop_table("alert_acks")
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("next_send_at")
        batch_op.drop_column("removed_reason")
