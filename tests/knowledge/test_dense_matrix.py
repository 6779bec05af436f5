"""The in-process dense matrix (docs/decisions/0029): it ranks as Chroma's filtered query does,
under the lexical index's mask for the asker's `where`, and every commit hook keeps it in step
(file, share, unshare, erase, a restart loading it from the store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from secbot.access.chroma import retrieval_where
from secbot.access.principal import Place, Principal
from secbot.access.scope import scope_for
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App
from secbot.knowledge.dense_matrix import DenseMatrix
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.lexical_index import LexicalIndex
from secbot.knowledge.retriever import HybridRetriever
from secbot.knowledge.units import Unit
from secbot.knowledge.vector_index import VectorIndex, make_client
from tests.support.secrets import QUESTION, SECRET
from tests.support.world import World

REPORT = "sub:BRB-0001"


def _vectors(rows: Sequence[Sequence[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def _pages(pages: list[tuple[list[str], Any]]) -> Any:
    def load() -> Iterator[tuple[list[str], Any]]:
        yield from pages

    return load


def test_the_best_allowed_rows_come_first_and_a_masked_row_never() -> None:
    dense = DenseMatrix(_pages([(["a", "b", "c"], _vectors([[1, 0], [0.6, 0.8], [0, 1]]))]))
    order = ["c", "b", "a"]  # the lexical index's rows, in its own order
    everyone = np.ones(3, dtype=np.float32)
    query = _vectors([[1, 0]])[0]
    hits = dense.search(query, 3, order, everyone)
    assert [i for i, _ in hits] == ["a", "b", "c"]
    assert [round(s, 3) for _, s in hits] == [1.0, 0.6, 0.0]
    not_a = np.array([1, 1, 0], dtype=np.float32)  # row 2 of `order` is "a"
    assert [i for i, _ in dense.search(query, 3, order, not_a)] == ["b", "c"]
    assert dense.search(query, 3, order, np.zeros(3, dtype=np.float32)) == []
    among = dense.search(query, 5, order, not_a, among=np.array([0]))
    assert [i for i, _ in among] == ["c"], "only the given rows, and still only allowed ones"
    assert dense.cosines(["b", "zzz"], query) == pytest.approx({"b": 0.6})


def test_writes_update_the_rows_and_a_removed_row_is_gone() -> None:
    dense = DenseMatrix(_pages([]))
    dense.put(["a"], [[1.0, 0.0]])
    assert len(dense) == 0, "before the load, writes are left to the load"
    dense.load()
    dense.put(["a", "b"], [[3.0, 0.0], [0.0, 2.0]])  # normalised on the way in
    order = ["a", "b"]
    mask = np.ones(2, dtype=np.float32)
    assert dense.search(_vectors([[1, 0]])[0], 2, order, mask)[0] == ("a", pytest.approx(1.0))
    dense.remove(["a"])
    assert [i for i, _ in dense.search(_vectors([[1, 0]])[0], 2, order, mask)] == ["b"]
    dense.put(["c"], [[1.0, 0.0]])  # takes the freed row
    order = ["b", "c"]
    assert [i for i, _ in dense.search(_vectors([[1, 0]])[0], 1, order, mask)] == ["c"]
    dense.put(["c"], [[0.0, 1.0]])  # reworded: new vector, same row
    assert dense.cosines(["c"], _vectors([[1, 0]])[0]) == pytest.approx({"c": 0.0})
    dense.clear()
    assert dense.search(_vectors([[1, 0]])[0], 2, order, mask) == []


def _units(count: int) -> list[Unit]:
    owners = ["BRB", "JAM", "*regional"]
    return [
        Unit(
            f"u{i}",
            f"patrol {i} smuggling harbour {'cocaine' if i % 3 else 'cyber'} word{i % 7} w{i % 5}",
            {"owner": owners[i % 3], "tlp": "AMBER", "kind": "incident", "readers": ["*none"]},
        )
        for i in range(count)
    ]


def test_it_ranks_as_chromas_filtered_query_does(tmp_path: Path) -> None:
    """The same `where`, two engines: Chroma's filter, and the lexical mask over the matrix."""
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="dense_agree")
    lexical = LexicalIndex()
    units = _units(60)
    vector.upsert(units)
    lexical.replace_all(units)
    retriever = HybridRetriever(vector, lexical, embedder)
    query = retriever._query_vector("cocaine smuggling harbour word3")
    for where in ({"owner": "BRB"}, {"$or": [{"owner": "*regional"}, {"owner": "JAM"}]}):
        chroma = vector.search(list(map(float, query)), 10, where)
        ours = retriever._dense(query, 10, where)
        assert [round(h[1], 5) for h in ours] == [round(h[1], 5) for h in chroma]
        last = chroma[-1][1] + 1e-5  # below it, ties may be broken either way
        assert {h[0] for h in ours if h[1] > last} == {h[0] for h in chroma if h[1] > last}
        allowed = {u.id for u in units if u.metadata["owner"] in str(where)}
        assert {h[0] for h in ours} <= allowed


def _dense_ids(app: App, principal: Principal, question: str = QUESTION) -> list[str]:
    assert app.asker is not None
    retriever = app.asker.retriever
    where = retrieval_where(scope_for(principal))
    return [h[0] for h in retriever._dense(retriever._query_vector(question), 30, where)]


def _principal(party: str, role: Role) -> Principal:
    return Principal(party=party, role=role, place=Place.direct())


def test_the_dense_path_follows_filing_sharing_revoking_and_erasure(app: App) -> None:
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    world.member("bob", Role.DELEGATE, "JAM")
    brb, jam = _principal("BRB", Role.FOCAL_POINT), _principal("JAM", Role.DELEGATE)
    assert REPORT not in _dense_ids(app, brb)
    assert "Filed BRB-0001" in alice.say(f"report {SECRET}")
    assert _dense_ids(app, brb)[0] == REPORT, "filed: in the matrix at once"
    assert REPORT not in _dense_ids(app, jam)
    alice.say("share BRB-0001 JAM")
    assert _dense_ids(app, jam)[0] == REPORT, "shared: the grantee's mask lets it through"
    alice.say("unshare BRB-0001 JAM")
    assert REPORT not in _dense_ids(app, jam), "revoked: gone from the grantee's dense hits"
    assert REPORT in _dense_ids(app, brb)
    assert "Erase BRB-0001 for good?" in alice.say("erase BRB-0001")
    assert "Erased BRB-0001" in alice.press("Erase BRB-0001")
    assert REPORT not in _dense_ids(app, brb)
    assert app.index is not None
    assert app.index.vector.dense.cosines([REPORT], np.ones(384, np.float32)) == {}


def test_a_restart_loads_the_matrix_from_the_store(app: App, tmp_path: Path) -> None:
    """A fresh VectorIndex on the same Chroma folder reads every stored vector back."""
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {SECRET}")
    assert app.index is not None
    stored = app.index.vector.count()
    again = VectorIndex(app.index.vector.client, app.index.vector.embedder)
    again.warm()
    assert len(again.dense) == stored == len(app.index.vector.dense)
    query = np.asarray(HashingEmbedder().embed_query(QUESTION), np.float32)
    assert again.dense.cosines([REPORT], query) == pytest.approx(
        app.index.vector.dense.cosines([REPORT], query)
    )
