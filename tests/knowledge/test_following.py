"""Two processes, one database, two indexes: what one files or unshares reaches the other's
index before its next message (the change log), and visibility never waited for it."""

from __future__ import annotations

from pathlib import Path

from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.apps import indexed_app
from tests.support.secrets import QUESTION, SECRET
from tests.support.world import World


def test_the_other_process_finds_a_new_report_and_drops_a_revoked_one(
    db: Database, tmp_path: Path
) -> None:
    first = indexed_app(db, tmp_path / "one")
    second = indexed_app(Database(db.engine), tmp_path / "two")
    here, there = World(first.db, engine=first.engine), World(second.db, engine=second.engine)
    alice = here.member("alice", Role.FOCAL_POINT, "BRB")
    bob = there.member("bob", Role.DELEGATE, "JAM")
    assert "BRB-0001" not in bob.say(QUESTION)
    alice.say(f"report {SECRET}")
    alice.say("share BRB-0001 JAM")
    hits = second.asker
    assert hits is not None
    assert "BRB-0001" in bob.say(QUESTION), "followed the change log"
    alice.say("unshare BRB-0001 JAM")
    assert "BRB-0001" not in bob.say(QUESTION)
    second.engine.follow = None  # without following, a new report stays unknown there
    alice.say(f"report Second sighting: {SECRET}")
    alice.say("share BRB-0002 JAM")
    assert "BRB-0002" not in bob.say(QUESTION)
    first.db.dispose()
