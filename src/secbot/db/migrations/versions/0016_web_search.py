"""The console's report list without a walk over every visible report: an index on
submissions (created_at, id) for the newest-first page, and an indexed substring search over
an incident's title, description and location (decision 0028).

SQLite: `incident_search`, an FTS5 table with the trigram tokenizer (it answers `LIKE
'%text%'` from its index, case-insensitively), one row per incident (rowid = submission id),
kept in step by triggers on `incidents`, so every write path (filing, edits, erasure) updates
it in the same transaction. PostgreSQL: `incidents.search_body`, the same text as a stored
generated column (the database keeps it in step; the planner need not weigh re-computing the
expression per row), with a GIN trigram index (pg_trgm). The extension lives in `public` so
dropping one schema never drops it for the others. Where the role may not create the
extension the index is skipped (search stays correct, only slower).

Revision ID: 0016_web_search
Revises: 0015_direct_notices
Create Date: 2026-11-30 02:20:00
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0016_web_search"
down_revision = "0015_direct_notices"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

BODY_SQLITE = "lower(NEW.title || char(10) || NEW.description || char(10) || NEW.location)"
BODY_PG = "lower(title || E'\\n' || description || E'\\n' || location)"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE incident_search USING fts5(body, tokenize = 'trigram')",
    "INSERT INTO incident_search (rowid, body) SELECT submission_id, "
    "lower(title || char(10) || description || char(10) || location) FROM incidents",
    "CREATE TRIGGER incident_search_insert AFTER INSERT ON incidents BEGIN "
    f"INSERT INTO incident_search (rowid, body) VALUES (NEW.submission_id, {BODY_SQLITE}); END",
    "CREATE TRIGGER incident_search_update AFTER UPDATE OF title, description, location, "
    "submission_id ON incidents BEGIN "
    "DELETE FROM incident_search WHERE rowid = OLD.submission_id; "
    f"INSERT INTO incident_search (rowid, body) VALUES (NEW.submission_id, {BODY_SQLITE}); END",
    "CREATE TRIGGER incident_search_delete AFTER DELETE ON incidents BEGIN "
    "DELETE FROM incident_search WHERE rowid = OLD.submission_id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER incident_search_delete",
    "DROP TRIGGER incident_search_update",
    "DROP TRIGGER incident_search_insert",
    "DROP TABLE incident_search",
]


def upgrade() -> None:
    op.create_index("ix_submissions_created", "submissions", ["created_at", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    op.execute(
        f"ALTER TABLE incidents ADD COLUMN search_body text GENERATED ALWAYS AS ({BODY_PG}) STORED"
    )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            bind.exec_driver_sql(
                "CREATE INDEX ix_incidents_search ON incidents "
                "USING gin (search_body public.gin_trgm_ops)"
            )
    except Exception as error:  # a role without the right to create the extension
        log.warning("pg_trgm unavailable (%s): report text search is not indexed", error)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_incidents_search")
        op.execute("ALTER TABLE incidents DROP COLUMN search_body")
    op.drop_index("ix_submissions_created", table_name="submissions")
