"""Builds the application from Settings: database (migrated), knowledge loaded, index repaired,
engine ready. Admin commands build without the index, so they start in a second."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from secbot.config import Settings
from secbot.db.migrate import upgrade
from secbot.db.session import Database
from secbot.engine.engine import Engine
from secbot.knowledge.ask import LLM, Asker
from secbot.knowledge.embeddings import Embedder
from secbot.knowledge.following import IndexFollower
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


class ConfigurationError(Exception):
    """The deployment is set up wrong: one line that names the setting and what to do."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = "SECBOT_" + "_".join(str(part) for part in problem["loc"]).upper()
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{name} {message}")
        raise ConfigurationError("; ".join(lines)) from None


def open_database(settings: Settings) -> Database:
    """The data folder and the database, or a ConfigurationError that says which is wrong."""
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"{folder} is not writable")
    except OSError as error:
        reason = "it is a file" if folder.is_file() else error.strerror or str(error)
        raise ConfigurationError(
            f"SECBOT_DATA_DIR={folder} cannot be used as the data folder ({reason}); "
            "point it at a folder secbot may write to"
        ) from None
    url = settings.resolved_database_url
    try:
        db = Database.from_url(url)
        upgrade(db.engine)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise ConfigurationError(
            f"SECBOT_DATABASE_URL is not a database URL secbot understands ({error}); "
            "e.g. postgresql+psycopg://user@host/db"
        ) from None
    except OperationalError as error:
        shown = make_url(url).render_as_string(hide_password=True)
        first = str(error.orig or error).strip().splitlines()[0][:200]
        raise ConfigurationError(f"SECBOT_DATABASE_URL: cannot reach {shown}: {first}") from None
    return db


def build(
    settings: Settings | None = None,
    *,
    load_knowledge: bool = True,
    with_index: bool = True,
    embedder: Embedder | None = None,
) -> App:
    settings = settings or load_settings()
    db = open_database(settings)
    if load_knowledge:
        log.info("knowledge loaded: %s", load(db, settings))
    index = asker = follower = None
    if with_index:
        index, asker, follower = build_index(db, settings, embedder)
    engine = Engine(
        db,
        max_chars=settings.max_text_chars,
        asker=asker,
        follow=follower.follow if follower else None,
    )
    return App(settings, db, engine, index, asker)


def load(db: Database, settings: Settings) -> tuple[SyncReport, IngestReport]:
    with db.transaction() as session:
        registers = sync_knowledge(session, settings.knowledge_dir)
    return registers, sync_folder(db, settings.knowledge_dir)


def build_index(
    db: Database, settings: Settings, embedder: Embedder | None = None
) -> tuple[KnowledgeIndex, Asker, IndexFollower]:
    from secbot.knowledge.embedder_factory import make_embedder
    from secbot.knowledge.lexical_index import LexicalIndex
    from secbot.knowledge.retriever import HybridRetriever
    from secbot.knowledge.vector_index import VectorIndex, make_client

    embedder = embedder or make_embedder(settings)
    vector = VectorIndex(make_client(settings.data_dir, settings.chroma_url), embedder)
    index = KnowledgeIndex(db, vector, LexicalIndex())
    follower = IndexFollower(db, index)
    follower.start_from_now()
    report: RepairReport = index.repair()
    log.info("index repaired: %s", report)
    db.on_commit(index.on_commit)
    embedder.embed_query("warm up")  # load the model now, not on a delegate's first question
    asker = Asker(HybridRetriever(vector, index.lexical, embedder), make_llm(settings))
    return index, asker, follower


def make_llm(settings: Settings) -> LLM | None:
    if not settings.llm:
        return None
    from secbot.knowledge.llm_answer import LLMAnswerer, make_chat_model

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    model = make_chat_model(settings.llm, settings.llm_base_url, key)
    return LLMAnswerer(model, settings.prompts_dir)
