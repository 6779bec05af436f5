"""Who may erase what, and bad input: unknown ids, another state's ids and ids shared with the
asker all read "no such report" and change nothing; the audit log stays append-only except for
the one change an erasure makes; the admin command erases a whole state."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from secbot.db.erasures import Erasure
from secbot.db.models import AuditEvent, Incident, Share, Submission
from secbot.db.report_extras import ReportUpdate
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.rights import service
from tests.support.world import World


def _counts(db: Database) -> tuple[int, ...]:
    with db.reading() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Submission, Incident, Share, ReportUpdate, Erasure)
        )


def test_bad_ids_read_like_missing_ones_and_change_nothing(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    dan = world.member("dan", Role.DELEGATE, "BRB")
    alice.say("report Smuggled fuel drums found at the marina")
    alice.say("share BRB-0001 JAM")
    bob.say("report Jamaican matter of its own kind")
    before = _counts(world.db)
    shared = bob.say("erase BRB-0001 confirm")
    missing = bob.say("erase BRB-0099 confirm")
    assert "can't find a report BRB-0001" in shared
    assert shared == missing.replace("BRB-0099", "BRB-0001")
    assert bob.say("erase JAM-0042") == alice.say("erase JAM-0042").replace("alice", "bob")
    assert "can't find a report BRB-0002" in alice.say("erase BRB-0002 confirm")
    assert "Only focal points or state admins" in dan.say("erase BRB-0001 confirm")
    assert "Usage: erase ID" in alice.say("erase BRB-0001 now please")
    world.register_group("room", "all")
    assert "direct message" in alice.in_group("room").say("/erase BRB-0001 confirm")
    assert "not look like a report id" in alice.say("erase hello") or "id" in alice.say(
        "erase hello"
    )
    assert _counts(world.db) == before
    assert "BRB-0001" in bob.say("incident BRB-0001")


def test_erase_asks_first_then_the_grantee_sees_no_such_report(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Suspicious container at the deep water harbour")
    alice.say("share BRB-0001 JAM")
    asked = alice.say("erase BRB-0001")
    assert "cannot be undone" in asked and _counts(world.db)[0] == 1
    assert "Erased BRB-0001" in alice.press("Erase BRB-0001")
    assert "can't find a report BRB-0001" in bob.say("incident BRB-0001")
    assert "can't find a report BRB-0001" in alice.say("erase BRB-0001 confirm")
    assert _counts(world.db)[:4] == (0, 0, 0, 0)
    assert "BRB-0002" in alice.say("report Another container at the harbour")


def test_the_audit_log_allows_only_the_unlink(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report A matter worth auditing at the port")
    with world.db.reading() as session:
        line = session.scalars(
            select(AuditEvent).where(AuditEvent.submission_id.is_not(None))
        ).first()
        assert line is not None
        line_id = line.id
    for change in (
        update(AuditEvent).where(AuditEvent.id == line_id).values(actor="forged"),
        update(AuditEvent).where(AuditEvent.id == line_id).values(submission_id=None, action="x"),
    ):
        with pytest.raises(DBAPIError), world.db.transaction() as session:
            session.execute(change)
    with pytest.raises(DBAPIError), world.db.transaction() as session:
        session.execute(text("DELETE FROM audit_events"))
    with world.db.transaction() as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.id == line_id).values(submission_id=None)
        )


def test_a_whole_state_is_erased_and_others_are_untouched(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    for what in ("Phishing wave at the tax office", "Stolen fishing boat", "Drone over jail"):
        alice.say(f"report {what}")
    bob.say("report Jamaica incident at Montego Bay airport")
    with world.db.transaction() as session:
        erased = service.erase_state(session, "brb", "cli")
    assert sorted(e.public_id for e in erased) == ["BRB-0001", "BRB-0002", "BRB-0003"]
    assert "JAM-0001" in bob.say("mine") and "none" in alice.say("mine")
    with pytest.raises(Exception, match="No state 'XXX'"), world.db.transaction() as session:
        service.erase_state(session, "xxx", "cli")


def test_erasure_takes_the_co_ordination_log_with_the_report(world: World) -> None:
    """The log is part of the report (issue 16): its entries go with it, and their words count
    in the tombstone's hash and in the copies scrubbed elsewhere."""
    from secbot.db.report_extras import ResponseEntry

    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Unlit vessel drifting off North Point")
    alice.say("share BRB-0001 JAM")
    assert "BRB-0001" in bob.say("offer BRB-0001 Coast guard cutter Quarantine Ketch on standby")
    assert "BRB-0001" in alice.say("task BRB-0001 JAM Watch the north coast tonight")
    assert "Erased BRB-0001" in alice.say("erase BRB-0001 confirm")
    with world.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ResponseEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Erasure)) == 1
    assert "can't find a report BRB-0001" in bob.say("respond BRB-0001")
