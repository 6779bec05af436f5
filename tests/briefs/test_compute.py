"""The brief's arithmetic: periods, thresholds, the change table, first-seen values, the TLP,
the secretariat's alert figures, and the formats agreeing on one set of numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from secbot.access.principal import ALL, SECRETARIAT, Place, Principal
from secbot.access.scope import scope_for
from secbot.briefs import (
    Period,
    build_brief,
    parse_period,
    render_csv,
    render_json,
    render_markdown,
    render_message,
    render_pdf,
)
from secbot.briefs.changes import (
    LARGE_DECREASE,
    LARGE_INCREASE,
    LIMITED,
    MODERATE_INCREASE,
    classify,
)
from secbot.db.models import Alert, AlertAck, Member
from secbot.db.session import Database
from secbot.domain.enums import TLP, Role
from secbot.domain.errors import InvalidInput
from tests.support.seed import add_incident, add_regional_threat, add_states

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def reader(party: str, role: Role = Role.DELEGATE, place: Place | None = None) -> Principal:
    return Principal(party, role, place or Place.direct(), label=f"reader-{party}")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("", Period.WEEK),
        ("month", Period.MONTH),
        ("30d", Period.MONTH),
        ("Quarter", Period.QUARTER),
        ("365d", Period.YEAR),
        ("year", Period.YEAR),
        ("weekly", Period.WEEK),
    ],
)
def test_periods_read_as_typed(text: str, period: Period) -> None:
    assert parse_period(text) is period


def test_unknown_period_is_refused_with_the_words_that_work() -> None:
    with pytest.raises(InvalidInput, match="week, month, quarter or year"):
        parse_period("fortnight")


@pytest.mark.parametrize(
    ("count", "mean", "trend"),
    [
        (5, 2.0, LIMITED),  # low-baseline guard, +150 %
        (6, 2.0, LARGE_INCREASE),  # guard no longer applies
        (3, 0.0, LIMITED),  # new but tiny
        (6, 0.0, LARGE_INCREASE),
        (13, 10.0, LARGE_INCREASE),  # +30 %
        (12, 10.0, MODERATE_INCREASE),  # +20 %
        (11, 10.0, MODERATE_INCREASE),  # +10 % is moderate
        (10, 10.0, LIMITED),
        (8, 10.0, LIMITED),  # -20 %
        (7, 10.0, LARGE_DECREASE),  # -30 %
        (0, 3.0, LARGE_DECREASE),
    ],
)
def test_change_thresholds(count: int, mean: float, trend: str) -> None:
    assert classify(count, mean) == trend


def _world(db: Database) -> dict[str, str]:
    """JAM: 8 drug reports in the last 7 days, 1 a week over the previous year; TTO: a first
    firearms report; BRB: a private report; one JAM report shared with BRB."""
    ids: dict[str, str] = {}
    with db.transaction() as session:
        add_states(session, ["JAM", "TTO", "BRB"])
        for n in range(8):
            add_incident(
                session, owner="JAM", occurred_at=NOW - timedelta(days=1, hours=n), grantees=[ALL]
            )
        for week in range(2, 52):
            add_incident(
                session,
                owner="JAM",
                occurred_at=NOW - timedelta(weeks=week, hours=1),
                grantees=[ALL],
                place="Kingston",
            )
        ids["tto"] = add_incident(
            session,
            owner="TTO",
            occurred_at=NOW - timedelta(days=2),
            category="firearms_trafficking",
            place="Chaguaramas",
            severity="critical",
            title="Rifles found in a container",
            grantees=[ALL],
        )
        ids["brb_private"] = add_incident(
            session,
            owner="BRB",
            occurred_at=NOW - timedelta(days=3),
            category="cyber_incident",
            tlp="AMBER",
            place="Bridgetown",
            title="Ransomware at the port authority",
        )
        ids["jam_to_brb"] = add_incident(
            session,
            owner="JAM",
            occurred_at=NOW - timedelta(days=3),
            category="human_trafficking",
            tlp="AMBER",
            place="Montego Bay",
            grantees=["BRB"],
        )
    return ids


def test_counts_changes_and_first_seen_for_a_reader(db: Database) -> None:
    ids = _world(db)
    with db.transaction() as session:
        brief = build_brief(
            session, scope_for(reader("TTO")), reader="t", period=Period.WEEK, states=None, now=NOW
        )
    assert brief.total == 9  # 8 JAM + 1 TTO; the BRB and JAM->BRB reports are not TTO's to see
    assert ids["brb_private"] not in {i.public_id for i in brief.incidents}
    assert ids["jam_to_brb"] not in {i.public_id for i in brief.incidents}
    assert brief.by_state == {"JAM": 8, "TTO": 1}
    assert brief.figures.previous == 0  # week 1 is empty, the weekly series starts at week 2
    assert brief.figures.trailing_mean == pytest.approx(50 * 7 / 364, abs=0.01)
    rows = {(r.category, r.state): r for r in brief.changes}
    assert rows[("drug_trafficking", "JAM")].trend == LARGE_INCREASE  # 8 against ~1 a week
    assert rows[("firearms_trafficking", "TTO")].trend == LIMITED  # 1 against 0: guard
    assert "firearms_trafficking" in brief.first_seen_categories
    assert "Chaguaramas" in brief.first_seen_places
    assert "Kingston" not in brief.first_seen_places
    assert brief.notable[0].public_id == ids["tto"]  # critical first
    assert brief.tlp is TLP.GREEN
    assert brief.figures.alerts_sent is None  # not the secretariat
    assert brief.caveat.startswith("9 reports you may see")


def test_the_brief_carries_the_highest_label_it_includes(db: Database) -> None:
    ids = _world(db)
    with db.transaction() as session:
        brief = build_brief(
            session, scope_for(reader("BRB")), reader="b", period=Period.WEEK, states=None, now=NOW
        )
    shown = {i.public_id for i in brief.incidents}
    assert {ids["brb_private"], ids["jam_to_brb"]} <= shown
    assert brief.tlp is TLP.AMBER
    assert brief.total == 11


def test_a_group_counts_only_what_every_party_may_see(db: Database) -> None:
    ids = _world(db)
    room = Place.group(frozenset({"BRB", "TTO"}))
    with db.transaction() as session:
        brief = build_brief(
            session,
            scope_for(reader("BRB", place=room)),
            reader="b",
            period=Period.WEEK,
            states=None,
            now=NOW,
        )
    assert ids["brb_private"] not in {i.public_id for i in brief.incidents}
    assert brief.total == 9 and brief.tlp is TLP.GREEN


def test_states_filter_and_unknown_reader_sees_nothing(db: Database) -> None:
    _world(db)
    with db.transaction() as session:
        only_tto = build_brief(
            session,
            scope_for(reader("JAM")),
            reader="j",
            period=Period.MONTH,
            states=["tto"],
            now=NOW,
        )
        nobody = build_brief(
            session,
            scope_for(Principal.unknown()),
            reader="?",
            period=Period.YEAR,
            states=None,
            now=NOW,
        )
    assert only_tto.by_state == {"TTO": 1}
    assert nobody.total == 0 and nobody.tlp is TLP.CLEAR
    assert "No reports you may see" in render_message(nobody)


def test_secretariat_sees_alerts_sent_and_the_acknowledgement_rate(db: Database) -> None:
    _world(db)
    with db.transaction() as session:
        member = Member(platform="console", user_id="sam", role="secretariat")
        session.add(member)
        session.flush()
        for n in range(4):
            alert = Alert(
                identifier=f"a-{n}",
                headline="h",
                body="b",
                severity="Severe",
                urgency="Expected",
                certainty="Likely",
                category="Security",
                audience_kind="all",
                sender="s",
                origin="chat",
                created_at=NOW - timedelta(days=n + 1),
            )
            session.add(alert)
            session.flush()
            if n == 0:
                session.add(AlertAck(alert_id=alert.id, member_id=member.id, party=SECRETARIAT))
        brief = build_brief(
            session,
            scope_for(reader(SECRETARIAT, Role.SECRETARIAT)),
            reader="s",
            period=Period.WEEK,
            states=None,
            now=NOW,
        )
    assert brief.figures.alerts_sent == 4
    assert brief.figures.ack_rate == pytest.approx(0.25)
    assert brief.total == 9  # the shared-with-all ones only
    assert "Alerts sent: 4 (25% acknowledged)" in render_message(brief)


def test_every_format_holds_the_same_numbers(db: Database) -> None:
    _world(db)
    with db.transaction() as session:
        brief = build_brief(
            session,
            scope_for(reader("TTO")),
            reader="t",
            period=Period.MONTH,
            states=None,
            now=NOW,
            next_issue=NOW + timedelta(days=30),
        )
    data = json.loads(render_json(brief))
    assert data["period"] == "30d" and data["tlp"] == "GREEN"
    assert data["total"] == brief.total == len(data["incidents"])
    assert sum(data["by_category"].values()) == sum(data["by_state"].values()) == brief.total
    rows = list(csv.reader(io.StringIO(render_csv(brief).decode())))
    assert rows[0][0] == "TLP:GREEN"
    assert sorted(r[0] for r in rows[2:]) == sorted(data["incidents"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(brief))).pages)
    assert "TLP:GREEN" in text and f"{brief.total} reports you may see" in text
    assert "Next issue: 29 Dec 2026" in render_markdown(brief)
    for heading in ("Bottom line", "Key figures", "Threat-register activity", "Notable"):
        assert heading in text


def test_threat_activity_counts_linked_reports_the_reader_may_see(db: Database) -> None:
    with db.transaction() as session:
        add_states(session, ["JAM", "TTO"])
        add_regional_threat(session, "RT-90", "drug_trafficking", "Cocaine through the chain")
        add_regional_threat(session, "RT-91", "firearms_trafficking", "Guns")
        for days in (1, 2, 3):
            add_incident(
                session,
                owner="JAM",
                occurred_at=NOW - timedelta(days=days),
                grantees=[ALL],
                links=["RT-90"],
            )
        add_incident(
            session,
            owner="JAM",
            occurred_at=NOW - timedelta(days=9),
            grantees=[ALL],
            links=["RT-90"],
        )
        add_incident(  # private to JAM: TTO must not count its link
            session, owner="JAM", occurred_at=NOW - timedelta(days=1), links=["RT-91"]
        )
        tto = build_brief(
            session,
            scope_for(reader("TTO")),
            reader="t",
            period=Period.WEEK,
            states=None,
            now=NOW,
        )
        jam = build_brief(
            session,
            scope_for(reader("JAM")),
            reader="j",
            period=Period.WEEK,
            states=None,
            now=NOW,
        )
    assert [(t.code, t.current, t.previous, t.rising) for t in tto.threats] == [
        ("RT-90", 3, 1, True)
    ]
    assert {t.code: t.current for t in jam.threats} == {"RT-90": 3, "RT-91": 1}
    assert "RT-91" not in render_markdown(tto) and "Guns" not in render_markdown(tto)
    assert "RT-90 Cocaine through the chain: 3 (1 before) rising" in render_markdown(tto)
