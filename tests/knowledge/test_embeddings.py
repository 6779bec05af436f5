"""Embedders: the hashing one for fast plumbing tests, the packaged MiniLM for real meaning."""

from __future__ import annotations

import math
import os
import sys

import pytest

from secbot.knowledge.embeddings import Embedder, HashingEmbedder, LocalEmbedder


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(v: list[float]) -> float:
    return math.sqrt(dot(v, v))


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    first, second = HashingEmbedder(), HashingEmbedder()
    text = "Respect for national sovereignty and the rule of law"
    vector = first.embed_query(text)
    assert len(vector) == first.dimension == 384
    assert vector == second.embed_documents([text])[0]
    assert math.isclose(norm(vector), 1.0, rel_tol=1e-9)


def test_hashing_embedder_prefers_shared_words() -> None:
    embedder = HashingEmbedder()
    query, near, far = embedder.embed_documents(
        [
            "cocaine transshipment by go-fast boat",
            "go-fast boat carrying cocaine north",
            "dengue outbreak after heavy rains",
        ]
    )
    assert dot(query, near) > dot(query, far)


def test_hashing_embedder_edge_cases() -> None:
    embedder = HashingEmbedder(dimension=16)
    assert embedder.embed_query("  ") == [0.0] * 16
    assert embedder.embed_documents([]) == []
    assert embedder.embed_query("Café") == embedder.embed_query("café")
    with pytest.raises(ValueError):
        HashingEmbedder(dimension=0)


def test_both_embedders_satisfy_the_protocol() -> None:
    assert isinstance(HashingEmbedder(), Embedder)
    local: Embedder = LocalEmbedder()
    assert local.embed_documents([]) == []


def test_local_dimension_is_read_without_loading_the_model() -> None:
    embedder = LocalEmbedder()
    assert embedder.dimension == 384
    assert embedder._model is None


@pytest.mark.slow
def test_local_embedder_ranks_a_paraphrase_above_an_unrelated_sentence() -> None:
    embedder = LocalEmbedder()
    query = embedder.embed_query("Which groups outside government should take part?")
    assert embedder._model is None, "a question is embedded without sentence-transformers"
    assert embedder._quick_encoder is not None
    assert len(query) == embedder.dimension == 384
    assert math.isclose(norm(query), 1.0, rel_tol=1e-4)
    paraphrase, unrelated = embedder.embed_documents(
        [
            "Non-State actors: civil society, academia and regional organisations.",
            "Ash fall from the volcano closed the airport for two days.",
        ]
    )
    assert dot(query, paraphrase) > dot(query, unrelated) + 0.1


@pytest.mark.slow
def test_the_numpy_encoder_gives_sentence_transformers_vectors() -> None:
    """Questions go through the numpy encoder, index builds through sentence-transformers:
    both must put a text at the same point, or questions would miss what was indexed."""
    embedder = LocalEmbedder()
    texts = [
        "Which groups outside government should take part?",
        "Go-fast boat with suspected cocaine landed at a private beach. " * 40,  # truncated
        "a",
        "Ash fall from the volcano closed the airport for two days.",
    ]
    quick = embedder.embed_documents(texts)
    assert embedder._model is None
    bulk = embedder.embed_documents(texts * 3)  # more than QUICK_TEXTS: sentence-transformers
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert "sentence_transformers" in sys.modules and embedder._model is not None
    for fast, reference in zip(quick, bulk, strict=False):
        assert max(abs(a - b) for a, b in zip(fast, reference, strict=True)) < 1e-5


def test_a_text_embedded_for_suggestions_is_not_embedded_again_when_indexed() -> None:
    """Filing embeds the report's index text for its link suggestions, then the index embeds
    the same text after the commit: the real encoder runs once for both."""
    embedder = LocalEmbedder()
    quick = embedder._quick()
    assert quick is not None
    encoded: list[str] = []
    real = quick.encode

    def counting(texts: list[str]) -> list[list[float]]:
        encoded.extend(texts)
        return list(real(texts))

    quick.encode = counting
    report = "Go-fast boat landing cocaine bales. Drug trafficking. Speightstown. At 02:00."
    first = embedder.embed_query(report)
    again = embedder.embed_documents([report, "Ash fall closed the airport."])
    assert encoded == [report, "Ash fall closed the airport."]
    assert again[0] == first and math.isclose(norm(first), 1.0, rel_tol=1e-4)
    again[0][0] = 9.0  # a caller changing its copy does not change the remembered vector
    assert embedder.embed_query(report) == first


def test_a_short_text_is_encoded_on_one_blas_thread() -> None:
    """numpy's BLAS defaults to a thread per core; on a busy machine those threads spin, and a
    one-sentence embedding cost ten times its work. The encoder runs on the configured count."""
    from threadpoolctl import threadpool_info

    embedder = LocalEmbedder(threads=1)
    quick = embedder._quick()
    assert quick is not None
    seen: list[int] = []
    real = quick.encode

    def watching(texts: list[str]) -> list[list[float]]:
        seen.extend(int(p["num_threads"]) for p in threadpool_info() if p["user_api"] == "blas")
        return list(real(texts))

    quick.encode = watching
    embedder.embed_query("Ransomware locked the port authority billing servers.")
    assert seen and set(seen) == {1}, seen


@pytest.mark.slow
def test_many_texts_are_encoded_on_the_bulk_threads_and_a_question_on_one() -> None:
    """An ingest embeds thousands of passages: one torch thread per core halves its wall time.
    A question goes through the numpy encoder on its own thread count, whatever torch has."""
    import torch

    embedder = LocalEmbedder(threads=1, bulk_threads=2)
    model = embedder._load()
    seen: list[int] = []
    real = model.encode

    def watching(texts: list[str], **kwargs: object) -> object:
        seen.append(torch.get_num_threads())
        return real(texts, **kwargs)

    model.encode = watching
    passages = [
        f"Paragraph {n}: States shall prevent the financing of terrorism." for n in range(9)
    ]
    vectors = embedder.embed_documents(passages)
    assert len(vectors) == 9 and seen == [2]
    before = torch.get_num_threads()
    embedder.embed_query("Who finances terrorist acts?")
    assert seen == [2], "a question is not encoded by the torch model"
    assert torch.get_num_threads() == before
    default = LocalEmbedder()
    assert default._bulk_threads == (os.cpu_count() or 1)
