#!/usr/bin/env python
"""Export benchmark: one state with 10,000 reports (each with an update, half linked to a
regional register entry, a third shared, with reads of the shared ones by another state) and
2,000 reports of other states around it; times the export in JSON, CSV (zip) and STIX 2.1.

    .venv/bin/python scripts/bench_export.py                    # SQLite, 10,000 reports
    .venv/bin/python scripts/bench_export.py --reports 2000 --runs 1
    .venv/bin/python scripts/bench_export.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Prints one JSON line: wall-clock milliseconds of collecting the rows and of each format (median
of the runs), and the size of each file. No target: the numbers go into the README.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from secbot.db.migrate import upgrade  # noqa: E402
from secbot.db.models import (  # noqa: E402
    AuditEvent,
    Incident,
    ReportLink,
    ReportUpdate,
    Share,
    State,
    Submission,
    ThreatEntry,
)
from secbot.db.session import Database, make_engine  # noqa: E402
from secbot.interchange.export import collect  # noqa: E402
from secbot.interchange.formats import to_csv_zip, to_json  # noqa: E402
from secbot.interchange.render import regional_titles  # noqa: E402
from secbot.interchange.stix_out import to_stix_json  # noqa: E402

STATES = ("BRB", "JAM", "TTO")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")


def seed(db: Database, reports: int, others: int) -> None:
    rng = random.Random(15)
    now = datetime.now(UTC)
    with db.transaction() as session:
        for code in STATES:
            session.add(State(code=code, name=code, last_number=0))
        for n in range(1, 6):
            session.add(ThreatEntry(code=f"RT-{n:02d}", title=f"Regional threat {n}",
                                    dimension="security", category="other", description="d",
                                    likelihood="possible", impact="moderate",
                                    lead_area="security", status="active", topics=[]))  # fmt: skip
        session.flush()
        subs, incidents, updates, links, shares, reads = [], [], [], [], [], []
        plan = [("BRB", n) for n in range(1, reports + 1)]
        plan += [(STATES[1 + n % 2], n) for n in range(1, others + 1)]
        for sid, (owner, n) in enumerate(plan, 1):
            at = now - timedelta(minutes=rng.randrange(525_600))
            tlp = rng.choice(TLPS)
            subs.append({"id": sid, "public_id": f"{owner}-{n:05d}", "owner_state": owner,
                         "kind": "incident", "tlp": tlp, "created_at": at,
                         "updated_at": at})  # fmt: skip
            incidents.append({"submission_id": sid, "category": "other", "severity": "moderate",
                              "title": f"Report {owner} {n} {uuid.uuid4().hex[:8]}",
                              "description": "Vessel seen near the harbour at night. " * 3,
                              "location": "Bridgetown", "occurred_at": at, "status": "open",
                              "latitude": 13.1, "longitude": -59.6})  # fmt: skip
            updates.append(
                {"submission_id": sid, "author_state": owner, "body": "Still open", "at": at}
            )
            if n % 2 == 0:
                links.append(
                    {"submission_id": sid, "threat_code": f"RT-{1 + n % 5:02d}", "linked_at": at}
                )
            if n % 3 == 0:
                shares.append({"submission_id": sid, "grantee": "*all", "granted_at": at})
                reader = "JAM" if owner == "BRB" else "BRB"
                reads.append({"actor": "reader (console)", "actor_party": reader,
                              "action": "read", "submission_id": sid, "owner_state": owner,
                              "detail": {"place": "direct"}, "at": at})  # fmt: skip
        for model, rows in ((Submission, subs), (Incident, incidents), (ReportUpdate, updates),
                            (ReportLink, links), (Share, shares), (AuditEvent, reads)):  # fmt: skip
            for start in range(0, len(rows), 2000):
                session.execute(insert(model), rows[start : start + 2000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    schema = ""
    if url.startswith("postgresql"):
        schema = f"bench_export_{uuid.uuid4().hex[:8]}"
        with make_engine(url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    db = Database.from_url(url)
    try:
        seed(db, args.reports, args.others)
        timings: dict[str, list[float]] = {"collect": [], "json": [], "csv": [], "stix": []}
        sizes: dict[str, int] = {}
        for _ in range(args.runs):
            with db.transaction() as session:
                start = time.perf_counter()
                export = collect(session, "BRB")
                timings["collect"].append(time.perf_counter() - start)
                titles = regional_titles(session, {f"RT-{n:02d}" for n in range(1, 6)})
            makers = {
                "json": lambda e=export: to_json(e),
                "csv": lambda e=export: to_csv_zip(e),
                "stix": lambda e=export, t=titles: to_stix_json(e, t),
            }
            for name, make in makers.items():
                start = time.perf_counter()
                sizes[name] = len(make())
                timings[name].append(time.perf_counter() - start)
        result = {
            "database": "postgresql" if schema else "sqlite",
            "reports": len(export.reports),
            "reads": len(export.reads),
            "ms": {k: round(statistics.median(v) * 1000) for k, v in timings.items()},
            "bytes": sizes,
        }
        print(json.dumps(result))
    finally:
        db.dispose()
        if schema:
            with make_engine(args.database_url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
