"""Time zones and places: a member's own time zone and a state's default one; the gazetteer
(places per state, from knowledge/places/); and where an incident happened as understood
(gazetteer name, region and coordinates beside the location text).

Revision ID: 0008_member_timezone
Revises: 0007
Create Date: 2026-11-29 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_member_timezone"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(64), nullable=True))
    with op.batch_alter_table("states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(64), nullable=True))
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("region", sa.String(80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("state_code", sa.String(3), sa.ForeignKey("states.code"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("also", JSON, nullable=False),
        sa.UniqueConstraint("state_code", "name", name="uq_place_name"),
    )
    op.create_index("ix_places_state_code", "places", ["state_code"])


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of `states` or `members`
    # would drop a table that other rows still point at.
    op.drop_index("ix_places_state_code", table_name="places")
    op.drop_table("places")
    for column in ("longitude", "latitude", "region", "place"):
        op.drop_column("incidents", column)
    op.drop_column("states", "timezone")
    op.drop_column("members", "timezone")
