"""The group rule (decision 0003): a room sees only what every party of its audience may see."""

from __future__ import annotations

from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Inbound
from tests.support.secrets import ids
from tests.support.world import World


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
    jam_mine = bob.in_group("g-brb-jam").say("mine")
    assert ids(jam_mine) == [] and "JAM reports: none." in jam_mine, "BRB-0002 is not JAM's own"
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


def test_group_shows_only_what_every_audience_party_may_see(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    world.register_group("g-brb-jam-tto", "BRB,JAM,TTO")
    world.register_group("g-all", "all")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Green report shared with Jamaica only")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM")
    assert "BRB-0001" in alice.in_group("g-brb-jam").say("reports")
    assert "BRB-0001" in bob.in_group("g-brb-jam").say("incident BRB-0001")
    for chat in (alice.in_group("g-brb-jam-tto"), bob.in_group("g-brb-jam-tto")):
        for text in ("reports", "mine", "incident BRB-0001"):
            assert "BRB-0001" not in chat.say(text).replace("show BRB-0001 here", ""), text
    # the secretariat is not entitled, so it sees nothing of it even in the BRB,JAM room
    assert "Green report" not in sam.in_group("g-brb-jam").say("incident BRB-0001")
    assert "none" in sam.in_group("g-brb-jam").say("reports")
    # audience `all` includes the secretariat; a share to every state by name is not enough
    for code in ("ATG", "BHS", "BLZ", "DMA", "GRD", "GUY", "KNA", "LCA", "VCT", "SUR", "TTO"):
        alice.say(f"share BRB-0001 {code}")
    assert "none" in bob.in_group("g-all").say("reports")
    alice.say("share BRB-0001 secretariat")
    assert "BRB-0001" in bob.in_group("g-all").say("reports")


def test_amber_and_strict_never_reach_a_group_even_when_shared_with_all(world: World) -> None:
    world.register_group("g-all", "all")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Amber report about the Kestrel ring")
    alice.say("share BRB-0001 all")
    for label in ("AMBER", "AMBER+STRICT"):
        alice.say(f"edit BRB-0001 tlp {label}")
        for chat in (alice.in_group("g-all"), bob.in_group("g-all")):
            for text in ("reports", "mine", "incident BRB-0001"):
                reply = chat.say(text)
                assert "Kestrel" not in reply and "BRB-0001 ·" not in reply, (label, text)
        assert "Kestrel" in bob.say("incident BRB-0001"), "still readable in a DM"


def test_share_list_is_not_shown_in_a_group(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Green report shared with two states")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM TTO")
    reply = alice.in_group("g-brb-jam").say("incident BRB-0001")
    assert "Green report" in reply
    assert "TTO" not in reply and "Shared with" not in reply, reply


def test_group_audience_grows_with_the_parties_seen_in_it(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Green report shared with Jamaica only")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM")
    sam.in_group("g-brb-jam").say("whoami")
    assert "BRB-0001" not in alice.in_group("g-brb-jam").say("reports")


def test_a_stranger_in_a_registered_room_narrows_it_to_regional_knowledge(world: World) -> None:
    """Review finding: a non-member speaking in a room registered for BRB got "you haven't
    joined", so the bot knew an outsider was there, yet the room still saw BRB's GREEN reports;
    and every stranger's message got the join help, so anyone could make the bot spam a room."""
    world.register_group("g-brb", "BRB")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Green report for the whole room")
    alice.say("edit BRB-0001 tlp green")
    room = alice.in_group("g-brb")
    assert ids(room.say("reports")) == ["BRB-0001"]
    zed = world.chat("zed").in_group("g-brb")
    chatter = zed.send("nice weather today")
    assert zed.last == chatter
    assert "haven't joined" in zed.say("/help"), "told once, when they address the bot"
    assert zed.say("/help") == "", "and not again that day"
    assert ids(room.say("reports")) == [], "the room now holds an outsider"
    assert "regional knowledge only" in room.say("whoami")
    assert "not a member spoke here" in room.say("whoami")
    assert "RT-" in room.say("threats"), "regional knowledge still works"
    world.register_group("g-brb", "BRB")  # an admin vouches for the room again
    assert ids(room.say("reports")) == ["BRB-0001"]


def test_group_chatter_not_addressed_to_the_bot_gets_no_answer(world: World) -> None:
    world.register_group("g-brb", "BRB")
    zed = world.chat("zed").in_group("g-brb")
    assert zed.world.engine is not None
    inbound = Inbound("console", "", "zed", "g-brb", ChatKind.GROUP, text="/help", addressed=False)
    assert zed.world.engine.handle(inbound) == []
