#!/usr/bin/env python
"""Render what a delegation receives, from synthetic data, into docs/briefs/: the weekly-bars
chart, the heatmap, the PDF, and its first page as a PNG (when `pdftoppm` is installed).

    .venv/bin/python scripts/render_brief_samples.py [--out docs/briefs]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import synthetic_reports  # noqa: E402

from secbot import briefs  # noqa: E402
from secbot.access.principal import Place, Principal  # noqa: E402
from secbot.access.scope import scope_for  # noqa: E402
from secbot.db.migrate import upgrade  # noqa: E402
from secbot.db.session import Database, make_engine  # noqa: E402
from secbot.domain.enums import Role  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STATES = ["BRB", "JAM", "TTO", "LCA", "GRD", "DMA"]
PLACES = {
    "BRB": ["Speightstown", "Bridgetown", "Oistins"],
    "JAM": ["Kingston", "Montego Bay", "Port Antonio"],
    "TTO": ["Chaguaramas", "Cedros", "Port of Spain"],
    "LCA": ["Castries", "Vieux Fort"],
    "GRD": ["St. George's", "Grenville"],
    "DMA": ["Roseau", "Portsmouth"],
}
WEIGHTS = {
    "drug_trafficking": 6,
    "firearms_trafficking": 3,
    "maritime_security": 4,
    "cyber_incident": 2,
    "natural_hazard": 2,
    "human_trafficking": 1,
}
TITLES = {
    "drug_trafficking": "Go-fast vessel with packages intercepted",
    "firearms_trafficking": "Firearms found in a shipping container",
    "maritime_security": "Unidentified vessel loitering offshore",
    "cyber_incident": "Phishing campaign against a ministry",
    "natural_hazard": "Flash flooding after heavy rain",
    "human_trafficking": "Migrants landed from a pirogue",
}


def seed(db: Database, rng: random.Random) -> None:
    reports = synthetic_reports.storied_year(rng, NOW, PLACES, WEIGHTS, TITLES)
    synthetic_reports.write(db, reports, STATES, rng, NOW)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render sample brief outputs")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "briefs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'samples.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        db = Database.from_url(url)
        seed(db, random.Random(2026))
        reader = Principal("BRB", Role.FOCAL_POINT, Place.direct(), label="Sample focal point")
        with db.transaction() as session:
            brief = briefs.build_brief(
                session,
                scope_for(reader),
                reader="Sample focal point (BRB)",
                period=briefs.Period.MONTH,
                states=None,
                now=NOW,
                next_issue=NOW + timedelta(days=30),
            )
        db.dispose()
    (args.out / "sample-chart.png").write_bytes(briefs.render_chart_png(brief))
    (args.out / "sample-heatmap.png").write_bytes(briefs.render_heatmap_png(brief))
    pdf = args.out / "sample-brief.pdf"
    pdf.write_bytes(briefs.render_pdf(brief))
    (args.out / "sample-message.txt").write_text(briefs.render_message(brief) + "\n")
    made = ["sample-chart.png", "sample-heatmap.png", "sample-brief.pdf", "sample-message.txt"]
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(args.out / "sample-brief-page1"),
            ],
            check=True,
        )
        made.append("sample-brief-page1.png")
    else:
        print("pdftoppm not found: no page image (apt-get install poppler-utils)", file=sys.stderr)
    print("\n".join(str(args.out / name) for name in made))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
