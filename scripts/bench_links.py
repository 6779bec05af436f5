#!/usr/bin/env python
"""What the link suggestion and the similar-report check add to filing a report.

Target (issue 13): <= 50 ms p95 added, with 10,000 reports and the threat register indexed.

    .venv/bin/python scripts/bench_links.py                   # 10,000 reports, real MiniLM
    .venv/bin/python scripts/bench_links.py --reports 500 --filings 50 --embedder hashing

In one process and a fresh temporary data dir (SQLite, embedded Chroma):
1. builds the app with the repository's knowledge/ indexed (the register included), with the
   packaged MiniLM embedder (or the hashing one for a smoke run);
2. files N synthetic reports over one year across 15 states (gazetteer places with coordinates,
   random TLP labels and shares), in large transactions of their own (not indexed: the checks
   read reports from SQL; the retriever is asked for threat kinds only);
3. times, alternately and each in a transaction that is rolled back (so every sample sees the
   same data), with the embedder's recent texts emptied first: filing alone (`file_incident`
   and the report's index embedding, as the commit hook does), and the filing path with its
   checks (`similar_reports` under the filer's Scope, filing, `suggest_threats` ranked by
   meaning on the report's index text, then the index embedding, which finds that vector).
   "added" is the second minus the first, sample by sample.
Prints a table and writes JSON (--out): p50/p95 of each, the p95 added and its ratio to filing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from secbot.access.principal import Place, Principal  # noqa: E402
from secbot.access.scope import scope_for  # noqa: E402
from secbot.config import Settings  # noqa: E402
from secbot.db.models import (  # noqa: E402
    Member,
    State,
    Submission,
)
from secbot.db.session import Database  # noqa: E402
from secbot.domain.enums import TLP, Role, Severity  # noqa: E402
from secbot.domain.places import PlaceFound  # noqa: E402
from secbot.domain.taxonomy import CATEGORIES  # noqa: E402
from secbot.entrypoints.bootstrap import build  # noqa: E402
from secbot.knowledge.units import submission_unit  # noqa: E402
from secbot.registers.places import places_of  # noqa: E402
from secbot.reports import link_suggest, similar  # noqa: E402
from secbot.reports.incidents import IncidentInput, file_incident  # noqa: E402
from secbot.reports.sharing import share  # noqa: E402

TARGET_ADDED_P95_MS = 50.0
EPOCH = datetime(2025, 12, 1, tzinfo=UTC)
EXTRA = [("HTI", "Haiti"), ("DOM", "Dominican Republic")]
TEXTS = [
    "Go-fast boat landing cocaine bales near {place}",
    "Migrants landed by a smuggling boat at {place}",
    "Ransomware locked the billing servers of the utility at {place}",
    "Flash flooding after heavy rain at {place}, households evacuated",
    "Handguns found hidden in a barrel shipment at {place}",
    "Foreign trawler fishing illegally off {place}",
    "Oil sheen reported by fishermen off {place}",
    "Armed robbery of a money courier at {place}",
]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup(db: Database, reports: int, rng: random.Random) -> dict[str, Principal]:
    with db.transaction() as session:
        for code, name in EXTRA:
            if session.get(State, code) is None:
                session.add(State(code=code, name=name))
        session.flush()
        codes = sorted(session.scalars(select(State.code)))
        for code in codes:
            session.add(
                Member(
                    platform="console",
                    workspace="",
                    user_id=f"fp-{code}",
                    state_code=code,
                    role=Role.FOCAL_POINT.value,
                )
            )
    principals: dict[str, Principal] = {}
    with db.transaction() as session:
        for member in session.scalars(select(Member)):
            assert member.state_code is not None
            principals[member.state_code] = Principal(
                member.state_code, Role.FOCAL_POINT, Place.direct(), member.id, member.user_id
            )
        gazetteer = {c: places_of(session, c) for c in principals}
    states = sorted(principals)
    done = 0
    while done < reports:
        with db.transaction() as session:
            for _ in range(min(2500, reports - done)):
                owner = rng.choice(states)
                spots = gazetteer[owner]
                spot = rng.choice(spots) if spots else None
                name = spot.name if spot else "the main port"
                text = rng.choice(TEXTS).format(place=name)
                sub = file_incident(
                    session,
                    principals[owner],
                    IncidentInput(
                        rng.choice(CATEGORIES).key,
                        Severity.LOW,
                        text,
                        text,
                        name,
                        EPOCH + timedelta(minutes=rng.randrange(365 * 24 * 60)),
                        rng.choice(list(TLP)),
                        PlaceFound(
                            name, spot, spot.lat if spot else None, spot.lon if spot else None
                        ),
                    ),
                )
                if sub.tlp != TLP.RED.value and rng.random() < 0.3:
                    share(
                        session,
                        principals[owner],
                        sub.public_id,
                        [rng.choice(["all", *(s for s in states if s != owner)])],
                    )
                done += 1
    return principals


PARTS: dict[str, list[float]] = {"similar": [], "link_suggestion": []}
CPU: dict[str, list[float]] = {"filing": [], "with_checks": []}
"""The process's CPU time per sample (ms): on a machine shared with other work, wall time
mostly measures the wait for a core."""
"""Each check's own time per filing (ms), so the target can be read for the link suggestion."""


