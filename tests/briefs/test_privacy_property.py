"""Property: for random share graphs, labels, places, periods, readers and chats, a brief counts
exactly the reports an oracle (written from the rule's text, not from secbot.access) says that
reader may see there, and nothing of any other report reaches any output: the chat message, the
Markdown, the PDF's text, the CSV, the JSON, or a label drawn on either chart."""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from secbot.access.principal import ALL, SECRETARIAT, Place, Principal
from secbot.access.scope import scope_for
from secbot.briefs import (
    Period,
    build_brief,
    render_csv,
    render_json,
    render_markdown,
    render_message,
    render_pdf,
)
from secbot.briefs.charts import bars_figure, heatmap_figure, texts
from secbot.briefs.model import category_label
from secbot.db.models import Share
from secbot.db.session import Database
from secbot.domain.enums import TLP, ChatKind, Role
from tests.support.seed import add_incident, add_regional_threat, add_states

STATES = ["BRB", "JAM", "TTO", "LCA"]
CATEGORIES = ["drug_trafficking", "cyber_incident", "natural_hazard", "firearms_trafficking"]
GRANTEES = [*STATES, ALL, SECRETARIAT]
THREATS = ["RT-90", "RT-91"]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
EXAMPLES = 120 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 25


@dataclass(frozen=True)
class Report:
    owner: str
    tlp: TLP
    category: str
    hours_ago: int
    grants: tuple[tuple[str, bool], ...]
    """(grantee, revoked)."""
    links: tuple[str, ...] = ()

    def active_grants(self) -> set[str]:
        return {g for g, revoked in self.grants if not revoked}


reports_st = st.lists(
    st.builds(
        Report,
        owner=st.sampled_from(STATES),
        tlp=st.sampled_from(list(TLP)),
        category=st.sampled_from(CATEGORIES),
        hours_ago=st.one_of(st.integers(0, 24 * 400), st.sampled_from([0, 168, 720, 2160])),
        grants=st.lists(
            st.tuples(st.sampled_from(GRANTEES), st.booleans()),
            max_size=3,
            unique_by=lambda g: g[0],
        ),
    ),
    min_size=1,
    max_size=9,
)
reader_st = st.tuples(
    st.sampled_from([*STATES, SECRETARIAT, "admin", None]),
    st.one_of(
        st.none(),
        st.lists(st.sampled_from([*STATES, SECRETARIAT]), min_size=1, max_size=3, unique=True),
    ),
)
states_st = st.one_of(st.none(), st.lists(st.sampled_from(STATES), min_size=1, max_size=2))


def make_principal(who: str | None, audience: list[str] | None) -> Principal:
    place = Place.direct() if audience is None else Place.group(frozenset(audience))
    if who is None:
        return Principal.unknown(place)
    if who == "admin":
        return Principal(SECRETARIAT, Role.SECRETARIAT_ADMIN, place)
    role = Role.SECRETARIAT if who == SECRETARIAT else Role.DELEGATE
    return Principal(who, role, place)


def oracle_sees(principal: Principal, report: Report) -> bool:
    """The rule as ARCHITECTURE.md states it."""
    party, role, place = principal.party, principal.role, principal.place
    if party is None or role is None or role is Role.SECRETARIAT_ADMIN:
        return False
    grants = report.active_grants()

    def entitled(p: str) -> bool:
        if report.owner == p:
            return True
        return report.tlp is not TLP.RED and (p in grants or ALL in grants)

    if place.kind is ChatKind.DIRECT:
        return entitled(party)
    if report.tlp not in (TLP.CLEAR, TLP.GREEN):
        return False
    assert place.audience is not None
    return all(entitled(p) for p in place.audience | {party})


def title_word(n: int) -> str:
    return f"Zyq{n:02d}k"


def place_word(n: int) -> str:
    return f"Vwx{n:02d}j"


def seed(db: Database, reports: list[Report]) -> list[str]:
    ids = []
    with db.transaction() as session:
        add_states(session, STATES)
        for code in THREATS:
            add_regional_threat(session, code, "drug_trafficking")
        for n, r in enumerate(reports):
            public_id = add_incident(
                session,
                owner=r.owner,
                occurred_at=NOW - timedelta(hours=r.hours_ago),
                category=r.category,
                tlp=r.tlp.value,
                title=f"Event {title_word(n)} seen",
                place=place_word(n),
                grantees=[g for g, _ in r.grants],
                links=r.links,
            )
            ids.append(public_id)
        for n, r in enumerate(reports):
            for grantee, revoked in r.grants:
                if revoked:
                    share = (
                        session.query(Share)
                        .filter_by(grantee=grantee)
                        .join(Share.submission)
                        .filter_by(public_id=ids[n])
                        .one()
                    )
                    share.revoked_at = NOW - timedelta(days=1)
    return ids


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    reports=reports_st,
    who=reader_st,
    period=st.sampled_from(list(Period)),
    states=states_st,
)
def test_brief_counts_what_the_reader_may_see_and_shows_nothing_else(
    fresh_db_factory: Callable[[], Database],
    reports: list[Report],
    who: tuple[str | None, list[str] | None],
    period: Period,
    states: list[str] | None,
) -> None:
    db = fresh_db_factory()
    ids = seed(db, reports)
    principal = make_principal(*who)
    with db.transaction() as session:
        brief = build_brief(
            session,
            scope_for(principal),
            reader="someone",
            period=period,
            states=states,
            now=NOW,
        )

    def counted(r: Report) -> bool:
        in_period = 0 < r.hours_ago <= period.days * 24
        return in_period and (states is None or r.owner in states) and oracle_sees(principal, r)

    expected = {ids[n] for n, r in enumerate(reports) if counted(r)}
    assert {it.public_id for it in brief.incidents} == expected
    assert Counter(brief.by_category) == Counter(r.category for r in reports if counted(r))
    assert Counter(brief.by_state) == Counter(r.owner for r in reports if counted(r))

    def previous(r: Report) -> bool:
        in_previous = period.days * 24 < r.hours_ago <= 2 * period.days * 24
        return in_previous and (states is None or r.owner in states) and oracle_sees(principal, r)

    expected_threats = {
        code: (
            sum(1 for r in reports if counted(r) and code in r.links),
            sum(1 for r in reports if previous(r) and code in r.links),
        )
        for code in THREATS
    }
    assert {t.code: (t.current, t.previous) for t in brief.threats} == {
        code: counts for code, counts in expected_threats.items() if any(counts)
    }

    data = json.loads(render_json(brief))
    assert sorted(data["incidents"]) == sorted(expected) and data["total"] == len(expected)
    order = list(TLP)
    assert all(order.index(it.tlp) <= order.index(brief.tlp) for it in brief.incidents)

    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(brief))).pages)
    chart_text = "\n".join(texts(bars_figure(brief)) + texts(heatmap_figure(brief)))
    outputs = {
        "message": render_message(brief),
        "markdown": render_markdown(brief),
        "csv": render_csv(brief).decode(),
        "json": json.dumps(data),
        "pdf": pdf_text,
        "charts": chart_text,
    }
    visible_anywhere = {n for n, r in enumerate(reports) if oracle_sees(principal, r)}
    for n in range(len(reports)):
        if n in visible_anywhere:
            continue
        for name, text in outputs.items():
            for secret in (ids[n], title_word(n), place_word(n)):
                assert secret not in text, f"{secret} of an invisible report is in the {name}"
    seen_categories = {r.category for n, r in enumerate(reports) if n in visible_anywhere}
    for category in set(CATEGORIES) - seen_categories:
        assert category_label(category) not in chart_text
        assert category not in data["by_category"]
