"""The console's files: a reply's attachments written under the data dir with their paths
printed, and a scheduled brief delivered to a console room's mailbox with its files."""

from __future__ import annotations

import io
import time
from datetime import UTC, timedelta
from pathlib import Path

from sqlalchemy import select

from secbot.db.models import BriefSubscription
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.brief_periods import Cadence, next_due
from secbot.domain.enums import Role
from secbot.engine.brief_schedule import queue_due
from secbot.transports.console import ConsoleChat
from secbot.transports.console_rooms import Mailboxes, deliver_due
from tests.support import briefs
from tests.support.world import World


def _paths(text: str) -> list[Path]:
    return [Path(line[2:]) for line in text.splitlines() if line.startswith("📎 ")]


def test_a_brief_asked_on_the_console_is_written_under_the_data_dir(
    db: Database, tmp_path: Path
) -> None:
    world = World(db)
    chat = ConsoleChat(world.engine, "you", data_dir=tmp_path)  # type: ignore[arg-type]
    chat.send(f"join {world.invite(Role.FOCAL_POINT, 'BRB')}")
    out = io.StringIO()
    chat.run(["brief"], out)  # the real brief: matplotlib chart, reportlab PDF
    paths = _paths(out.getvalue())
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert all("-brief-7d-" in p.name for p in paths)
    assert all(p.parent == tmp_path / "files" / "you" for p in paths)
    assert paths[0].read_bytes().startswith(briefs.PNG_SIGNATURE)
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert not list((tmp_path / "files" / "you").glob("*.part"))


def test_a_scheduled_brief_reaches_a_console_room_once_with_its_files(
    db: Database, tmp_path: Path
) -> None:
    world = World(db)
    world.register_group("ops", "BRB,JAM")
    sam = world.member("sam", Role.SECRETARIAT).in_group("ops")
    assert "weekly brief" in sam.say("/brief subscribe weekly")
    start = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        sub = session.scalar(select(BriefSubscription))
        assert sub is not None
        sub.started_at = start
    due = next_due(Cadence.WEEKLY, UTC, start)
    with briefs.using():
        assert len(queue_due(db, due)) == 1
    mailboxes = Mailboxes(tmp_path)
    assert deliver_due(db, mailboxes) == 1
    assert deliver_due(db, mailboxes) == 0
    room = ConsoleChat(world.engine, "bob", chat="ops", data_dir=tmp_path)  # type: ignore[arg-type]
    shown = room.arrivals()
    assert shown.startswith("TREND BRIEF") and "Acknowledge" not in shown
    paths = _paths(shown)
    assert [p.name.split("-", 2)[-1] for p in paths] == ["brief-chart.png", "brief.pdf"]
    assert paths[0].name.startswith("d")  # named by delivery: a rewrite replaces, not adds
    assert paths[1].read_bytes().startswith(b"%PDF")
    time.sleep(0.01)
    assert room.arrivals() == ""  # shown once
