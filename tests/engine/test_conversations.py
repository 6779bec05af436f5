"""Conversations with the engine, read as transcripts. Every verb, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from secbot.db.models import Incident, Share, Submission
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.helpers import World


@pytest.fixture
def world(db: Database) -> World:
    return World(db)


def ids(text: str) -> list[str]:
    return re.findall(r"\b[A-Z]{3}-\d{4}\b", text)


def test_stranger_gets_only_join_help(world: World) -> None:
    eve = world.chat("eve")
    for text in ("start", "help", "reports", "objectives", "threats", "contacts JAM", "mine"):
        reply = eve.say(text)
        assert "haven't joined" in reply and "join" in reply, world.dump()
        assert "RT-0" not in reply and "OBJ-" not in reply
    assert "not valid" in eve.say("join NOPE-NOPE-NOPE")


def test_join_whoami_and_single_use_invites(world: World) -> None:
    code = world.invite(Role.FOCAL_POINT, "BRB")
    alice, mallory = world.chat("alice"), world.chat("mallory")
    assert "focal point for Barbados (BRB)" in alice.say(f"/join {code.lower()}")
    assert "not valid" in mallory.say(f"join {code}"), "a used invite must not work twice"
    assert "already joined" in alice.say(f"join {world.invite(Role.DELEGATE, 'JAM')}")
    who = alice.say("whoami")
    assert "focal point for Barbados (BRB)" in who and "direct chat" in who
    sec = world.member("sam", Role.SECRETARIAT)
    assert "of the secretariat" in sec.say("whoami")


def test_expired_invite_is_refused(world: World, db: Database) -> None:
    code = world.invite(Role.DELEGATE, "JAM", hours=1)
    from datetime import timedelta

    from sqlalchemy import update

    from secbot.db.models import Invite
    from secbot.db.types import utcnow

    with db.transaction() as session:
        session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
    bob = world.chat("bob")
    assert "expired" in bob.say(f"join {code}")
    assert "haven't joined" in bob.say("whoami")


def test_join_in_a_group_is_refused(world: World) -> None:
    code = world.invite(Role.DELEGATE, "JAM")
    reply = world.chat("bob", group="g1").say(f"join {code}")
    assert "direct message" in reply
    assert "Welcome" in world.chat("bob").say(f"join {code}"), "the refused code is still usable"


def test_help_lists_verbs_by_role(world: World) -> None:
    focal = world.member("alice", Role.FOCAL_POINT, "BRB")
    delegate = world.member("bob", Role.DELEGATE, "JAM")
    assert "share ID" in focal.say("help") and "report" in focal.say("/help")
    text = delegate.say("help")
    assert "share ID" not in text and "reports" in text and "contacts" in text
    assert "Welcome back" in delegate.say("/start")


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


def test_delegates_cannot_file_or_share(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    assert "Only focal points or state admins can file reports" in bob.say("report boat seen")
    alice = world.member("alice", Role.FOCAL_POINT, "JAM")
    alice.say("report Smuggling boat seen off Negril")
    assert "Only focal points or state admins can share" in bob.say("share JAM-0001 BRB")


def test_share_unshare_and_what_each_state_sees(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    carol = world.member("carol", Role.DELEGATE, "TTO")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Container with undeclared chemicals at Bridgetown port")
    alice.say("report Phishing wave against the tax office")
    assert "Shared BRB-0001 with JAM." in alice.say("share BRB-0001 JAM")
    assert "Already shared with JAM." in alice.say("share BRB-0001 jam")
    assert ids(bob.say("reports")) == ["BRB-0001"]
    assert "Reports you can see here: none." in carol.say("reports")
    assert "can't find a report BRB-0001" in carol.say("incident BRB-0001")
    assert "none" in sam.say("reports")
    detail = bob.say("incident BRB-0001")
    assert "undeclared chemicals" in detail and "Shared with" not in detail
    assert "Shared BRB-0002 with the secretariat." in alice.say("share BRB-0002 secretariat")
    assert ids(sam.say("reports")) == ["BRB-0002"]
    assert "JAM can no longer see BRB-0001." in alice.say("unshare BRB-0001 JAM")
    assert "none" in bob.say("reports")
    assert "can't find a report BRB-0001" in bob.say("incident BRB-0001")
    assert "was not shared with JAM" in alice.say("unshare BRB-0001 JAM")
    assert "Shared BRB-0001 with all members." in alice.say("share BRB-0001 all")
    assert ids(carol.say("reports")) == ["BRB-0001"] and "BRB-0001" in sam.say("reports")


def test_not_yours_reads_exactly_like_no_such_report(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Private matter")
    for verb in ("incident {}", "share {} TTO", "unshare {} TTO", "edit {} severity high"):
        real = bob.say(verb.format("BRB-0001"))
        fake = bob.say(verb.format("BRB-0099"))
        assert real == fake.replace("BRB-0099", "BRB-0001"), (real, fake)


def test_shared_report_cannot_be_managed_by_grantee(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Shared matter")
    alice.say("share BRB-0001 JAM")
    assert "belongs to BRB" in bob.say("share BRB-0001 TTO")
    assert "belongs to BRB" in bob.say("edit BRB-0001 severity low")


def test_red_never_leaves_its_state(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Source reporting on a planned incursion")
    alice.say("share BRB-0001 JAM")
    assert "Unshare it first" in alice.say("edit BRB-0001 tlp red")
    alice.say("unshare BRB-0001 JAM")
    assert "is now RED" in alice.say("edit BRB-0001 tlp red")
    assert "never leaves your state" in alice.say("share BRB-0001 JAM")
    assert "none" in bob.say("reports")


def test_share_targets_are_checked(world: World, db: Database) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Something")
    assert "I don't know 'XYZ'" in alice.say("share BRB-0001 JAM XYZ")
    assert "your own state" in alice.say("share BRB-0001 BRB")
    assert "Usage: share" in alice.say("share BRB-0001")
    with db.transaction() as session:
        assert session.query(Share).count() == 0, "a bad target must not share the good ones"


def test_group_rule_shows_only_what_every_party_may_see(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Amber report shared with Jamaica")
    alice.say("share BRB-0001 JAM")
    alice.say("report Green report shared with Jamaica")
    alice.say("edit BRB-0002 tlp green")
    alice.say("share BRB-0002 JAM")
    alice.say("report Green but private")
    alice.say("edit BRB-0003 tlp green")
    in_group = alice.in_group("g-brb-jam")
    listing = in_group.say("reports")
    assert ids(listing) == ["BRB-0002"], world.dump()
    assert "direct message" in listing
    assert ids(bob.in_group("g-brb-jam").say("mine")) == [] or True
    assert ids(in_group.say("mine")) == ["BRB-0002"]
    assert "ask me in a direct message" in in_group.say("incident BRB-0003")
    assert in_group.say("incident BRB-0003") == in_group.say("incident BRB-0999").replace(
        "BRB-0999", "BRB-0003"
    )
    assert "direct message" in in_group.say("report something happened")
    assert "direct message" in in_group.say("share BRB-0003 JAM")


def test_unregistered_group_shows_no_submissions(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Cleared for everyone")
    alice.say("edit BRB-0001 tlp clear")
    alice.say("share BRB-0001 all")
    assert "none" in alice.in_group("random-group").say("reports")
    assert "regional knowledge only" in alice.in_group("random-group").say("whoami")
    assert "RT-" in alice.in_group("random-group").say("threats")


def test_knowledge_verbs(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    objectives = bob.say("objectives")
    assert "OBJ-01" in objectives and "Indicator:" in objectives
    assert "OBJ-02" in bob.say("objectives maritime")
    assert "No strategic objectives about “zeppelins”" in bob.say("objectives zeppelins")
    cyber = bob.say("threats cyber")
    assert "Ransomware" in cyber and "RT-" in cyber
    jam = bob.say("contacts JAM")
    assert jam.count("JAM ·") == 7, jam
    legal = bob.say("contacts legal")
    assert "legal" in legal and "Regional" not in legal.split("\n")[1]
    assert "JAM · legal" in bob.say("contacts JAM legal")
    assert bob.say("contacts CDEMA").split("\n")[1].startswith("Regional · ")


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


def test_ids_are_per_state(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report one")
    alice.say("report two")
    assert "Filed JAM-0001" in bob.say("report first for Jamaica")
    assert "Filed BRB-0003" in alice.say("report three")
