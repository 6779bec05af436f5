"""Property: for random share graphs with partners, a co-ordination log entry is seen by exactly
the parties that may see its report, through every read path it travels: `respond` in chat,
the owner's export (JSON, CSV and STIX) and the direct notices a need or a task sends. The
oracle is the one written from the rule's text in tests/access/test_visibility_property."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from secbot.access.principal import ALL, SECRETARIAT, Place, party_for
from secbot.db.models import ResponseEntry, Submission
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import TLP, ChatKind, Role, Severity
from secbot.domain.errors import SecbotError
from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound
from secbot.interchange.export import collect
from secbot.interchange.formats import to_csv_zip, to_json
from secbot.interchange.stix_out import to_stix_json
from secbot.reports import incidents, response, sharing
from secbot.reports.incidents import IncidentInput
from secbot.transports.console_rooms import DirectMailboxes, deliver_notices
from tests.access.test_visibility_property import (
    GRANTEES,
    MEMBERS,
    PARTNERS,
    STATES,
    Report,
    build_world,
    oracle,
    principal,
)

EXAMPLES = 40 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 15
PARTIES = [*STATES, *PARTNERS]

graph_st = st.tuples(
    st.lists(
        st.tuples(st.sampled_from(PARTIES), st.sampled_from(list(TLP))), min_size=1, max_size=4
    ),
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(GRANTEES)), max_size=8),
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(PARTIES)), max_size=4),  # unshares
)


def reads(party: str, owner: str, tlp: TLP, grants: set[str]) -> bool:
    """The oracle, in a direct chat (where notices and exports go)."""
    role = Role.PARTNER if party in PARTNERS else Role.FOCAL_POINT
    return oracle(party, role, Place.direct(), Report(owner, tlp, "incident"), grants)


@settings(max_examples=EXAMPLES, deadline=None)
@given(graph=graph_st)
def test_a_log_entry_reaches_exactly_who_may_see_its_report(
    fresh_db_factory: Callable[[], Database],
    graph: tuple[list[tuple[str, TLP]], list[tuple[int, str]], list[tuple[int, str]]],
) -> None:
    made, shares, unshares = graph
    db = fresh_db_factory()
    build_world(db)
    engine = Engine(db)
    fp = {p: principal(db, f"fp-{p}") for p in PARTIES}
    fp[SECRETARIAT] = principal(db, "sec")
    ids: list[str] = []
    with db.transaction() as session:
        for owner, tlp in made:
            data = IncidentInput("other", Severity.LOW, "t", "d", "", utcnow(), tlp)
            ids.append(incidents.file_incident(session, fp[owner], data).public_id)
    grants: dict[str, set[str]] = {i: set() for i in ids}

    def change(index: int, grantee: str, share: bool) -> None:
        if index >= len(ids):
            return
        token = {"all": ALL, "secretariat": SECRETARIAT}.get(grantee, grantee)
        try:
            with db.transaction() as session:
                if share:
                    sharing.share(session, fp[made[index][0]], ids[index], [grantee])
                else:
                    sharing.unshare(session, fp[made[index][0]], ids[index], [grantee], utcnow())
        except SecbotError:
            return
        (grants[ids[index]].add if share else grants[ids[index]].discard)(token)

    def sees(public_id: str, party: str) -> bool:
        owner, tlp = made[ids.index(public_id)]
        return reads(party, owner, tlp, grants[public_id])

    for index, grantee in shares:
        change(index, grantee, True)
    # Every party that may see a report writes to its log; the owner posts a need (notices).
    for public_id in ids:
        for party in [*PARTIES, SECRETARIAT]:
            if not sees(public_id, party):
                continue
            kind = "need" if party == made[ids.index(public_id)][0] else "log"
            with db.transaction() as session:
                written = response.add_entry(
                    session, fp[party], public_id, kind, f"mark-{public_id}-{party}", utcnow()
                )
                for member in written.tell:
                    told = party_for(Role(member.role), member.state_code)
                    assert sees(public_id, told), (public_id, told)
    for index, party in unshares:
        change(index, party, False)  # unsharing closes the log (and stops pending notices)

    with tempfile.TemporaryDirectory() as folder:  # every member is on the console
        mailboxes = DirectMailboxes(Path(folder))
        deliver_notices(db, mailboxes)
        for member, role, state in MEMBERS:
            if role is Role.SECRETARIAT_ADMIN:
                continue
            party = party_for(role, state)
            for delivered in mailboxes.read(member):
                (public_id,) = set(re.findall(r"\b[A-Z]+-\d{4}\b", delivered.text))
                assert sees(public_id, party), (member, delivered.text)

    for party in PARTIES:
        name = f"fp-{party}"
        for public_id in ids:
            shown = "\n".join(
                r.text
                for r in engine.handle(
                    Inbound("console", "", name, name, ChatKind.DIRECT, f"respond {public_id}")
                )
            )
            assert (f"mark-{public_id}-" in shown) == sees(public_id, party), (party, shown)
        with db.transaction() as session:
            export = collect(session, party)
            stix = to_stix_json(export, {})
        blob = to_json(export).decode() + stix.decode()
        with zipfile.ZipFile(io.BytesIO(to_csv_zip(export))) as archive:
            blob += "".join(archive.read(n).decode() for n in archive.namelist())
        for public_id in ids:
            owned = made[ids.index(public_id)][0] == party
            marks = {f"mark-{public_id}-{p}" for p in [*PARTIES, SECRETARIAT]}
            wrote = {m for m in marks if m in blob}
            if owned:  # the whole log travels with the owner's report, every author's entry
                expected = {
                    f"mark-{public_id}-{p}"
                    for p in [*PARTIES, SECRETARIAT]
                    if _wrote(db, public_id, p)
                }
                assert wrote == expected, (party, public_id)
            else:
                assert not wrote, (party, public_id, wrote)


def _wrote(db: Database, public_id: str, party: str) -> bool:
    with db.transaction() as session:
        return (
            session.scalar(
                select(ResponseEntry.id)
                .join(Submission, Submission.id == ResponseEntry.submission_id)
                .where(Submission.public_id == public_id, ResponseEntry.party == party)
            )
            is not None
        )
