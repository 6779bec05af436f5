"""Routing: help by role, bad input refused politely, redelivered updates handled once."""

from __future__ import annotations

from secbot.db.models import Incident, Submission
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.secrets import ids
from tests.support.world import World


def test_help_lists_verbs_by_role(world: World) -> None:
    focal = world.member("alice", Role.FOCAL_POINT, "BRB")
    delegate = world.member("bob", Role.DELEGATE, "JAM")
    assert "share ID" in focal.say("help") and "report" in focal.say("/help")
    text = delegate.say("help")
    assert "share ID" not in text and "reports" in text and "contacts" in text
    assert "Welcome back" in delegate.say("/start")
    secretariat = world.member("sam", Role.SECRETARIAT)
    lines = secretariat.say("help").splitlines()
    assert not [line for line in lines if line.startswith(("• mine", "• share", "• report "))]
    assert any(line.startswith("• alert") for line in lines)
    assert "your state" not in secretariat.say("help")


def test_bad_input_is_refused_politely(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "I don't know “/frobnicate”" in alice.say("/frobnicate the reports")
    assert "answer index is not available" in alice.say("frobnicate the reports")
    assert "limit is 4,000" in alice.say("report " + "x" * 5000)
    assert "control character (U+0007)" in alice.say("report bell \x07 here")
    assert "takes no arguments" in alice.say("reports everything")
    assert "Usage: incident ID" in alice.say("incident")
    assert "empty message" in alice.say("   ")
    with db.transaction() as session:
        assert session.query(Submission).count() == 0


def test_redelivered_one_line_report_is_one_report(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    first = alice.say("report Dinghy with migrants landed at night", key="update-77")
    second = alice.say("report Dinghy with migrants landed at night", key="update-77")
    assert set(ids(first)) == {"BRB-0001"} and second == ""
    with db.transaction() as session:
        assert session.query(Incident).count() == 1


def test_redelivered_update_is_acknowledged_and_ignored(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "Filed BRB-0001" in alice.say("report Boat seen", key="update-1")
    assert alice.say("report Boat seen", key="update-1") == "", "a redelivery gets no reply"
    assert "Filed BRB-0002" in alice.say("report Boat seen", key="update-2")
    alice.say("/frobnicate", key="update-3")
    assert "I don't know" in alice.say("/frobnicate", key="update-3"), "failed ones are retried"
    with db.transaction() as session:
        assert session.query(Incident).count() == 2
