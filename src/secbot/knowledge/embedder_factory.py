"""Choosing the embedder from SECBOT_EMBEDDINGS: offline by default, never from a model hub."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx

from secbot.config import Settings
from secbot.knowledge.embeddings import Embedder, HashingEmbedder, LocalEmbedder


class OpenAIEmbedder:
    """An OpenAI-compatible /v1/embeddings endpoint (for deployments that run one)."""

    def __init__(self, model: str, base_url: str, api_key: str | None, dimension: int = 0) -> None:
        self.model = model
        self.client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
            timeout=30.0,
        )
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        if not self._dimension:
            self._dimension = len(self.embed_query("dimension probe"))
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        response = self.client.post("embeddings", json={"model": self.model, "input": list(texts)})
        response.raise_for_status()
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        return [[float(x) for x in item["embedding"]] for item in data]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def embedder_identity(embedder: Embedder, settings: Settings) -> str:
    """What the stored vectors were made with: another identity means re-embedding them all.
    Read without loading the model."""
    if isinstance(embedder, LocalEmbedder):
        return f"local:{embedder.model_path}:{embedder.dimension}"
    if isinstance(embedder, OpenAIEmbedder):
        return f"openai:{embedder.model}:{settings.embeddings_base_url}"
    return f"{type(embedder).__name__}:{embedder.dimension}"


def make_embedder(settings: Settings) -> Embedder:
    spec = settings.embeddings.strip()
    if spec == "hashing":  # no model at all: for tests and quick demos, not for meaning
        return HashingEmbedder()
    if spec == "local":
        return LocalEmbedder(
            threads=settings.embeddings_threads, bulk_threads=settings.embeddings_bulk_threads
        )
    if spec.startswith("openai:"):
        if not settings.embeddings_base_url:
            raise ValueError("SECBOT_EMBEDDINGS=openai:MODEL needs SECBOT_EMBEDDINGS_BASE_URL")
        key = (
            settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
        )
        return OpenAIEmbedder(spec.split(":", 1)[1], settings.embeddings_base_url, key)
    if Path(spec).is_dir():
        return LocalEmbedder(
            spec,
            threads=settings.embeddings_threads,
            bulk_threads=settings.embeddings_bulk_threads,
        )
    raise ValueError(
        f"SECBOT_EMBEDDINGS={spec!r}: use `local`, a sentence-transformers model folder, "
        "or openai:MODEL"
    )
