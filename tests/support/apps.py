"""A whole app (database, knowledge, index, engine) on a test database, with the hashing
embedder: the real Chroma and BM25 indexes without loading a model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secbot.config import Settings
from secbot.db.session import Database
from secbot.entrypoints.bootstrap import App, build
from secbot.knowledge.embeddings import HashingEmbedder
from tests.support.paths import KNOWLEDGE


def indexed_app(db: Database, tmp_path: Path, **settings: Any) -> App:
    config = Settings(
        data_dir=tmp_path / "var",
        database_url=db.engine.url.render_as_string(hide_password=False),
        knowledge_dir=KNOWLEDGE,
        **settings,
    )
    return build(config, embedder=HashingEmbedder())
