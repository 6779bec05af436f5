"""Property: the SQL filter, the Chroma `where` filter and the Python post-check built from one
Scope select exactly the same submissions, and exactly those the rule's text allows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from secbot.access.chroma import (
    REGIONAL,
    evaluate,
    readers_metadata,
    retrieval_where,
    submission_where,
)
from secbot.access.principal import ALL, SECRETARIAT, Place, Principal
from secbot.access.scope import SubmissionFacts, permits, scope_for
from secbot.access.sql import submission_filter
from secbot.db.models import Share, State, Submission
from secbot.db.session import Database
from secbot.domain.enums import TLP, Role

STATES = ["BRB", "JAM", "TTO"]
PARTNERS = ["CDEMA", "UWIMONA"]
"""Non-state parties: reached only by name, never through `all` (decision 0023)."""
PARTIES = [*STATES, SECRETARIAT, *PARTNERS]

submission_st = st.tuples(
    st.sampled_from([*STATES, *PARTNERS]),
    st.sampled_from(list(TLP)),
    st.sets(st.sampled_from([*STATES, ALL, SECRETARIAT, *PARTNERS]), max_size=4),
)
place_st = st.one_of(
    st.just(Place.direct()),
    st.just(Place.group(None)),
    st.sets(st.sampled_from(PARTIES), min_size=1, max_size=4).map(
        lambda a: Place.group(frozenset(a))
    ),
)
principal_st = st.one_of(
    st.builds(
        lambda party, place: Principal(
            party,
            Role.SECRETARIAT
            if party == SECRETARIAT
            else (Role.PARTNER if party in PARTNERS else Role.DELEGATE),
            place,
            1,
        ),
        st.sampled_from(PARTIES),
        place_st,
    ),
    st.builds(lambda place: Principal(SECRETARIAT, Role.SECRETARIAT_ADMIN, place, 1), place_st),
    st.builds(Principal.unknown, place_st),
)


def rule(principal: Principal, owner: str, tlp: TLP, grantees: set[str]) -> bool:
    """The rule's text, independently of secbot.access."""
    if principal.party is None or principal.role in (None, Role.SECRETARIAT_ADMIN):
        return False

    def entitled(p: str) -> bool:
        if owner == p:
            return True
        if tlp is TLP.RED:
            return False
        return p in grantees or (ALL in grantees and p not in PARTNERS)

    if principal.place.audience is None:
        return principal.place.kind.value == "direct" and entitled(principal.party)
    return tlp in (TLP.CLEAR, TLP.GREEN) and all(
        entitled(p) for p in principal.place.audience | {principal.party}
    )


@pytest.fixture(scope="module")
def chroma() -> Iterator[Any]:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.EphemeralClient(Settings(anonymized_telemetry=False))
    yield client


@settings(max_examples=600 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 100)
@given(
    subs=st.lists(submission_st, min_size=1, max_size=8),
    principals=st.lists(principal_st, min_size=1, max_size=6),
)
def test_sql_chroma_and_postcheck_agree_with_the_rule(
    fresh_db_factory: Callable[[], Database],
    chroma: Any,
    subs: list[tuple[str, TLP, set[str]]],
    principals: list[Principal],
) -> None:
    db = fresh_db_factory()
    collection = chroma.create_collection(f"c{uuid.uuid4().hex}", embedding_function=None)
    with db.transaction() as session:
        session.add_all(State(code=s, name=s) for s in STATES)
        session.add_all(State(code=p, name=p, kind="regional") for p in PARTNERS)
        session.flush()
        for n, (owner, tlp, grantees) in enumerate(subs):
            sub = Submission(
                public_id=f"{owner}-{n:04d}", owner_state=owner, kind="incident", tlp=tlp.value
            )
            session.add(sub)
            session.flush()
            session.add_all(Share(submission_id=sub.id, grantee=g) for g in grantees)
            # a revoked share must never count
            session.add(Share(submission_id=sub.id, grantee="TTO", revoked_at=sub.created_at))
            session.add(Share(submission_id=sub.id, grantee="CDEMA", revoked_at=sub.created_at))
    collection.add(
        ids=[f"s{n}" for n in range(len(subs))] + ["regional"],
        embeddings=[[1.0, 0.0]] * (len(subs) + 1),
        metadatas=[
            {"owner": o, "tlp": t.value, "readers": readers_metadata(frozenset(g)), "n": n}
            for n, (o, t, g) in enumerate(subs)
        ]
        + [{"owner": REGIONAL, "tlp": "CLEAR", "readers": readers_metadata(frozenset()), "n": -1}],
    )
    try:
        for principal in principals:
            scope = scope_for(principal)
            expected = {n for n, (o, t, g) in enumerate(subs) if rule(principal, o, t, g)}
            post = {
                n
                for n, (o, t, g) in enumerate(subs)
                if permits(scope, SubmissionFacts(o, t, frozenset(g)))
            }
            with db.transaction() as session:
                rows = session.scalars(select(Submission.public_id).where(submission_filter(scope)))
                in_sql = {int(pid.split("-")[1]) for pid in rows}
            where = submission_where(scope)
            in_chroma = (
                set()
                if where is None
                else {m["n"] for m in collection.get(where=where)["metadatas"]}
            )
            everything = {m["n"] for m in collection.get(where=retrieval_where(scope))["metadatas"]}
            metas = [
                {"owner": o, "tlp": t.value, "readers": readers_metadata(frozenset(g))}
                for o, t, g in subs
            ]
            in_python = (
                set() if where is None else {n for n, m in enumerate(metas) if evaluate(where, m)}
            )
            assert in_python == expected, "the lexical side's evaluation of the same filter"
            assert post == expected, principal
            assert in_sql == expected, principal
            assert in_chroma == expected, principal
            assert everything == expected | {-1}, "regional knowledge is visible to everyone"
    finally:
        chroma.delete_collection(collection.name)
