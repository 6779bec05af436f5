"""Reports linked to threat-register entries, and each report's timeline of dated updates.

Revision ID: 0009_report_links_updates
Revises: 0008_member_timezone
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_report_links_updates"
down_revision = "0008_member_timezone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("threat_code", sa.String(16), nullable=False),
        sa.Column("linked_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("submission_id", "threat_code", name="uq_report_link"),
    )
    op.create_index("ix_report_links_submission_id", "report_links", ["submission_id"])
    op.create_index("ix_report_links_threat_code", "report_links", ["threat_code"])
    op.create_table(
        "report_updates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("author_state", sa.String(3), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_key", sa.String(160), nullable=True, unique=True),
    )
    op.create_index("ix_report_updates_submission", "report_updates", ["submission_id", "at"])
    # the similar-report check reads a window of event times
    op.create_index("ix_incidents_occurred_at", "incidents", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_occurred_at", table_name="incidents")
    op.drop_index("ix_report_updates_submission", table_name="report_updates")
    op.drop_table("report_updates")
    op.drop_index("ix_report_links_threat_code", table_name="report_links")
    op.drop_index("ix_report_links_submission_id", table_name="report_links")
    op.drop_table("report_links")
