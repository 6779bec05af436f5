#!/usr/bin/env python
"""Trend-brief benchmark: a year's brief over 10,000 reports from 15 states, charts and PDF
included, against a same-process baseline (one SQL count of the same reports).

    .venv/bin/python scripts/bench_brief.py                        # SQLite, 10,000 reports
    .venv/bin/python scripts/bench_brief.py --reports 2000 --runs 2
    .venv/bin/python scripts/bench_brief.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Reports are spread over one year, across the taxonomy's categories; 60 % are shared with all,
10 % with a named state, the rest private, with random TLP labels; 70 % of those whose category
has a regional register entry are linked to one. The reader is the secretariat in a direct
message (it sees what was shared with all and with it), so the visibility filter and post-check
do real work. Each run times: build_brief, the message, both charts, the PDF, CSV and JSON.
Prints one JSON line (wall-clock milliseconds per step, and `cpu_ms`: the process's CPU time
for the whole brief, which a machine shared with other work inflates far less than wall time);
exits 1 when the median total is over the target (2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import synthetic_reports  # noqa: E402

from secbot import briefs  # noqa: E402
from secbot.access.principal import SECRETARIAT, Place, Principal  # noqa: E402
from secbot.access.scope import scope_for  # noqa: E402
from secbot.db.migrate import upgrade  # noqa: E402
from secbot.db.models import (  # noqa: E402
    Incident,
)
from secbot.db.session import Database, make_engine  # noqa: E402
from secbot.domain.enums import Role  # noqa: E402

STATES = [
    "ATG", "BHS", "BRB", "BLZ", "DMA", "GRD", "GUY", "HTI",
    "JAM", "KNA", "LCA", "VCT", "SUR", "TTO", "MSR",
]  # fmt: skip
TLPS = ["CLEAR", "GREEN", "GREEN", "AMBER", "AMBER", "AMBER+STRICT", "RED"]
TARGET_S = 2.0
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def seed(db: Database, count: int, rng: random.Random) -> None:
    synthetic_reports.write(
        db, synthetic_reports.uniform_year(count, rng, NOW, STATES, TLPS), STATES, rng, NOW
    )


def baseline(db: Database, start: datetime) -> float:
    """The cheapest honest comparison: count the same year's reports in SQL."""
    began = time.perf_counter()
    with db.transaction() as session:
        session.scalar(
            select(func.count()).select_from(Incident).where(Incident.occurred_at >= start)
        )
    return time.perf_counter() - began


def one_run(db: Database) -> dict[str, float]:
    principal = Principal(SECRETARIAT, Role.SECRETARIAT, Place.direct(), label="bench")
    timings: dict[str, float] = {}
    began = time.perf_counter()
    cpu_began = time.process_time()
    with db.transaction() as session:
        brief = briefs.build_brief(
            session,
            scope_for(principal),
            reader="bench",
            period=briefs.Period.YEAR,
            states=None,
            now=NOW,
        )
    timings["compute"] = time.perf_counter() - began
    timings["cpu_compute"] = time.process_time() - cpu_began
    made: dict[str, object] = {}
    steps = {
        "message": briefs.render_message,
        "chart": briefs.render_chart_png,
        "heatmap": briefs.render_heatmap_png,
        "pdf": lambda b: briefs.render_pdf(b, chart_png=made["chart"], heatmap_png=made["heatmap"]),
        "csv": briefs.render_csv,
        "json": briefs.render_json,
    }
    for name, step in steps.items():
        t, cpu = time.perf_counter(), time.process_time()
        made[name] = step(brief)  # type: ignore[operator]
        timings[name] = time.perf_counter() - t
        timings[f"cpu_{name}"] = time.process_time() - cpu
    timings["total"] = time.perf_counter() - began
    timings["cpu"] = time.process_time() - cpu_began
    timings["counted"] = brief.total
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        schema = ""
        if args.database_url:
            schema = f"bench_brief_{uuid.uuid4().hex[:8]}"
            admin = make_engine(args.database_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.database_url}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        db = Database.from_url(url)
        try:
            began = time.perf_counter()
            seed(db, args.reports, random.Random(args.seed))
            seeded = time.perf_counter() - began
            runs = [one_run(db) for _ in range(args.runs)]
            base = statistics.median(baseline(db, NOW - timedelta(days=365)) for _ in range(5))
        finally:
            db.dispose()
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "database": "postgresql" if args.database_url else "sqlite",
        "reports": args.reports,
        "counted": int(median["counted"]),
        "seed_s": round(seeded, 2),
        "runs": args.runs,
        **{f"{k}_ms": round(v * 1000, 1) for k, v in median.items() if k != "counted"},
        "first_total_ms": round(runs[0]["total"] * 1000, 1),
        "max_total_ms": round(max(r["total"] for r in runs) * 1000, 1),
        "baseline_count_ms": round(base * 1000, 2),
        "ratio_to_baseline": round(median["total"] / base, 1) if base else None,
        "target_ms": TARGET_S * 1000,
    }
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["cpus"] = os.cpu_count()
    print(json.dumps(result))
    return 0 if median["total"] <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
