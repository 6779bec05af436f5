"""The dense side of retrieval, searched in process: every unit's normalised vector in one
float32 matrix, scored with one matrix-vector product under the lexical index's visibility mask.

Chroma stays the store (vectors survive restarts there, and this matrix is loaded from it at
start); a filtered Chroma query cost ~21 ms per call with 12,000 units, this ~2 ms
(docs/decisions/0029). Rows are aligned with the lexical index's row order, so the mask that
`access.chroma.evaluate` computed from the asker's Scope for BM25 is the very same mask here:
one compiled Scope, no second visibility rule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

Loader = Callable[[], Iterable[tuple[Sequence[str], Any]]]
"""Pages of (ids, vectors) read from the store."""


class DenseMatrix:
    """id -> row of a growing float32 matrix; freed rows are reused. Loaded lazily (once) from
    the store by `loader`; writes before that are skipped, since the load will read them."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded = False
        self._data: np.ndarray | None = None
        self._row: dict[str, int] = {}
        self._free: list[int] = []
        self._version = 0
        self._aligned_key: tuple[int, int] | None = None
        self._aligned_order: list[str] | None = None  # kept so id() of the key stays unique
        self._aligned: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._row)

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        """Read every vector from the store, once (at start, or on first use)."""
        with self._lock:
            self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        for ids, vectors in self._loader():
            self._put(ids, vectors)
        self._loaded = True

    def put(self, ids: Sequence[str], vectors: Any) -> None:
        """After the store took these vectors (a unit added or reworded)."""
        with self._lock:
            if self._loaded:
                self._put(ids, vectors)

    def refresh(self, ids: Sequence[str], fetch: Callable[[Sequence[str]], Any]) -> None:
        """Re-read these units' vectors from the store (another replica may have written
        them): `fetch(ids)` gives (ids, vectors) of those it holds."""
        with self._lock:
            if self._loaded and ids:
                found, vectors = fetch(ids)
                self._put(found, vectors)

    def remove(self, ids: Iterable[str]) -> None:
        with self._lock:
            for id_ in ids:
                row = self._row.pop(id_, None)
                if row is not None:
                    self._free.append(row)
                    assert self._data is not None
                    self._data[row] = 0.0
            self._version += 1

    def clear(self) -> None:
        """The store was emptied: nothing to load from it either."""
        with self._lock:
            self._data = None
            self._row = {}
            self._free = []
            self._loaded = True
            self._version += 1

    def _put(self, ids: Sequence[str], vectors: Any) -> None:
        import numpy as np

        ids = list(ids)
        if not ids:
            return
        block: Any = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        # unit length, as Chroma's cosine space compares them
        block = (block / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        if self._data is None or self._data.shape[1] != block.shape[1]:
            self._data = np.zeros((max(len(ids), 64), block.shape[1]), dtype=np.float32)
            self._row, self._free = {}, []
        used = len(self._row) + len(self._free)
        for id_, vector in zip(ids, block, strict=True):
            row = self._row.get(id_)
            if row is None:
                if self._free:
                    row = self._free.pop()
                else:
                    row, used = used, used + 1
                    if row >= len(self._data):
                        grown = np.zeros((len(self._data) * 2, self._data.shape[1]), np.float32)
                        grown[: len(self._data)] = self._data
                        self._data = grown
                self._row[id_] = row
            self._data[row] = vector
        self._version += 1

    def _aligned_rows(self, order: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(matrix, present) with row i holding the vector of order[i] (zeros and False for a
        unit not in the store), rebuilt only when the order or the vectors changed."""
        import numpy as np

        key = (id(order), self._version)
        if self._aligned is None or self._aligned_key != key or self._aligned_order is not order:
            rows = np.array([self._row.get(id_, -1) for id_ in order], dtype=np.int64)
            present = rows >= 0
            width = 0 if self._data is None else self._data.shape[1]
            matrix = np.zeros((len(order), width), dtype=np.float32)
            if self._data is not None and present.any():
                matrix[present] = self._data[rows[present]]
            self._aligned = (matrix, present)
            self._aligned_key, self._aligned_order = key, order
        return self._aligned

    def search(
        self,
        query: np.ndarray,
        k: int,
        order: list[str],
        mask: np.ndarray,
        among: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """(id, cosine), best first: the k nearest of the rows `mask` allows (and, when given,
        only among the row positions `among`)."""
        import numpy as np

        with self._lock:
            self._ensure_loaded()
            if not order or k <= 0:
                return []
            matrix, present = self._aligned_rows(order)
            if matrix.shape[1] != len(query):
                return []
            allowed = present & (mask > 0)
            if among is not None:
                only = np.zeros(len(order), dtype=bool)
                only[among] = True
                allowed &= only
            candidates = np.flatnonzero(allowed)
            if not len(candidates):
                return []
            # A few rows (one document's): gather them. Most of the matrix: score it all, with
            # einsum's own loop, not BLAS: OpenBLAS's threads spun a 12,000-row product from
            # 1.4 ms to 6.5 ms on a busy 2-core machine, and gathering the allowed rows first
            # copied megabytes (16 ms) (measured).
            if among is not None:
                scores = matrix[candidates] @ query
            else:
                scores = np.einsum("ij,j->i", matrix, query)[candidates]
        k = min(k, len(candidates))
        best = np.argpartition(-scores, k - 1)[:k] if k < len(candidates) else np.arange(k)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(order[int(candidates[i])], float(scores[i])) for i in best]

    def cosines(self, ids: Sequence[str], query: np.ndarray) -> dict[str, float]:
        """Cosine of each stored unit among `ids` with the query (others are left out)."""
        import numpy as np

        with self._lock:
            self._ensure_loaded()
            known = [(id_, self._row[id_]) for id_ in ids if id_ in self._row]
            if not known or self._data is None or self._data.shape[1] != len(query):
                return {}
            scores = self._data[np.array([row for _, row in known])] @ query
        return {id_: float(s) for (id_, _), s in zip(known, scores, strict=True)}
