"""Builds the application from Settings: database (migrated), knowledge loaded, engine ready.
The retrieval side (index check, model) is a KnowledgeLoader: loaded here by default, or later
(`background=True`: the caller starts it, or the first question loads it), so that verbs that do
not retrieve answer at once (docs/decisions/0013). Admin commands build without the index."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from secbot.config import Settings
from secbot.db.migrate import upgrade_if_needed
from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.engine.engine import Engine
from secbot.knowledge.ask import LLM, Asker
from secbot.knowledge.embeddings import Embedder, HashingEmbedder
from secbot.knowledge.following import IndexFollower
from secbot.knowledge.index import KnowledgeIndex, RepairReport
from secbot.knowledge.index_state import IndexState
from secbot.knowledge.loading import KnowledgeLoader, LazyAsker, Loaded

if TYPE_CHECKING:
    from secbot.knowledge.ingest import IngestReport
    from secbot.registers.sync import SyncReport
    from secbot.rights.compaction import Compactor

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    engine: Engine
    knowledge: KnowledgeLoader | None = None
    clock: Clock = utcnow
    """What time it is for background work (the brief scheduler); tests move it."""

    @property
    def index(self) -> KnowledgeIndex | None:
        """The retrieval index, waiting for it to load if need be."""
        return self.knowledge.wait().index if self.knowledge is not None else None

    @property
    def asker(self) -> Asker | None:
        return self.knowledge.wait().asker if self.knowledge is not None else None


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
        upgrade_if_needed(db.engine)
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
    background: bool = False,
) -> App:
    settings = settings or load_settings()
    db = open_database(settings)
    configure_misp(settings)
    if load_knowledge:
        log.info("knowledge loaded: %s", load(db, settings))
    knowledge = None
    if with_index:
        if embedder is None:
            check_embeddings(settings)  # the model loads later; a wrong setting fails now
        knowledge = KnowledgeLoader(lambda: build_index(db, settings, embedder))
        db.on_commit(knowledge.on_commit)  # before loading: commits meanwhile are kept
        if not background:
            knowledge.load_now()
    compactor(settings, db, knowledge).attach()
    engine = Engine(
        db,
        max_chars=settings.max_text_chars,
        asker=LazyAsker(knowledge) if knowledge else None,
        follow=knowledge.follow if knowledge else None,
        web_url=settings.web_url,
    )
    return App(settings, db, engine, knowledge)


def configure_misp(settings: Settings) -> None:
    """`push ID misp` sends here; without both settings it says MISP is not configured."""
    from secbot.interchange import misp

    key = settings.misp_key.get_secret_value() if settings.misp_key else ""
    misp.TARGET[0] = (
        misp.MispTarget(
            settings.misp_url,
            key,
            verify_tls=settings.misp_verify_tls,
            timeout=settings.misp_timeout_seconds,
        )
        if settings.misp_url and key
        else None
    )


def compactor(settings: Settings, db: Database, knowledge: KnowledgeLoader | None) -> Compactor:
    """What finishes an erasure after its commit: this process's index, Chroma, the files."""
    from secbot.rights.compaction import Compactor

    index = (lambda: knowledge.wait().index) if knowledge is not None else None
    return Compactor(db, settings.data_dir, chroma_url=settings.chroma_url, index=index)


def check_embeddings(settings: Settings) -> None:
    spec = settings.embeddings.strip()
    if spec in ("local", "hashing") or Path(spec).is_dir():
        return
    if spec.startswith("openai:") and settings.embeddings_base_url:
        return
    raise ConfigurationError(
        f"SECBOT_EMBEDDINGS={spec!r}: use `local`, `hashing`, a sentence-transformers model "
        "folder, or openai:MODEL with SECBOT_EMBEDDINGS_BASE_URL"
    )


def load(db: Database, settings: Settings) -> tuple[SyncReport, IngestReport] | str:
    """knowledge/ into SQL, unless this database holds it already exactly as it is now."""
    from secbot.entrypoints.knowledge_stamp import folder_digest, is_loaded, mark_loaded
    from secbot.knowledge.ingest import sync_folder
    from secbot.registers.sync import sync_knowledge

    digest = folder_digest(settings.knowledge_dir)
    if is_loaded(db, digest):
        return "unchanged"
    with db.transaction() as session:
        registers = sync_knowledge(session, settings.knowledge_dir)
    report = registers, sync_folder(db, settings.knowledge_dir)
    mark_loaded(db, digest)
    return report


def build_index(db: Database, settings: Settings, embedder: Embedder | None = None) -> Loaded:
    """Open the index, check it against its stamp (repairing only when SQL or knowledge/
    changed), and load the model. (Not in two threads: two threads importing numpy for the
    first time can get a half-initialised module.)"""
    from secbot.knowledge.embedder_factory import embedder_identity, make_embedder
    from secbot.knowledge.lexical_index import LexicalIndex
    from secbot.knowledge.retriever import WEAK_SCORE, HybridRetriever
    from secbot.knowledge.vector_index import VectorIndex, make_client

    embedder = embedder or make_embedder(settings)
    vector = VectorIndex(make_client(settings.data_dir, settings.chroma_url), embedder)
    state = IndexState(stamp_path(settings), embedder_identity(embedder, settings))
    index = KnowledgeIndex(db, vector, LexicalIndex(), state)
    follower = IndexFollower(db, index)
    follower.start_from_now()
    report: RepairReport = index.start_up()
    log.info("index %s: %s", report.checked, report)
    embedder.embed_query("warm up")  # the model is in before the first question
    # The coverage check is calibrated on the real model's score scale (decision 0018); the
    # hashing embedder (tests, `SECBOT_EMBEDDINGS=hashing`) scores lower and goes without it.
    weak = 0.0 if isinstance(embedder, HashingEmbedder) else WEAK_SCORE
    asker = Asker(HybridRetriever(vector, index.lexical, embedder, weak=weak), make_llm(settings))
    return Loaded(index, asker, follower, report)


def stamp_path(settings: Settings) -> Path:
    """Beside the embedded index (deleting the index deletes its stamp); per server URL."""
    if not settings.chroma_url:
        return settings.data_dir / "chroma" / "secbot-index-stamp.json"
    key = hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:12]
    return settings.data_dir / f"secbot-index-stamp-{key}.json"


def make_llm(settings: Settings) -> LLM | None:
    if not settings.llm:
        return None
    from secbot.knowledge.llm_answer import LLMAnswerer, make_chat_model

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    model = make_chat_model(settings.llm, settings.llm_base_url, key)
    return LLMAnswerer(model, settings.prompts_dir)
