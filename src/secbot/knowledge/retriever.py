"""Hybrid retrieval: BM25 and dense vectors, each filtered by the same `where`, fused by
reciprocal rank, with a relevance floor below which nothing counts as found."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from secbot.knowledge.embeddings import Embedder
from secbot.knowledge.lexical_index import LexicalIndex
from secbot.knowledge.vector_index import VectorIndex

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60
MAX_CONTACTS = 3


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    metadata: dict[str, Any]
    score: float
    dense: float | None
    lexical: float | None

    @property
    def kind(self) -> str:
        return str(self.metadata.get("kind", ""))


TOPIC_FLOOR = 0.30
"""Lower floor for `objectives|threats|contacts TOPIC`: the kind is already narrowed by the
verb, so a weaker match within it is still worth listing (measured: off-topic words stay below)."""

FLOOR = 0.38
"""Minimum fused score (cosine + weighted, saturated BM25) for a hit to count as found.
Calibrated with `secbot eval`: every evaluation question clears it; most off-topic ones don't."""

SATURATION = 3.0


def _saturate(bm25: float) -> float:
    """Map an unbounded BM25 score into [0, 1): weak lexical matches barely count."""
    return bm25 / (bm25 + SATURATION) if bm25 > 0 else 0.0


def with_kinds(where: dict[str, Any], kinds: list[str] | None) -> dict[str, Any]:
    if not kinds:
        return where
    return {"$and": [where, {"kind": {"$in": kinds}}]}


class HybridRetriever:
    def __init__(
        self,
        vector: VectorIndex,
        lexical: LexicalIndex,
        embedder: Embedder,
        floor: float = FLOOR,
        depth: int = 30,
        weights: tuple[float, float] = (1.0, 1.0),
        fusion: Literal["rrf", "linear"] = "linear",
        lexical_weight: float = 0.4,
    ) -> None:
        self.vector = vector
        self.lexical = lexical
        self.embedder = embedder
        self.floor = floor
        self.depth = depth
        self.weights = weights
        self.fusion = fusion
        self.lexical_weight = lexical_weight
        """(dense, lexical) weights in the rank fusion."""
        # One question is searched more than once (all kinds, then the kind it names), and a
        # verb's topic again by meaning: embed each text once.
        self._query_vector = lru_cache(maxsize=64)(self._embed)

    def _embed(self, query: str) -> tuple[float, ...]:
        return tuple(self.embedder.embed_query(query))

    def relevant(self, hit: Hit, floor: float | None = None) -> bool:
        minimum = self.floor if floor is None else floor
        if self.fusion == "linear":
            return hit.score >= minimum
        return max(hit.dense or 0.0, 0.0) >= minimum

    def search(
        self,
        query: str,
        where: dict[str, Any],
        *,
        k: int = 5,
        mode: Mode = "hybrid",
        kinds: list[str] | None = None,
        floor: bool = True,
    ) -> list[Hit]:
        where = with_kinds(where, kinds)
        dense_hits: list[tuple[str, float, dict[str, Any], str]] = []
        lexical_hits: list[tuple[str, float]] = []
        qvec = list(self._query_vector(query)) if mode != "bm25" else []
        if mode in ("hybrid", "dense"):
            dense_hits = self.vector.search(qvec, self.depth, where)
        if mode in ("hybrid", "bm25"):
            lexical_hits = self.lexical.search(query, self.depth, where)
        fused: dict[str, float] = {}
        dense_score = {h[0]: h[1] for h in dense_hits}
        lexical_score = dict(lexical_hits)
        for rank, (id_, *_rest) in enumerate(dense_hits):
            fused[id_] = fused.get(id_, 0.0) + self.weights[0] / (RRF_K + rank + 1)
        for rank, (id_, _score) in enumerate(lexical_hits):
            fused[id_] = fused.get(id_, 0.0) + self.weights[1] / (RRF_K + rank + 1)
        texts = {h[0]: (h[3], h[2]) for h in dense_hits}
        if mode == "hybrid":
            missing = [i for i in fused if i not in dense_score]
            dense_score.update(self._cosines(missing, qvec))
            if self.fusion == "linear":
                fused = {
                    i: dense_score.get(i, 0.0)
                    + self.lexical_weight * _saturate(lexical_score.get(i, 0.0))
                    for i in fused
                }
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        per_source: dict[str, int] = {}
        for id_, score in sorted(fused.items(), key=lambda item: -item[1]):
            if id_ in texts:
                text, meta = texts[id_]
            else:
                unit = self.lexical.get(id_)
                if unit is None:
                    continue
                text, meta = unit.text, unit.metadata
            hit = Hit(id_, text, meta, score, dense_score.get(id_), lexical_score.get(id_))
            if (
                floor
                and mode == "hybrid"
                and not self.relevant(hit, TOPIC_FLOOR if kinds else None)
            ):
                continue
            # One hit per citable place (a paragraph may be indexed whole and in parts), and
            # a cap on near-identical directory entries so they cannot crowd out the rest.
            place = (
                (str(meta.get("source")), str(meta.get("locator")))
                if meta.get("kind") == "document"
                else (id_, "")
            )
            if place in seen:
                continue
            if meta.get("kind") == "contact" and per_source.get("contact", 0) >= MAX_CONTACTS:
                continue
            seen.add(place)
            per_source[str(meta.get("kind"))] = per_source.get(str(meta.get("kind")), 0) + 1
            hits.append(hit)
            if len(hits) >= k:
                break
        return hits

    def _cosines(self, ids: list[str], q: list[float]) -> dict[str, float]:
        """Lexical-only hits get their cosine from stored vectors, so the floor can judge them
        on both signals without embedding anything again."""
        if not ids:
            return {}
        return {
            id_: float(sum(a * b for a, b in zip(vector, q, strict=True)))
            for id_, vector in self.vector.embeddings(ids).items()
        }
