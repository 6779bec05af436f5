"""Ranking a small set of texts the caller has already read through its Scope by meaning, against
one query: the register entries offered at filing. Searching the whole index for them instead
evaluated the `where` over every indexed report and cost seconds at 10,000 reports."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from secbot.knowledge.embeddings import Embedder

FLOOR = 0.30
"""Minimum cosine for a candidate to count as related (the retriever's topic floor)."""
CACHE_LIMIT = 4096


class Nearest:
    """Candidate texts are embedded once and kept: the register changes rarely, filings are many."""

    def __init__(self, embedder: Embedder, floor: float = FLOOR) -> None:
        self.embedder = embedder
        self.floor = floor
        self._vectors: dict[str, np.ndarray] = {}

    def _unit(self, vector: list[float]) -> np.ndarray:
        array = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(array))
        return array / norm if norm else array

    def _vector(self, texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > CACHE_LIMIT:
                self._vectors.clear()
            for text, vector in zip(missing, self.embedder.embed_documents(missing), strict=True):
                self._vectors[text] = self._unit(vector)
        return [self._vectors[t] for t in texts]

    def __call__(self, query: str, candidates: Mapping[str, str], k: int) -> list[str]:
        if not query.strip() or not candidates or k <= 0:
            return []
        keys = list(candidates)
        matrix = np.stack(self._vector([candidates[key] for key in keys]))
        scores = matrix @ self._unit(self.embedder.embed_query(query))
        order = np.argsort(-scores, kind="stable")
        return [keys[i] for i in order[:k] if float(scores[i]) >= self.floor]
