"""Sharing and unsharing: who may, with whom, and what each state then sees."""

from __future__ import annotations

from secbot.db.models import Share
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.secrets import ids
from tests.support.world import World


def test_delegates_cannot_file_or_share(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    assert "Only focal points, state admins or partners can file reports" in bob.say(
        "report boat seen"
    )
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
    assert "Shared BRB-0001 with all states and the secretariat." in alice.say("share BRB-0001 all")
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
    assert "I don't know “XYZ”" in alice.say("share BRB-0001 JAM XYZ")
    assert "your own state" in alice.say("share BRB-0001 BRB")
    assert "Usage: share" in alice.say("share BRB-0001")
    with db.transaction() as session:
        assert session.query(Share).count() == 0, "a bad target must not share the good ones"


def test_red_never_leaves_its_state_in_either_order(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Red material about the Kestrel ring")
    alice.say("share BRB-0001 JAM")
    assert "Unshare it first" in alice.say("edit BRB-0001 tlp red")
    assert "Kestrel" in bob.say("incident BRB-0001")
    alice.say("unshare BRB-0001 JAM")
    assert "now RED" in alice.say("edit BRB-0001 tlp red")
    assert "never leaves" in alice.say("share BRB-0001 JAM")
    assert "can't find" in bob.say("incident BRB-0001")


def test_unshare_says_who_can_still_see_the_report_and_through_which_share(
    world: World,
) -> None:
    """Review finding: after `share all`, `unshare X JAM` said "was not shared with JAM" while
    JAM still saw X; and `unshare X all` said "all members can no longer see X" while JAM,
    shared by name, still could."""
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Fishing fleet reports a suspicious transhipment")
    alice.say("share BRB-0001 all")
    reply = alice.say("unshare BRB-0001 JAM")
    assert "JAM sees it through the share with all" in reply
    assert "Still shared with: all states and the secretariat." in reply
    assert ids(bob.say("reports")) == ["BRB-0001"], "and it is true"
    alice.say("share BRB-0001 JAM")
    both = alice.say("unshare BRB-0001 JAM")
    assert "still sees BRB-0001 through the share with all" in both
    alice.say("share BRB-0001 JAM")
    reply = alice.say("unshare BRB-0001 all")
    assert "All states and the secretariat can no longer see BRB-0001." in reply
    assert "Still shared with: JAM." in reply
    assert ids(bob.say("reports")) == ["BRB-0001"], "JAM is still named"
    last = alice.say("unshare BRB-0001 JAM")
    assert "Now only your state can see BRB-0001." in last
    assert "none" in bob.say("reports")
