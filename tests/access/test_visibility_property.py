"""Property: for random states, members, reports, shares, revocations and group chats, every read
verb shows each principal exactly what the rule allows, no more and no less.

The oracle below is written from the rule's text and keeps its own record of shares (replayed
from the operations), so a bug in the services' bookkeeping fails this test as surely as a bug in
the filters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secbot.access.principal import ALL, SECRETARIAT, Place, Principal, party_for
from secbot.db.models import Member, State
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import TLP, ChatKind, Role, Severity
from secbot.domain.errors import SecbotError
from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound
from secbot.identity.channels import add_channel
from secbot.registers import threats as registers
from secbot.reports import incidents, sharing
from secbot.reports.incidents import IncidentInput

STATES = ["BRB", "JAM", "TTO", "LCA"]
PARTNERS = ["CDEMA"]
"""A non-state party: it sees only what was shared with it by name; `all` never reaches it."""
# Each example drives ~200 engine calls (more verbs read more since reports grew timelines,
# links and partners); CI runs 100 per database (200 in all, about 40,000 reads), a dev run 40.
ENGINE_EXAMPLES = 100 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 40
GRANTEES = [*STATES, *PARTNERS, "all", "secretariat"]
ID = re.compile(r"\b[A-Z]{3,12}-(?:\d{4}|T\d{2,})\b")


@dataclass(frozen=True)
class Report:
    owner: str
    tlp: TLP
    kind: str  # incident or threat


reports_st = st.lists(
    st.builds(
        Report,
        owner=st.sampled_from([*STATES, *PARTNERS]),
        tlp=st.sampled_from(list(TLP)),
        kind=st.sampled_from(["incident", "incident", "threat"]),
    ).map(lambda r: Report(r.owner, r.tlp, "incident") if r.owner in PARTNERS else r),
    min_size=1,
    max_size=7,
)
ops_st = st.lists(
    st.tuples(st.booleans(), st.integers(0, 6), st.sampled_from(GRANTEES)), max_size=14
)
audience_st = st.one_of(
    st.just("all"),
    st.just("secretariat"),
    st.lists(st.sampled_from([*STATES, *PARTNERS]), min_size=1, max_size=3, unique=True).map(
        ",".join
    ),
)


def audience_parties(audience: str) -> frozenset[str]:
    if audience == "all":
        return frozenset(STATES) | {SECRETARIAT}
    if audience == "secretariat":
        return frozenset({SECRETARIAT})
    return frozenset(audience.split(","))


def oracle(
    party: str | None, role: Role | None, place: Place, report: Report, grants: set[str]
) -> bool:
    """The rule as ARCHITECTURE.md states it, written independently of secbot.access."""
    if party is None or role is None or role is Role.SECRETARIAT_ADMIN:
        return False

    def entitled(p: str) -> bool:
        if report.owner == p:
            return True
        if report.tlp is TLP.RED:
            return False
        return p in grants or (ALL in grants and p not in PARTNERS)

    if place.kind is ChatKind.DIRECT:
        return entitled(party)
    if place.audience is None:
        return False
    if report.tlp not in (TLP.CLEAR, TLP.GREEN):
        return False
    return all(entitled(p) for p in place.audience | {party})


MEMBERS = [
    *[(f"fp-{s}", Role.FOCAL_POINT, s) for s in STATES],
    ("del-JAM", Role.DELEGATE, "JAM"),
    ("sec", Role.SECRETARIAT, None),
    *[(f"fp-{p}", Role.PARTNER, p) for p in PARTNERS],
    ("secadmin", Role.SECRETARIAT_ADMIN, None),
]


def build_world(db: Database) -> None:
    with db.transaction() as session:
        session.add_all(State(code=s, name=s) for s in STATES)
        session.add_all(State(code=p, name=p, kind="regional") for p in PARTNERS)
        session.flush()
        session.add_all(
            Member(
                platform="console", workspace="", user_id=name, state_code=state, role=role.value
            )
            for name, role, state in MEMBERS
        )


def principal(db: Database, name: str) -> Principal:
    with db.transaction() as session:
        member = session.query(Member).filter_by(user_id=name).one()
        role = Role(member.role)
        return Principal(party_for(role, member.state_code), role, Place.direct(), member.id, name)


@pytest.mark.timeout(1800)  # the slowest test of the suite by design: a generous ceiling of its own
@settings(max_examples=ENGINE_EXAMPLES)
@given(reports=reports_st, ops=ops_st, audiences=st.lists(audience_st, min_size=1, max_size=2))
def test_every_read_verb_shows_exactly_what_the_rule_allows(
    fresh_db_factory: Callable[[], Database],
    reports: list[Report],
    ops: list[tuple[bool, int, str]],
    audiences: list[str],
) -> None:
    db = fresh_db_factory()
    build_world(db)
    engine = Engine(db)
    ids: list[str] = []
    owners = {s: principal(db, f"fp-{s}") for s in [*STATES, *PARTNERS]}  # before the lock
    with db.transaction() as session:
        for report in reports:
            owner = owners[report.owner]
            if report.kind == "incident":
                data = IncidentInput("other", Severity.LOW, "t", "d", "", utcnow(), report.tlp)
                ids.append(incidents.file_incident(session, owner, data).public_id)
            else:
                sub = registers.add_state_threat(
                    session, owner, title="t", description="d", category="other", tlp=report.tlp
                )
                ids.append(sub.public_id)
    grants: dict[str, set[str]] = {i: set() for i in ids}
    for is_share, index, grantee in ops:
        if index >= len(ids):
            continue
        public_id, report = ids[index], reports[index]
        owner = principal(db, f"fp-{report.owner}")
        token = {"all": ALL, "secretariat": SECRETARIAT}.get(grantee, grantee)
        try:
            with db.transaction() as session:
                if is_share:
                    sharing.share(session, owner, public_id, [grantee])
                else:
                    sharing.unshare(session, owner, public_id, [grantee], utcnow())
        except SecbotError:
            assert grantee == report.owner or (is_share and report.tlp is TLP.RED)
            continue
        if is_share:
            grants[public_id].add(token)
        else:
            grants[public_id].discard(token)

    places: list[tuple[str | None, Place]] = [
        (None, Place.direct()),
        ("unregistered", Place.group(None)),
    ]
    with db.transaction() as session:
        for n, audience in enumerate(audiences):
            add_channel(session, platform="console", chat_id=f"g{n}", audience=audience, by="t")
            places.append((f"g{n}", Place.group(audience_parties(audience))))

    accounts = [(name, role, state) for name, role, state in MEMBERS] + [("stranger", None, None)]
    seen: dict[str, set[str]] = {}
    for name, role, state in accounts:
        party = party_for(role, state) if role else None
        for chat_id, registered in places:
            kind = ChatKind.DIRECT if chat_id is None else ChatKind.GROUP
            place = registered
            if chat_id is not None and registered.audience is not None:
                # A member whose party the registration left out widens the audience by
                # speaking there (identity.note_party_in_channel); the oracle tracks it too.
                if party is not None and party not in registered.audience:
                    seen.setdefault(chat_id, set()).add(party)
                place = Place.group(registered.audience | frozenset(seen.get(chat_id, ())))

            def say(
                text: str, user: str = name, chat: str = chat_id or name, kind: ChatKind = kind
            ) -> str:
                replies = engine.handle(Inbound("console", "", user, chat, kind, text))
                return "\n".join(r.text for r in replies)

            allowed = {
                i
                for i, r in zip(ids, reports, strict=True)
                if oracle(party, role, place, r, grants[i])
            }
            incidents_allowed = {i for i in allowed if reports[ids.index(i)].kind == "incident"}
            threats_allowed = allowed - incidents_allowed
            where = f"{name} in {chat_id or 'DM'}"
            assert set(ID.findall(say("reports"))) == incidents_allowed, where
            mine = set(ID.findall(say("mine")))
            assert mine == {i for i in incidents_allowed if i.startswith(f"{party}-")}, where
            assert set(ID.findall(say("threats"))) == threats_allowed, where
            for public_id, report in zip(ids, reports, strict=True):
                verb = "incident" if report.kind == "incident" else "threat"
                shown = say(f"{verb} {public_id}")
                if public_id in allowed:
                    assert "Owner:" in shown or "likelihood" in shown, (where, shown)
                else:
                    assert "Owner:" not in shown and "likelihood" not in shown, (where, shown)
