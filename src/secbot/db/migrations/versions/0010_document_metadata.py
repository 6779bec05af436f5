"""Document metadata read from an official document's title block (symbol, number, year, date,
type, body, series), and per chunk its part, paragraph number and context header.

Revision ID: 0010_document_metadata
Revises: 0008_member_timezone (the integrator chains it after 0009)
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_document_metadata"
down_revision = "0008_member_timezone"
branch_labels = None
depends_on = None

DOCUMENT_COLUMNS = (
    ("doc_symbol", sa.String(120), ""),
    ("doc_number", sa.String(40), ""),
    ("doc_date", sa.String(10), ""),
    ("doc_type", sa.String(32), "other"),
    ("doc_body", sa.String(120), ""),
    ("doc_series", sa.String(255), ""),
)


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for name, type_, default in DOCUMENT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch_op.add_column(sa.Column("doc_year", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("document_chunks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("para", sa.String(40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("header", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), as in 0008: no batch copy of a table others point at.
    op.drop_column("document_chunks", "header")
    op.drop_column("document_chunks", "para")
    op.drop_column("documents", "doc_year")
    for name, _type, _default in reversed(DOCUMENT_COLUMNS):
        op.drop_column("documents", name)
