"""The erasure test of issue 15: a report with a unique marker flows everywhere (index, inbox,
a queued alert quoting it, a brief issue and its files, an export under the data dir, shares);
after `erase` no byte of the marker is left anywhere under the test's folders (SQLite file,
-wal, -shm, Chroma's store) nor in any PostgreSQL table, and the index finds nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from secbot.db.briefs import BriefFile, BriefIssue, BriefSubscription
from secbot.db.erasures import Erasure
from secbot.db.models import AuditEvent, Channel, Draft, Member
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, compactor
from secbot.rights import service
from tests.support.alerts import register, send_alert
from tests.support.inbox import through_inbox
from tests.support.world import World

MARKER = "Zqxv7731 tanker unloading blue drums"
DETAIL = "Kwyjibo4419 crew of nine refused inspection"
OWNED = {"owner": "BRB"}


TRIGRAM = MARKER.lower()[1:4].encode()  # the web search's FTS5 token for "qxv"


def _search_index_blocks(db: Database) -> bytes:
    """The raw segments of SQLite's FTS5 search table (tokens, not the text itself)."""
    with db.reading() as session:
        blocks = session.execute(text("SELECT block FROM incident_search_data")).scalars()
        return b"".join(b for b in blocks if isinstance(b, bytes))


def _brief_quoting(db: Database, words: str) -> None:
    """A scheduled brief issue listing the report, with a CSV annex and a chart, as queued."""
    with db.transaction() as session:
        channel = session.scalars(select(Channel)).first()
        assert channel is not None
        sub = BriefSubscription(channel_id=channel.id, cadence="weekly", timezone="UTC")
        session.add(sub)
        session.flush()
        issue = BriefIssue(
            subscription_id=sub.id,
            period_start=utcnow() - timedelta(days=7),
            period_end=utcnow(),
            parties=["*all"],
            text=f"Trend brief\n- BRB-0001 {words} (high)",
            detail={"annex": [words]},
        )
        session.add(issue)
        session.flush()
        session.add(
            BriefFile(
                issue_id=issue.id,
                position=0,
                filename="annex.csv",
                mime="text/csv",
                data=f"id,title\nBRB-0001,{words}\n".encode(),
            )
        )
        session.add(
            BriefFile(
                issue_id=issue.id,
                position=1,
                filename="brief.pdf",
                mime="application/pdf",
                data=f"%PDF-1.4 ({words}) Tj".encode(),
            )
        )


