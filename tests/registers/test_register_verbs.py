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