def index_embedding(session: Session, submission: Submission, asker: Any) -> None:
    """What indexing the filed report costs in the model after the commit (the bulk of it):
    embedding its index text. Part of filing with or without the checks."""
    unit = submission_unit(submission, frozenset())
    assert unit is not None
    asker.retriever.embedder.embed_documents([unit.text])


def forget_vectors(asker: Any) -> None:
    """Each sample starts with the embedder's recent texts empty (as for a new report)."""
    recent = getattr(asker.retriever.embedder, "_recent", None)
    if recent is not None:
        recent.clear()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--filings", type=int, default=300)
    parser.add_argument("--embedder", default="local", help="local (MiniLM) or hashing")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "links.json")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--no-reuse",
        action="store_true",
        help="forget every vector at once (the embedding made for the suggestions is made again "
        "when indexing): the before-and-after comparison in the same code",
    )
    args = parser.parse_args(argv)
    rng = random.Random(13)
    if args.no_reuse:
        from secbot.knowledge import embeddings

        embeddings.RECENT_TEXTS = 0
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-links-"))
    settings = Settings(
        data_dir=folder / "var",
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        knowledge_dir=REPO / "knowledge",
        embeddings=args.embedder,
    )
    started = time.perf_counter()
    app = build(settings)
    asker = app.asker
    assert asker is not None
    built = time.perf_counter() - started
    db = Database.from_url(settings.database_url)  # no index hooks: reports stay SQL-only
    started = time.perf_counter()
    principals = setup(db, args.reports, rng)
    loaded = time.perf_counter() - started
    states = sorted(principals)
    filing_ms: list[float] = []
    checks_ms: list[float] = []
    similar_found = 0
    for n in range(args.filings):
        owner = rng.choice(states)
        who = principals[owner]
        with db.reading() as session:
            spots = places_of(session, owner)
        spot = rng.choice(spots) if spots else None
        name = spot.name if spot else "the main port"
        text = rng.choice(TEXTS).format(place=name) + f" (sample {n})"
        at = EPOCH + timedelta(minutes=rng.randrange(365 * 24 * 60))
        found = PlaceFound(name, spot, spot.lat if spot else None, spot.lon if spot else None)
        data = IncidentInput("other", Severity.LOW, text, text, name, at, TLP.AMBER, found)

        def filing(who: Principal = who, data: IncidentInput = data) -> float:
            """Filing alone: the report, then its index embedding (after the commit)."""
            forget_vectors(asker)
            with Session(db.engine) as session, session.begin():
                t, cpu = time.perf_counter(), time.process_time()
                sub = file_incident(session, who, data)
                session.flush()
                index_embedding(session, sub, asker)
                elapsed = time.perf_counter() - t
                CPU["filing"].append((time.process_time() - cpu) * 1000)
                session.rollback()
            return elapsed

        def with_checks(who: Principal = who, data: IncidentInput = data) -> float:
            """The filing path: similar check, filing, link suggestion, index embedding."""
            nonlocal similar_found
            forget_vectors(asker)
            with Session(db.engine) as session, session.begin():
                t, cpu = time.perf_counter(), time.process_time()
                scope = scope_for(who)
                place = data.place or PlaceFound("")
                started = time.perf_counter()
                hits = similar.similar_reports(
                    session,
                    scope,
                    similar.Filing(
                        data.description, data.occurred_at, place.name, place.lat, place.lon
                    ),
                )
                PARTS["similar"].append((time.perf_counter() - started) * 1000)
                similar_found += bool(hits)
                sub = file_incident(session, who, data)
                session.flush()
                unit = submission_unit(sub, frozenset())
                assert unit is not None
                started = time.perf_counter()
                link_suggest.suggest_threats(
                    session,
                    scope,
                    data.description,
                    data.category,
                    lambda q, c: list(asker.closest(q, c, k=5)),
                    meaning_text=unit.text,
                )
                PARTS["link_suggestion"].append((time.perf_counter() - started) * 1000)
                index_embedding(session, sub, asker)
                elapsed = time.perf_counter() - t
                CPU["with_checks"].append((time.process_time() - cpu) * 1000)
                session.rollback()
            return elapsed

        pair = (filing, with_checks) if n % 2 else (with_checks, filing)
        times = {step: step() * 1000 for step in pair}
        filing_ms.append(times[filing])
        checks_ms.append(times[with_checks] - times[filing])
    totals = [a + b for a, b in zip(filing_ms, checks_ms, strict=True)]
    cpu_added = [b - a for a, b in zip(CPU["filing"], CPU["with_checks"], strict=True)]
    result: dict[str, Any] = {
        "config": {
            "reports": args.reports,
            "filings": args.filings,
            "embedder": args.embedder,
            "reuse_vectors": not args.no_reuse,
            "states": len(states),
        },
        "setup_s": {"build_and_index_knowledge": round(built, 1), "file_reports": round(loaded, 1)},
        "filing_ms": {"p50": round(p(filing_ms, 0.5), 2), "p95": round(p(filing_ms, 0.95), 2)},
        "checks_ms": {
            "p50": round(p(checks_ms, 0.5), 2),
            "p95": round(p(checks_ms, 0.95), 2),
            "mean": round(statistics.mean(checks_ms), 2),
        },
        "filing_with_checks_ms": {
            "p50": round(p(totals, 0.5), 2),
            "p95": round(p(totals, 0.95), 2),
        },
        **{
            f"{name}_ms": {"p50": round(p(ms, 0.5), 2), "p95": round(p(ms, 0.95), 2)}
            for name, ms in PARTS.items()
        },
        "added_p95_ratio": round(p(totals, 0.95) / p(filing_ms, 0.95), 2),
        "cpu_filing_ms": {
            "p50": round(p(CPU["filing"], 0.5), 2),
            "p95": round(p(CPU["filing"], 0.95), 2),
        },
        "cpu_added_ms": {
            "p50": round(p(cpu_added, 0.5), 2),
            "p95": round(p(cpu_added, 0.95), 2),
            "mean": round(statistics.mean(cpu_added), 2),
        },
        "filings_with_a_similar_report": similar_found,
        "target_added_p95_ms": TARGET_ADDED_P95_MS,
        "added_p95_meets_target": p(checks_ms, 0.95) <= TARGET_ADDED_P95_MS,
        "cpu_added_p95_meets_target": p(cpu_added, 0.95) <= TARGET_ADDED_P95_MS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for key, value in result.items():
        print(f"{key:32} {value}")
    db.dispose()
    app.db.dispose()
    return result


if __name__ == "__main__":
    main()