def _everything(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _holding(folder: Path, needle: bytes) -> list[str]:
    """Each file that holds the needle, with the bytes around it (to say where it stayed)."""
    found = []
    for path in sorted(folder.rglob("*")):
        data = path.read_bytes() if path.is_file() else b""
        at = data.find(needle)
        if at >= 0:
            found.append(f"{path.relative_to(folder)}: {data[max(0, at - 80) : at + 60]!r}")
    return found


def _postgres_dump(db: Database) -> str:
    with db.engine.connect() as conn:
        tables = conn.scalars(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ).all()
        assert "incidents" in tables and "inbox" in tables
        return "\n".join(
            str(row) for t in tables for row in conn.scalars(text(f'SELECT x::text FROM "{t}" x'))
        )


def test_an_erased_report_leaves_no_byte_behind(app: App, tmp_path: Path) -> None:
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    register(app.db, "console", "room-all", "all")
    through_inbox(app.db, app.engine, "alice", f"report {MARKER}", "m1")
    assert "BRB-0001" in alice.say("mine")
    alice.say(f"update BRB-0001 {DETAIL}")
    alice.say("edit BRB-0001 tlp green")
    assert "Shared" in alice.say("share BRB-0001 all")
    assert MARKER.split()[0] in bob.say("incident BRB-0001")
    send_alert(app.db, headline="Tanker watch", body=f"Quoting BRB-0001: {MARKER}.")
    _brief_quoting(app.db, MARKER)
    with app.db.transaction() as session:  # a form left half-way on the report
        member = session.scalars(select(Member).where(Member.user_id == "alice")).one()
        session.add(Draft(member_id=member.id, flow="fix", step="where", data={"id": "BRB-0001"}))
    exports = app.settings.data_dir / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    (exports / "brb.json").write_text(f'{{"title": "{MARKER}", "update": "{DETAIL}"}}')
    index = app.index
    assert index is not None and index.lexical.get("sub:BRB-0001") is not None
    assert "sub:BRB-0001" in [hit for hit, _ in index.lexical.search(MARKER, 5, OWNED)]
    assert index.vector.collection.get(where_document={"$contains": "Zqxv7731"})["ids"]
    before = _everything(tmp_path) + (
        _postgres_dump(app.db).encode() if app.db.is_postgres else b""
    )
    assert MARKER.encode() in before, "the marker must have reached the storage first"
    assert app.db.is_postgres or TRIGRAM in _search_index_blocks(app.db)

    assert "Erase BRB-0001 for good?" in alice.say("erase BRB-0001")
    assert "Erased BRB-0001" in alice.press("Erase BRB-0001")

    for word in (MARKER, DETAIL):
        needle = word.split()[0].encode()
        left = _holding(tmp_path, needle)
        assert not left, f"{word} left under the test folder: {left}"
        if app.db.is_postgres:
            assert needle.decode() not in _postgres_dump(app.db)
    # the text search index kept the trigrams of deleted rows until its segments were merged
    assert app.db.is_postgres or TRIGRAM not in _search_index_blocks(app.db)
    assert index.lexical.get("sub:BRB-0001") is None
    assert index.vector.collection.get(ids=["sub:BRB-0001"])["ids"] == []
    assert all(hit != "sub:BRB-0001" for hit, _ in index.lexical.search(MARKER, 5, OWNED))
    found = index.vector.collection.get(where_document={"$contains": "Zqxv7731"})
    assert found["ids"] == []
    assert "can't find a report BRB-0001" in bob.say("incident BRB-0001")
    assert "can't find a report BRB-0001" in alice.say("incident BRB-0001")
    with app.db.reading() as session:
        tomb = session.scalars(select(Erasure)).one()
        assert (tomb.public_id, tomb.actor_party, tomb.reason) == ("BRB-0001", "BRB", "owner")
        assert tomb.compacted_at is not None and len(tomb.content_sha256) == 64
        erased = session.scalars(select(AuditEvent).where(AuditEvent.action == "erased")).one()
        assert erased.detail["sha256"] == tomb.content_sha256
        assert session.scalars(select(BriefFile.filename)).all() == ["annex.csv"]
        assert session.scalars(select(Draft)).all() == []
        assert "[erased]" in session.scalars(select(BriefIssue.text)).one()


def test_an_erasure_cut_short_after_its_commit_is_finished_later(app: App) -> None:
    """The process dies after the SQL commit, before the index heard of it: start-up repair
    drops the unit and the next compaction finishes the tombstone."""
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {MARKER}")
    index = app.index
    assert index is not None and index.lexical.get("sub:BRB-0001") is not None
    url = app.db.engine.url.render_as_string(hide_password=False)
    other = Database.from_url(url)  # another process: no index, no compaction after commit
    try:
        with other.transaction() as session:
            erased = service.erase_state(session, "BRB", "cli")
        assert [e.public_id for e in erased] == ["BRB-0001"]
    finally:
        other.dispose()
    assert index.vector.collection.get(ids=["sub:BRB-0001"])["ids"] == ["sub:BRB-0001"]
    report = index.start_up()  # the restart
    assert report.removed == 1
    assert index.vector.collection.get(ids=["sub:BRB-0001"])["ids"] == []
    with app.db.reading() as session:
        assert session.scalars(select(Erasure.compacted_at)).one() is None
    done = compactor(app.settings, app.db, app.knowledge).run()
    assert done.erasures == 1
    with app.db.reading() as session:
        assert session.scalars(select(Erasure.compacted_at)).one() is not None
