"""Forgiving input: lenient ids, bare ids, "did you mean", state names, lists that page."""

from __future__ import annotations

import pytest

from secbot.db.models import Share, Submission
from secbot.domain.enums import Role
from secbot.domain.ids import read_id, split_id
from secbot.domain.suggest import closest, distance
from tests.support.world import World


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("BRB-0007", "BRB-0007"),
        ("brb-7", "BRB-0007"),
        ("BRB-7", "BRB-0007"),
        ("BRB 7", "BRB-0007"),
        ("brb0007", "BRB-0007"),
        ("BRB-1", "BRB-0001"),
        ("BRB-7.", "BRB-0007"),
        ("brb-t1", "BRB-T01"),
        ("BRB-T01", "BRB-T01"),
    ],
)
def test_ids_are_read_leniently(typed: str, canonical: str) -> None:
    assert read_id(typed) == canonical
    assert split_id(f"{typed} JAM") == (canonical, "JAM")


@pytest.mark.parametrize("typed", ["RT-03", "BRB-", "7", "JAM-0001'--", "BRB-%", "B-0001"])
def test_what_is_no_id_is_not_read_as_one(typed: str) -> None:
    assert read_id(typed) is None


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert distance("reprots", "reports") == 1
    assert distance("incidnet", "incident") == 1
    assert closest("reprots", ["report", "reports", "mine"]) == ["reports"]
    assert closest("zz", ["mine"]) == [] and closest("whatever", ["mine", "help"]) == []


def test_unknown_verbs_get_a_suggestion_among_usable_verbs(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    reply = alice.say("reprots")
    assert "Did you mean `reports`?" in reply, reply
    assert [b.payload for b in alice.buttons()] == ["/reports"]
    assert "Did you mean `threats`?" in alice.say("/threts")
    reply = alice.say("incidnet BRB-0001")
    assert "Did you mean `incident`?" in reply
    assert [b.payload for b in alice.buttons()] == ["/incident BRB-0001"]
    assert "answer index is not available" in alice.say("how exposed is tourism to storms")
    secretariat = world.member("sam", Role.SECRETARIAT)
    # `mine` is close, but the secretariat may not use it: never suggested.
    assert "mine" not in secretariat.say("/minr")
    assert "I don't know “/minr”" in secretariat.say("/minr")
    delegate = world.member("dora", Role.DELEGATE, "JAM")
    assert "`share`" not in delegate.say("/shre BRB-0001 JAM")


def test_a_bare_id_opens_the_report_and_reveals_nothing_more(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Suspicious vessel off the west coast")
    bob.say("report Coastguard radar at Port Royal was jammed")  # JAM-0001, private
    for typed in ("BRB-0001", "brb-1", "BRB 1", "/brb-0001"):
        assert "Suspicious vessel" in alice.say(typed), typed
    private = alice.say("JAM-0001")
    missing = alice.say("JAM-0002")
    assert "Port Royal" not in private
    assert private.replace("JAM-0001", "X") == missing.replace("JAM-0002", "X")
    assert private == alice.say("incident jam-1")
    assert "I can't find a report JAM-0001 that you can see" in private
    assert "looks like" not in private


def test_a_lenient_id_in_a_group_reads_alike_for_private_and_unknown(world: World) -> None:
    world.register_group("room", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    bob.say("report Coastguard radar at Port Royal was jammed")
    room = alice.in_group("room")
    private = room.say("/jam-1")
    assert "Port Royal" not in private
    assert private.replace("JAM-0001", "X") == room.say("/jam-2").replace("JAM-0002", "X")
    assert room.say("JAM-0001") == "", "a bare id in a group is chatter, not addressed to me"


def test_lenient_ids_work_in_every_verb(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Suspicious vessel off the west coast")
    assert "Updated BRB-0001: severity is now high" in alice.say("edit brb 1 severity high")
    assert "Shared BRB-0001 with JAM" in alice.say("share brb-1 JAM")
    assert "can no longer see BRB-0001" in alice.say("unshare BRB 1 JAM")
    assert "is not a report id" in alice.say("incident vessel")


def test_state_names_map_to_codes_and_ambiguity_is_asked(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Suspicious vessel off the west coast")
    assert "Shared BRB-0001 with JAM" in alice.say("share BRB-0001 jamaica")
    reply = alice.say("share BRB-0001 trinidad and tobago, St. Lucia")
    assert "with TTO" in reply and "with LCA" in reply, reply
    reply = alice.say("share BRB-0001 saint")
    assert "could be KNA (Saint Kitts and Nevis), LCA (Saint Lucia) or VCT" in reply, reply
    assert "with VCT" in alice.say("share BRB-0001 st vincent")
    assert "with KNA" in alice.say("share BRB-0001 St Kitts")
    assert "Already shared with TTO." in alice.say("share BRB-0001 T&T")
    assert "Did you mean GUY (Guyana)?" in alice.say("share BRB-0001 guyanna")
    assert "your own state" in alice.say("share BRB-0001 barbados")
    with world.db.transaction() as session:
        grantees = {s.grantee for s in session.query(Share).filter(Share.revoked_at.is_(None))}
    assert grantees == {"JAM", "TTO", "LCA", "VCT", "KNA"}


def test_contacts_read_state_names_as_people_spell_them(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    lucia = bob.say("contacts st. lucia legal")
    assert "LCA · legal" in lucia and "JAM ·" not in lucia, lucia
    assert bob.say("contacts trinidad").count("TTO ·") >= 1


def test_threats_page_with_more_typed_or_pressed(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    first = bob.say("threats")
    assert "Showing 1–12 of" in first and "Send `more`" in first
    assert [b.payload for b in bob.buttons()] == ["/more threats 12"]
    second = bob.press("More ▸")
    assert "Showing 13–24 of" in second
    typed = bob.say("more")
    assert "Showing 25–" in typed and "last page" in typed, typed
    assert "There is no list to continue" in bob.say("more")
    first_lines = set(first.splitlines()[1:13])
    assert not first_lines & set(second.splitlines()[1:13]), "pages do not overlap"


def test_more_recomputes_under_the_rule_of_the_chat_it_is_sent_in(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    for n in range(23):
        alice.say(f"report Vessel sighting number {n}")
    listing = alice.say("reports")
    assert "Reports you can see here (23)" in listing and "Showing 1–20 of 23" in listing
    assert "BRB-0003" in alice.say("more")
    # A crafted button payload gets only what the presser may see.
    assert "none" in "\n".join(r.text for r in bob.send("", payload="/more reports 20"))
    assert "Send `more` alone" in bob.say("more frobnicate 3")
    with world.db.transaction() as session:
        assert session.query(Submission).count() == 23


def test_more_does_not_disturb_an_open_form(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("threats")
    assert "step 1" in alice.say("report")
    alice.say("threats")  # a list while the form is open keeps the form
    assert "Nothing to cancel" not in alice.say("cancel")
    assert "Nothing to cancel" in alice.say("cancel")


def test_a_tie_between_verbs_is_named_but_offers_no_button(world: World) -> None:
    """`nshare` is as near `share` as `unshare`: one tap on the wrong one would share a report,
    so both are named and the person types the one they meant."""
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Fishing boat capsized off Bathsheba, two crew rescued")
    reply = alice.say("nshare BRB-0001 JAM")
    assert "`share`" in reply and "`unshare`" in reply, reply
    assert alice.buttons() == []
    with world.db.transaction() as session:
        assert session.query(Share).count() == 0
