"""Review of every read path of reports: foreign ids read like unknown ones, crafted buttons and
injection-shaped ids get nothing."""

from __future__ import annotations

from sqlalchemy import select

from secbot.db.models import Submission
from secbot.domain.enums import Role
from tests.support.world import World


def test_foreign_ids_read_exactly_like_unknown_ids_for_every_verb(world: World) -> None:
    """JAM-0001 (a JAM incident) and JAM-T01 (a JAM register entry) exist; JAM-0077 does not.
    For a BRB focal point every verb taking an id must answer the same words for all three,
    whatever the case or spacing, in a DM and in a group."""
    world.register_group("g-brb-jam", "BRB,JAM")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "Filed JAM-0001" in bob.say("report Coastguard radar at Port Royal was jammed")
    assert "Added JAM-T01" in bob.say("threat add Rising sea levels at Port Royal")
    alice.say("report Our own private report")
    templates = [
        "incident {}",
        "incident   {}  ",
        "/incident {}",
        "edit {} tlp",
        "edit {} tlp clear",
        "edit {} details rewritten",
        "edit {} nosuchfield x",
        "share {} BRB",
        "share {} all",
        "unshare {} BRB",
        "threat {}",
    ]
    group = alice.in_group("g-brb-jam")
    for chat in (alice, group):
        for template in templates:
            for existing in ("JAM-0001", "jam-0001", "JAM-T01", "jam-t01"):
                unknown = existing[:-2] + "77"
                got = chat.say(template.format(existing)).replace(existing.upper(), "X")
                want = chat.say(template.format(unknown)).replace(unknown.upper(), "X")
                assert got == want, (template, existing, got, want)
                assert "Port Royal" not in got and "Rising" not in got
    with world.db.transaction() as session:
        row = session.scalar(select(Submission).where(Submission.public_id == "JAM-0001"))
        assert row is not None and row.tlp == "AMBER"
        assert row.incident is not None and row.incident.description.startswith("Coastguard")


def test_crafted_button_payloads_are_trusted_no_more_than_text(world: World) -> None:
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    dele = world.member("dele", Role.DELEGATE, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob.say("report Coastguard radar at Port Royal was jammed")
    for payload in ("/edit JAM-0001 tlp CLEAR", "/share JAM-0001 all", "/edit jam-0001 tlp"):
        reply = "\n".join(r.text for r in alice.send("", payload=payload))
        assert "can't find a report JAM-0001" in reply, reply
        assert not alice.buttons(), "no edit buttons for someone else's report"
    reply = "\n".join(r.text for r in dele.send("", payload="/edit JAM-0001 tlp CLEAR"))
    assert "Only focal points" in reply
    with world.db.transaction() as session:
        row = session.scalar(select(Submission).where(Submission.public_id == "JAM-0001"))
        assert row is not None and row.tlp == "AMBER" and not row.shares


def test_injection_shaped_ids_find_nothing(world: World) -> None:
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob.say("report Coastguard radar at Port Royal was jammed")
    for weird in ("'OR'1'='1", "JAM-%", "JAM-____", "JAM-.*", "%", "JAM-0001'--", "JAM-0001;"):
        for verb in ("incident", "threat", "share", "edit"):
            tail = {"share": " BRB", "edit": " tlp clear"}.get(verb, "")
            reply = alice.say(f"{verb} {weird}{tail}")
            assert "Port Royal" not in reply and "JAM-0001 ·" not in reply, (verb, weird, reply)
            assert "can't find" in reply or "is not a report id" in reply, (verb, weird, reply)
