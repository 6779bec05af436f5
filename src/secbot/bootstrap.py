"""Builds the application from Settings: database (migrated), knowledge loaded, engine ready."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from secbot.config import Settings
from secbot.db.migrate import upgrade
from secbot.db.session import Database
from secbot.engine.engine import Engine
from secbot.services.knowledge_sync import SyncReport, sync_knowledge

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    engine: Engine


def build(settings: Settings | None = None, *, load_knowledge: bool = True) -> App:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    upgrade(db.engine)
    if load_knowledge:
        report = load(db, settings)
        log.info("knowledge loaded: %s", report)
    return App(settings, db, Engine(db, max_chars=settings.max_text_chars))


def load(db: Database, settings: Settings) -> SyncReport:
    with db.transaction() as session:
        return sync_knowledge(session, settings.knowledge_dir)
