"""The lexical side of retrieval: BM25 (bm25s) held in memory, rebuilt lazily when units change.

It applies the same filter object as Chroma (access.chroma.evaluate) through a weight mask, so a
unit the principal may not see scores zero instead of being filtered after ranking. The dense
matrix (dense_matrix.py) is searched under this same mask, over these same rows (`rows`).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import Stemmer

if TYPE_CHECKING:
    import numpy as np

from secbot.access.chroma import evaluate
from secbot.knowledge.doc_refs import DocInfo, catalogue
from secbot.knowledge.units import Unit

_STEMMER: Any = Stemmer.Stemmer("english")  # "trafficking" should match "traffickers"


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Cached: the extractive answer and the support checks stem the same words for every
    question (230,000 calls for 320 answers, measured)."""
    return str(_STEMMER.stemWord(word))


class LexicalIndex:
    def __init__(self) -> None:
        self._units: dict[str, Unit] = {}
        self._lock = threading.Lock()
        self._model: Any = None
        self._order: list[str] = []
        self._metas: list[dict[str, Any]] = []
        self._mask_cache: dict[str, np.ndarray] = {}
        self._catalogue: dict[str, DocInfo] | None = None
        self._positions: dict[str, int] = {}
        self._positions_for: list[str] | None = None
        self._by_source: dict[Any, list[int]] | None = None

    def __len__(self) -> int:
        return len(self._units)

    def replace_all(self, units: Sequence[Unit]) -> None:
        with self._lock:
            self._units = {u.id: u for u in units}
            self._model = None
            self._catalogue = None

    def upsert(self, units: Sequence[Unit]) -> None:
        with self._lock:
            text_changed = False
            for unit in units:
                old = self._units.get(unit.id)
                self._units[unit.id] = unit
                text_changed = text_changed or old is None or old.text != unit.text
            self._catalogue = None
            if text_changed:
                self._model = None
            else:
                self._refresh_metadata()

    def delete(self, ids: Sequence[str]) -> None:
        with self._lock:
            for id_ in ids:
                self._units.pop(id_, None)
            self._model = None
            self._catalogue = None

    def _refresh_metadata(self) -> None:
        self._metas = [self._units[i].metadata for i in self._order if i in self._units]
        self._mask_cache.clear()
        self._by_source = None

    def _ensure(self) -> Any:
        if self._model is None:
            bm25s = _bm25s()

            self._order = list(self._units)
            corpus = [self._units[i].text for i in self._order]
            tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=_stem_many, show_progress=False)
            model = bm25s.BM25()
            if corpus:
                model.index(tokens, show_progress=False)
            self._model = model
            self._refresh_metadata()
        return self._model

    def _mask(self, where: dict[str, Any]) -> np.ndarray:
        key = repr(where)
        mask = self._mask_cache.get(key)
        if mask is None:
            import numpy as np  # not at module level: the engine imports this module at start

            mask = np.array(
                [1.0 if evaluate(where, m) else 0.0 for m in self._metas], dtype=np.float32
            )
            if len(self._mask_cache) > 256:
                self._mask_cache.clear()
            self._mask_cache[key] = mask
        return mask

    def rows(self, where: dict[str, Any]) -> tuple[list[str], np.ndarray]:
        """(unit id of each row, visibility mask of `where` over the rows): what the dense
        matrix is searched under. The list is replaced, never changed, when the rows change."""
        with self._lock:
            self._ensure()
            return self._order, self._mask(where)

    def source_rows(self, order: list[str], source: str) -> list[int] | None:
        """Positions in `order` (from `rows`) of the units whose `source` is this one; None
        when the rows have changed since (ask `rows` again)."""
        with self._lock:
            if order is not self._order:
                return None
            if self._by_source is None:
                self._by_source = {}
                for at, meta in enumerate(self._metas):
                    self._by_source.setdefault(meta.get("source"), []).append(at)
            return self._by_source.get(source, [])

    def search(self, query: str, k: int, where: dict[str, Any]) -> list[tuple[str, float]]:
        """(id, BM25 score), best first, zero-score and filtered-out units dropped."""
        bm25s = _bm25s()

        with self._lock:
            model = self._ensure()
            if not self._order:
                return []
            mask = self._mask(where)
            tokens = bm25s.tokenize(
                [query], stopwords="en", stemmer=_stem_many, show_progress=False
            )
            if not tokens.vocab:
                return []
            query_tokens = [[t for t in tokens.vocab if t in model.vocab_dict]]
            if not query_tokens[0]:
                return []
            k = min(k, len(self._order))
            docs, scores = model.retrieve(
                query_tokens, k=k, show_progress=False, weight_mask=mask, n_threads=0
            )
            hits = []
            for index, score in zip(docs[0], scores[0], strict=True):
                if score > 0:
                    hits.append((self._order[int(index)], float(score)))
            return hits

    def scores_for(self, query: str, ids: Sequence[str], where: dict[str, Any]) -> dict[str, float]:
        """BM25 scores of the given units only (a named document's paragraphs), positive ones,
        under the same visibility filter as `search`: a document's visibility is judged on one
        chunk, but each of its passages carries its own labels, so each passes the filter."""
        bm25s = _bm25s()

        with self._lock:
            model = self._ensure()
            if not self._order or not ids:
                return {}
            mask = self._mask(where)
            tokens = bm25s.tokenize(
                [query], stopwords="en", stemmer=_stem_many, show_progress=False
            )
            query_tokens = [t for t in tokens.vocab if t in model.vocab_dict]
            if not query_tokens:
                return {}
            scores = model.get_scores(query_tokens)
            position = self._position()
            found = {}
            for id_ in ids:
                at = position.get(id_)
                if at is not None and mask[at] > 0 and scores[at] > 0:
                    found[id_] = float(scores[at])
            return found

    def coverage(self, query: str, texts: Sequence[str]) -> float:
        """Share of the question's words, weighted by rarity (IDF), that occur in `texts`: a
        question whose rare words appear in none of its hits is not answered by them."""
        bm25s = _bm25s()

        with self._lock:
            model = self._ensure()
            if not self._order:
                return 0.0
            words = bm25s.tokenize([query], stopwords="en", stemmer=_stem_many, show_progress=False)
            wanted = [w for w in words.vocab if w]
            if not wanted:
                return 1.0
            indptr = model.scores["indptr"]
            total = len(self._order)

            def idf(word: str) -> float:
                at = model.vocab_dict.get(word)
                df = int(indptr[at + 1] - indptr[at]) if at is not None else 0
                return math.log((total + 1) / (df + 0.5))

        found = set(_stem_many(re.findall(r"(?u)\b\w\w+\b", " ".join(texts).lower())))
        weights = {w: idf(w) for w in wanted}
        have = sum(v for w, v in weights.items() if w in found)
        return have / sum(weights.values()) if sum(weights.values()) else 1.0

    def _position(self) -> dict[str, int]:
        if self._positions_for is not self._order:
            self._positions = {id_: i for i, id_ in enumerate(self._order)}
            self._positions_for = self._order
        return self._positions

    def documents(self) -> dict[str, DocInfo]:
        """The catalogue of ingested documents (every document, whoever asks: filter it)."""
        with self._lock:
            if self._catalogue is None:
                self._catalogue = catalogue((u.id, u.metadata) for u in self._units.values())
            return self._catalogue

    def warm(self) -> None:
        with self._lock:
            self._ensure()

    def get(self, unit_id: str) -> Unit | None:
        return self._units.get(unit_id)


_BM25S: Any = None


def _bm25s() -> Any:
    """bm25s sets its own logger to DEBUG when imported (its "Building index" lines reached the
    chat): quieten it after the import, not before; once (`setLevel` clears every logger's
    cache: 3 ms a call, three calls a question, measured)."""
    global _BM25S
    if _BM25S is None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        _BM25S = bm25s
    return _BM25S


def _stem_many(words: list[str]) -> list[str]:
    return [str(w) for w in _STEMMER.stemWords(words)]
