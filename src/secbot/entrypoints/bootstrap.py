"""Builds the application from Settings: database (migrated), knowledge loaded, index repaired,
engine ready. Admin commands build without the index, so they start in a second."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from secbot.config import Settings
from secbot.db.migrate import upgrade
from secbot.db.session import Database
from secbot.engine.engine import Engine
from secbot.knowledge.ask import LLM, Asker
from secbot.knowledge.embeddings import Embedder
from secbot.knowledge.index import KnowledgeIndex, RepairReport
from secbot.knowledge.ingest import IngestReport, sync_folder
from secbot.registers.sync import SyncReport, sync_knowledge

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    engine: Engine
    index: KnowledgeIndex | None = None
    asker: Asker | None = None


def build(
    settings: Settings | None = None,
    *,
    load_knowledge: bool = True,
    with_index: bool = True,
    embedder: Embedder | None = None,
) -> App:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    upgrade(db.engine)
    if load_knowledge:
        log.info("knowledge loaded: %s", load(db, settings))
    index = asker = None
    if with_index:
        index, asker = build_index(db, settings, embedder)
    engine = Engine(db, max_chars=settings.max_text_chars, asker=asker)
    return App(settings, db, engine, index, asker)


def load(db: Database, settings: Settings) -> tuple[SyncReport, IngestReport]:
    with db.transaction() as session:
        registers = sync_knowledge(session, settings.knowledge_dir)
    return registers, sync_folder(db, settings.knowledge_dir)


def build_index(
    db: Database, settings: Settings, embedder: Embedder | None = None
) -> tuple[KnowledgeIndex, Asker]:
    from secbot.knowledge.embedder_factory import make_embedder
    from secbot.knowledge.lexical_index import LexicalIndex
    from secbot.knowledge.retriever import HybridRetriever
    from secbot.knowledge.vector_index import VectorIndex, make_client

    embedder = embedder or make_embedder(settings)
    vector = VectorIndex(make_client(settings.data_dir, settings.chroma_url), embedder)
    index = KnowledgeIndex(db, vector, LexicalIndex())
    report: RepairReport = index.repair()
    log.info("index repaired: %s", report)
    db.on_commit(index.on_commit)
    embedder.embed_query("warm up")  # load the model now, not on a delegate's first question
    return index, Asker(HybridRetriever(vector, index.lexical, embedder), make_llm(settings))


def make_llm(settings: Settings) -> LLM | None:
    if not settings.llm:
        return None
    from secbot.knowledge.llm_answer import LLMAnswerer, make_chat_model

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    model = make_chat_model(settings.llm, settings.llm_base_url, key)
    return LLMAnswerer(model, settings.prompts_dir)
