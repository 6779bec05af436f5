"""For random share graphs (and random reads of what was shared), an export holds exactly the
exporting state's own submissions and the reads of them: never another state's data, not even
what another state shared with it."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from secbot.access import audit
from secbot.access.principal import ALL, SECRETARIAT, Place, Principal, grant_tokens
from secbot.db.models import Share, Submission
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import TLP, Role
from secbot.interchange.export import collect
from secbot.interchange.formats import to_csv_zip, to_json
from secbot.registers.threats import add_state_threat
from tests.support.seed import add_incident, add_states

STATES = ("BRB", "JAM", "TTO")
GRANTEES = (*STATES, ALL, SECRETARIAT)

submission = st.tuples(
    st.sampled_from(STATES),  # owner
    st.booleans(),  # a register entry instead of a report
    st.sets(st.sampled_from(GRANTEES), max_size=3),  # shares
    st.sets(st.sampled_from((*STATES, SECRETARIAT)), max_size=3),  # who reads it
)


@given(graph=st.lists(submission, min_size=1, max_size=8), exporter=st.sampled_from(STATES))
def test_export_holds_own_submissions_and_their_reads_only(
    fresh_db_factory: Callable[[], Database],
    graph: list[tuple[str, bool, set[str], set[str]]],
    exporter: str,
) -> None:
    db = fresh_db_factory()
    with db.transaction() as session:
        add_states(session, STATES)
        expected_reads: list[tuple[str, str]] = []
        for n, (owner, is_threat, grantees, readers) in enumerate(graph):
            writer = Principal(owner, Role.FOCAL_POINT, Place.direct(), label=f"w{n}")
            if is_threat:
                pid = add_state_threat(
                    session, writer, title=f"secret-{owner}-{n}", description=f"desc-{owner}-{n}",
                    category="other", tlp=TLP.GREEN,
                ).public_id  # fmt: skip
            else:
                pid = add_incident(
                    session, owner=owner, title=f"secret-{owner}-{n}", occurred_at=utcnow()
                )
            sub = session.scalar(select(Submission).where(Submission.public_id == pid))
            assert sub is not None
            for grantee in grantees - {owner}:
                session.add(Share(submission_id=sub.id, grantee=grantee))
            session.flush()
            for reader in readers - {owner}:
                if grant_tokens(reader) & grantees:
                    role = Role.SECRETARIAT if reader == SECRETARIAT else Role.DELEGATE
                    who = Principal(reader, role, Place.direct(), label=f"reader-{reader}")
                    audit.record_reads(session, who, [sub])
                    if owner == exporter:
                        expected_reads.append((pid, reader))
        result = collect(session, exporter)
    own = {f"secret-{o}-{n}" for n, (o, *_rest) in enumerate(graph) if o == exporter}
    got = {r["title"] for r in result.reports} | {t["title"] for t in result.threats}
    assert got == own
    assert sorted((r["report"], r["reader_party"]) for r in result.reads) == sorted(expected_reads)
    text = to_json(result).decode() + to_csv_zip(result).hex()
    assert "reader-" not in to_json(result).decode()  # a read names the party, not its member
    for n, (owner, *_rest) in enumerate(graph):
        if owner != exporter:
            assert f"secret-{owner}-{n}" not in text and f"desc-{owner}-{n}" not in text
    for item in result.reports + result.threats:
        assert item["id"].startswith(f"{exporter}-")
    assert json.loads(to_json(result))["state"] == exporter
