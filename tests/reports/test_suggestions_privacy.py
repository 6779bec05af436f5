"""Property: similar-report suggestions and `threat CODE` activity equal an oracle computed over
exactly the submissions the principal may see in that chat, for random states, shares, TLP
labels, places, times, texts and links; and the filing reply names no other report.

The oracle reuses the rule as tests/access writes it (independently of secbot.access) and its
own matching criteria written from the issue's text (same place or within 5 km and 48 h, or
word-set Jaccard >= 0.75 over 4+ words within 7 days).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from secbot.access.principal import ALL, SECRETARIAT, Place, Principal
from secbot.access.scope import scope_for
from secbot.db.models import ReportLink
from secbot.db.session import Database
from secbot.domain.enums import TLP, ChatKind, Role, Severity
from secbot.domain.places import GazetteerPlace, PlaceFound
from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound
from secbot.reports import incidents, links, sharing, similar
from secbot.reports.incidents import IncidentInput
from tests.access.test_visibility_property import (
    STATES,
    Report,
    audience_parties,
    audience_st,
    build_world,
    oracle,
    principal,
)
from tests.support.seed import add_regional_threat

EXAMPLES = 150 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 30
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SPOTS = [  # name, lat, lon: A and B are 1.3 km apart, C is far from both
    ("A", 13.250, -59.643),
    ("B", 13.262, -59.644),
    ("C", 13.075, -59.492),
    ("", None, None),
]
WORDS = ["vessel", "cocaine", "harbour", "robbery", "market", "storm", "flooding", "ransomware"]
CODES = ["RT-01", "RT-02"]
ID = re.compile(r"\b[A-Z]{3}-\d{4}\b")

incident_st = st.tuples(
    st.sampled_from(STATES),
    st.sampled_from(list(TLP)),
    st.sampled_from(range(len(SPOTS))),
    st.integers(-80, 80),  # hours from T0
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(CODES), max_size=2, unique=True),
)


def close(
    a: tuple[str, float | None, float | None], b: tuple[str, float | None, float | None]
) -> bool:
    if a[0] and a[0] == b[0]:
        return True
    if None in (a[1], a[2], b[1], b[2]):
        return False
    dy = (a[1] - b[1]) * 111.2  # type: ignore[operator]
    dx = (a[2] - b[2]) * 111.2 * math.cos(math.radians(a[1]))  # type: ignore[operator]
    return math.hypot(dx, dy) <= 5.0


def jaccard(a: str, b: str) -> float:
    x, y = set(a.split()), set(b.split())
    if min(len(x), len(y)) < similar.MIN_TERMS:
        return 0.0
    return len(x & y) / len(x | y)


@settings(max_examples=EXAMPLES)
@given(
    rows=st.lists(incident_st, min_size=1, max_size=8),
    shares=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from([*STATES, "all", "secretariat"])), max_size=8
    ),
    audience=audience_st,
    probe=st.tuples(
        st.sampled_from(range(len(SPOTS))),
        st.integers(-80, 80),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True),
    ),
    filer=st.sampled_from(STATES),
)
def test_suggestions_and_activity_match_the_oracle(
    fresh_db_factory: Callable[[], Database],
    rows: list[tuple[str, TLP, int, int, list[str], list[str]]],
    shares: list[tuple[int, str]],
    audience: str,
    probe: tuple[int, int, list[str]],
    filer: str,
) -> None:
    db = fresh_db_factory()
    build_world(db)
    owners = {s: principal(db, f"fp-{s}") for s in STATES}
    with db.transaction() as session:
        for code in CODES:
            add_regional_threat(session, code, "other", title=code)
    ids: list[str] = []
    with db.transaction() as session:
        for owner, tlp, spot, hours, words, codes in rows:
            name, lat, lon = SPOTS[spot]
            gaz = GazetteerPlace(owner, name, "r", "town", lat, lon) if name and lat else None
            data = IncidentInput(
                "other",
                Severity.LOW,
                " ".join(words),
                " ".join(words),
                name,
                T0 + timedelta(hours=hours),
                tlp,
                PlaceFound(name, gaz, lat, lon),
            )
            sub = incidents.file_incident(session, owners[owner], data)
            ids.append(sub.public_id)
            for code in codes:
                session.add(ReportLink(submission_id=sub.id, threat_code=code))
    grants: dict[str, set[str]] = {i: set() for i in ids}
    for index, grantee in shares:
        if index >= len(ids):
            continue
        token = {"all": ALL, "secretariat": SECRETARIAT}.get(grantee, grantee)
        if grantee == rows[index][0] or rows[index][1] is TLP.RED:
            continue
        with db.transaction() as session:
            sharing.share(session, owners[rows[index][0]], ids[index], [grantee])
        grants[ids[index]].add(token)

    spot, hours, words = probe
    p_name, p_lat, p_lon = SPOTS[spot]
    p_at = T0 + timedelta(hours=hours)
    p_text = " ".join(words)
    base = owners[filer]
    for place in (Place.direct(), Place.group(audience_parties(audience))):
        who = Principal(base.party, base.role, place, base.member_id, base.label)
        visible = {
            pid
            for pid, row in zip(ids, rows, strict=True)
            if oracle(who.party, who.role, place, Report(row[0], row[1], "incident"), grants[pid])
        }
        expected = set()
        for pid, (_, _, s, h, w, _) in zip(ids, rows, strict=True):
            if pid not in visible:
                continue
            dt = abs(h - hours)
            near = dt <= 48 and close(SPOTS[s], SPOTS[spot])
            text = dt <= 7 * 24 and jaccard(" ".join(w), p_text) >= similar.TEXT_THRESHOLD
            if near or text:
                expected.add(pid)
        with db.transaction() as session:
            scope = scope_for(who)
            got = similar.similar_reports(
                session, scope, similar.Filing(p_text, p_at, p_name, p_lat, p_lon), limit=100
            )
            assert {s.submission.public_id for s in got} == expected
            top = similar.similar_reports(
                session, scope, similar.Filing(p_text, p_at, p_name, p_lat, p_lon)
            )
            assert len(top) == min(3, len(expected))
            for code in CODES:
                months = links.threat_activity(session, scope, code)
                shown = {pid for m in months for pid in m.public_ids}
                linked = {pid for pid, row in zip(ids, rows, strict=True) if code in row[5]}
                assert shown == linked & visible
            sub_ids = {pid: sid for pid, sid in _ids(session, ids)}
            got_links = links.linked_threats(session, scope, list(sub_ids.values()))
            by_pid = {pid: got_links.get(sid, []) for pid, sid in sub_ids.items()}
            for pid, row in zip(ids, rows, strict=True):
                want = sorted(row[5]) if pid in visible else []
                assert by_pid[pid] == want

    # Through the engine: the filer's reply names only reports the filer may see in a DM.
    dm_visible = {
        pid
        for pid, row in zip(ids, rows, strict=True)
        if oracle(
            filer, Role.FOCAL_POINT, Place.direct(), Report(row[0], row[1], "incident"), grants[pid]
        )
    }
    engine = Engine(db, clock=lambda: p_at + timedelta(hours=1))
    replies = engine.handle(
        Inbound("console", "", f"fp-{filer}", f"fp-{filer}", ChatKind.DIRECT, f"report {p_text}")
    )
    said = "\n".join(r.text for r in replies) + " ".join(
        b.payload for r in replies for row in r.buttons for b in row
    )
    named = set(ID.findall(said))
    new = {i for i in named if i not in ids}
    assert named - new <= dm_visible, (named, dm_visible)


def _ids(session: object, public_ids: list[str]) -> list[tuple[str, int]]:
    from sqlalchemy import select

    from secbot.db.models import Submission

    rows = session.execute(  # type: ignore[attr-defined]
        select(Submission.public_id, Submission.id).where(Submission.public_id.in_(public_ids))
    )
    return [(pid, sid) for pid, sid in rows]
