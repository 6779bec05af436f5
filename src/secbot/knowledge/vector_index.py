"""The dense side of retrieval: a Chroma collection (cosine space).

Embedded `PersistentClient` under the data dir by default, a Chroma server when a URL is given.
Vectors are always computed by our own embedder (chromadb's default embedding function would try
to download a model). Telemetry is off.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from secbot.knowledge.dense_matrix import DenseMatrix
from secbot.knowledge.embeddings import Embedder
from secbot.knowledge.units import Unit

log = logging.getLogger(__name__)

COLLECTION = "secbot_knowledge"
BATCH = 256
PAGE = 5000


def make_client(data_dir: Path, chroma_url: str | None) -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=settings,
        )
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorIndex:
    """The Chroma collection, driven directly: the same collection langchain-chroma made
    (no embedding function, cosine space), without importing LangChain on the start-up path
    (over a second; docs/decisions/0013). Questions are answered from `dense`, the same
    vectors held in process and kept in step by every write below (docs/decisions/0029)."""

    def __init__(self, client: Any, embedder: Embedder, name: str = COLLECTION) -> None:
        self.client = client
        self.embedder = embedder
        self.name = name
        self.collection: Any = self._open()
        self.dense = DenseMatrix(self._pages)

    def warm(self) -> None:
        """Load the in-process matrix now (at start), not on the first question."""
        if not self.dense.loaded:
            started = time.perf_counter()
            self.dense.load()
            log.info(
                "dense matrix: %d vectors read from the store in %.2f s",
                len(self.dense),
                time.perf_counter() - started,
            )

    def _pages(self) -> Iterator[tuple[list[str], Any]]:
        offset = 0
        while True:
            got = self.collection.get(include=["embeddings"], limit=PAGE, offset=offset)
            if len(got["ids"]):
                yield list(got["ids"]), got["embeddings"]
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def _stored(self, ids: Sequence[str]) -> tuple[list[str], Any]:
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return list(got["ids"]), got["embeddings"]

    def _open(self) -> Any:
        return self.client.get_or_create_collection(
            name=self.name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def upsert(
        self, units: Sequence[Unit], vectors: Sequence[Sequence[float]] | None = None
    ) -> None:
        """Embeds in batches; `vectors` may be given when the caller already has them."""
        for start in range(0, len(units), BATCH):
            part = units[start : start + BATCH]
            texts = [u.text for u in part]
            embeddings = (
                [list(v) for v in vectors[start : start + BATCH]]
                if vectors is not None
                else self.embedder.embed_documents(texts)
            )
            self.collection.upsert(
                ids=[u.id for u in part],
                documents=texts,
                embeddings=embeddings,
                metadatas=[{**u.metadata, "fp": u.fingerprint} for u in part],
            )
            self.dense.put([u.id for u in part], embeddings)

    def update_metadata(self, units: Sequence[Unit]) -> None:
        """Sharing changes who may read a unit, not its words: no re-embedding needed. (The
        matrix re-reads their vectors: a replica sharing the store may have written them.)"""
        if units:
            self.collection.update(
                ids=[u.id for u in units],
                metadatas=[{**u.metadata, "fp": u.fingerprint} for u in units],
            )
            self.dense.refresh([u.id for u in units], self._stored)

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.collection.delete(ids=list(ids))
            self.dense.remove(ids)

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """id -> (fingerprint, text) for every unit in the collection."""
        found: dict[str, tuple[str, str]] = {}
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas", "documents"], limit=5000, offset=offset)
            for id_, meta, doc in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
                found[id_] = (str((meta or {}).get("fp", "")), doc or "")
            if len(got["ids"]) < 5000:
                return found
            offset += 5000

    def embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {
            id_: [float(x) for x in vector]
            for id_, vector in zip(got["ids"], got["embeddings"], strict=True)
        }

    def count(self) -> int:
        return int(self.collection.count())

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any]
    ) -> list[tuple[str, float, dict[str, Any], str]]:
        """(id, cosine similarity, metadata, text), best first, only among units `where` allows:
        Chroma's own filtered query (answers use `dense`; this stays for tools and checks)."""
        if self.count() == 0:
            return []
        got = self.collection.query(
            query_embeddings=[list(vector)],
            n_results=k,
            where=where,
            include=["metadatas", "documents", "distances"],
        )
        return [
            (str(id_), 1.0 - float(distance), dict(meta or {}), doc or "")
            for id_, meta, doc, distance in zip(
                got["ids"][0],
                got["metadatas"][0],
                got["documents"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    def reset(self) -> None:
        self.client.delete_collection(self.name)
        self.collection = self._open()
        self.dense.clear()
