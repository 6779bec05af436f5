"""Apply Alembic migrations programmatically, so start-up and tests share one path.

Start-up asks `upgrade_if_needed`: when the database is already at the newest revision (read
from the migration files, no Alembic import) it costs one query instead of Alembic's ~0.2 s."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision[^=\n]*=\s*(.+)$", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def head_revisions() -> set[str]:
    """Revisions no other migration builds on; empty when a file cannot be read plainly."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None or down is None:
            return set()
        revisions.add(found.group(1))
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return revisions - parents


def current_revisions(engine: Engine) -> set[str]:
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return {str(row[0]) for row in rows}
    except SQLAlchemyError:
        return set()  # a new database: no version table yet


def upgrade_if_needed(engine: Engine) -> bool:
    """Upgrade unless already at head; True when Alembic ran."""
    heads = head_revisions()
    if heads and current_revisions(engine) == heads:
        return False
    upgrade(engine)
    return True
