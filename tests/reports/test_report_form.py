"""Filing: the guided form, its draft, cancel, and the one-line report."""

from __future__ import annotations

from secbot.db.models import Incident, Submission
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.world import World


def test_guided_report_with_buttons_and_confirm(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "step 1 of 7" in alice.say("/report")
    assert "step 2" in alice.press("Maritime security")
    assert "step 3" in alice.press("High")
    assert "step 4" in alice.say("Unlit fishing vessel entered the EEZ. It ignored radio calls.")
    assert "step 5" in alice.say("12 nm south of Oistins")
    assert "step 6" in alice.say("2 hours ago")
    summary = alice.press("GREEN")
    assert "Maritime security" in summary and "TLP:GREEN" in summary and "Oistins" in summary
    saved = alice.press("✔ Save")
    assert "Saved BRB-0001 · TLP:GREEN" in saved, world.dump()
    detail = alice.say("incident BRB-0001")
    assert "Unlit fishing vessel entered the EEZ." in detail and "Severity: high" in detail
    assert "Shared with: nobody (private)" in detail


def test_bad_answer_reasks_and_changes_nothing(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    assert "pick one of the category" in alice.say("spaceship")
    assert "step 2" in alice.say("cyber")
    assert "low, moderate, high or critical" in alice.say("apocalyptic")
    alice.say("critical")
    alice.say("Ransomware encrypted the port authority servers")
    alice.say("skip")
    assert "in the future" in alice.say("2099-01-01 10:00")
    assert "couldn't read that time" in alice.say("whenever")
    assert "step 6" in alice.say("now")
    assert "CLEAR, GREEN, AMBER" in alice.say("purple")
    alice.say("AMBER")
    assert "Tap Save" in alice.say("maybe")
    assert "Saved BRB-0001" in alice.say("save")
    with db.transaction() as session:
        assert session.query(Incident).count() == 1


def test_draft_survives_a_restart(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("cyber")
    restarted = World.__new__(World)
    restarted.db, restarted.transcript, restarted.counter = db, world.transcript, 0
    from secbot.engine.engine import Engine

    restarted.engine = Engine(Database(db.engine))
    again = restarted.chat("alice")
    assert "continue" in again.say("report") and "How severe" in again.say("/report")
    assert "step 3" in again.say("moderate")


def test_a_draft_never_continues_in_a_group(world: World) -> None:
    world.register_group("g1", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("cyber")
    alice.say("critical")
    assert alice.in_group("g1").say("Minister's phone was compromised by spyware") == ""
    assert "step 3" in alice.say("report"), "the draft is untouched and resumes in the DM"


def test_cancel_anywhere_and_verbs_inside_a_form(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("cyber")
    assert "Strategic objectives" in alice.say("/objectives"), "slash verbs run inside a form"
    assert "step 3" in alice.say("high"), "and the form carries on afterwards"
    assert "cancelled" in alice.say("cancel")
    assert "Nothing to cancel" in alice.say("/cancel")
    with db.transaction() as session:
        assert session.query(Submission).count() == 0


def test_one_line_report_shows_assumptions_and_can_be_corrected(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    text = alice.say("report Armed group seen unloading firearms at a private jetty")
    assert "Filed BRB-0001 · TLP:AMBER" in text
    assert "category: Firearms trafficking" in text and "severity: high" in text
    assert "where: not given" in text
    assert "New severity" in alice.press("Change severity")
    assert "severity is now critical" in alice.press("Critical")
    assert "where is now" in alice.say("edit BRB-0001 where North Point jetty")
    assert "when is now" in alice.say("edit BRB-0001 when yesterday 22:00")
    assert "I can change" in alice.say("edit BRB-0001 colour red")
    detail = alice.say("incident brb-0001")
    assert "Severity: critical" in detail and "North Point jetty" in detail


def test_ids_are_per_state(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report one")
    alice.say("report two")
    assert "Filed JAM-0001" in bob.say("report first for Jamaica")
    assert "Filed BRB-0003" in alice.say("report three")
