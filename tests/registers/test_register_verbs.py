"""objectives, threats, contacts: regional knowledge any member may read."""

from __future__ import annotations

from secbot.domain.enums import Role
from tests.support.world import World


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


def test_threat_add_uses_no_report_number_and_codes_read_leniently(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "Filed BRB-0001" in alice.say("report Boat seen near the harbour")
    assert "Added BRB-T01" in alice.say("threat add Rising sea levels at the port")
    assert "Added BRB-T02" in alice.say("threat add Sargassum choking the east coast")
    assert "Filed BRB-0002" in alice.say("report Another boat seen"), "no report number used"
    assert "Rising sea levels" in alice.say("threat brb-t1")
    assert "Sargassum influx" in alice.say("threat rt-3")
    assert "Rising sea levels" in alice.say("BRB-T1"), "a bare entry id opens it too"
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    assert bob.say("brb-t1").replace("BRB-T01", "X") == bob.say("BRB-T9").replace("BRB-T09", "X")
    assert "Rising" not in bob.say("brb-t1")
