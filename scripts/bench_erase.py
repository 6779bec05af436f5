#!/usr/bin/env python
"""How long erasing a whole state takes (issue 15): `secbot admin state erase CODE --yes` for a
state with N reports (default 10,000), on SQLite (default) or PostgreSQL (--database-url).

    .venv/bin/python scripts/bench_erase.py                      # 10,000 reports, SQLite
    .venv/bin/python scripts/bench_erase.py --reports 1000 --index
    .venv/bin/python scripts/bench_erase.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

In a fresh temporary data dir: the app is built with the hashing embedder, N reports of one
state (each with an update and a share) plus N/10 of another state and N inbox rows are
written straight to SQL; with --index they are indexed in Chroma too. Then it times the erasure
transaction (rows, copies in the inbox, tombstones) and the compaction after it (index removal,
VACUUM / checkpoint, Chroma's file) separately, and prints them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import text  # noqa: E402

from secbot.config import Settings  # noqa: E402
from secbot.db.models import (  # noqa: E402
    InboxEntry,
    Incident,
    ReportUpdate,
    Share,
    State,
    Submission,
)
from secbot.db.session import make_engine  # noqa: E402
from secbot.db.types import utcnow  # noqa: E402
from secbot.entrypoints.bootstrap import build, compactor  # noqa: E402
from secbot.knowledge.embeddings import HashingEmbedder  # noqa: E402
from secbot.rights import service  # noqa: E402


def seed(app_db: object, code: str, count: int, start: int = 0) -> None:
    db = app_db  # a Database
    with db.transaction() as session:  # type: ignore[attr-defined]
        if session.get(State, code) is None:
            session.add(State(code=code, name=f"State {code}"))
            session.flush()
        for n in range(start, start + count):
            pid = f"{code}-{n + 1:04d}"
            sub = Submission(public_id=pid, owner_state=code, kind="incident", tlp="AMBER")
            session.add(sub)
            session.flush()
            words = f"Report {pid} vessel sighting number {n} near harbour {n % 97}"
            session.add(
                Incident(
                    submission_id=sub.id,
                    category="maritime",
                    severity="medium",
                    title=words,
                    description=f"{words}: crew seen moving cargo at night {n}",
                    location="North coast",
                    occurred_at=utcnow(),
                )
            )
            session.add(
                ReportUpdate(submission_id=sub.id, author_state=code, body=f"update {words}")
            )
            session.add(Share(submission_id=sub.id, grantee="*all"))
            session.add(
                InboxEntry(
                    key=f"k-{pid}",
                    platform="console",
                    lane=f"console:{code}",
                    inbound={"text": f"report {words}"},
                    replies=[{"text": f"Filed {pid}: {words}"}],
                    handled_at=utcnow(),
                    replied_at=utcnow(),
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--index", action="store_true", help="index the reports in Chroma")
    args = parser.parse_args()
    url, schema = args.database_url, None
    if url and url.startswith("postgresql"):
        schema = f"bench_erase_{uuid.uuid4().hex[:8]}"  # never the shared public schema
        with make_engine(url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        run(args, url)
    finally:
        if schema:
            with make_engine(args.database_url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def run(args: argparse.Namespace, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder) / "var",
            database_url=url,
            knowledge_dir=REPO / "knowledge",
        )
        app = build(settings, embedder=HashingEmbedder(), with_index=args.index)
        started = time.perf_counter()
        seed(app.db, "BRB", args.reports)
        seed(app.db, "JAM", max(1, args.reports // 10))
        seeded = time.perf_counter() - started
        if args.index and app.index is not None:
            app.index.repair()
        work = compactor(settings, app.db, app.knowledge)
        started = time.perf_counter()
        with app.db.transaction() as session:
            erased = service.erase_state(session, "BRB", "bench")
            session.info.pop("erased_fragments", None)  # compaction is timed on its own below
        sql = time.perf_counter() - started
        started = time.perf_counter()
        done = work.run([w for e in erased for w in e.fragments])
        compaction = time.perf_counter() - started
        backend = "PostgreSQL" if app.db.is_postgres else "SQLite"
        print(f"backend          {backend}{' + Chroma' if args.index else ''}")
        print(f"reports erased   {len(erased)} (seeding took {seeded:.1f} s)")
        print(f"erase (SQL)      {sql:.2f} s  ({1000 * sql / max(1, len(erased)):.2f} ms a report)")
        print(f"compaction       {compaction:.2f} s  ({done.erasures} tombstones)")
        print(f"total            {sql + compaction:.2f} s")
        app.db.dispose()


if __name__ == "__main__":
    main()
