"""Findings of the security review of partners, each a probe that leaked before its fix."""

from __future__ import annotations

import pytest

from secbot.domain.clock import utcnow
from secbot.domain.enums import Role
from secbot.domain.errors import SecbotError
from secbot.identity.partners import add_partner, remove_partner
from tests.support.alerts import register, send_alert
from tests.support.world import World


def _cdema(world: World) -> None:
    with world.db.transaction() as session:
        add_partner(session, "CDEMA", "Disaster Agency", "regional", by="test")


def test_removing_a_partner_switches_its_rooms_off_rather_than_widening_them(
    world: World,
) -> None:
    _cdema(world)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    brb.say("report Private matter at Oistins fish market")
    brb.say("edit BRB-0001 tlp green")
    world.register_group("mixed", "BRB,CDEMA")
    room = brb.in_group("mixed")
    assert "BRB-0001" not in room.say("reports")
    with world.db.transaction() as session:
        remove_partner(session, "CDEMA", by="test", now=utcnow())
    assert "BRB-0001" not in room.say("reports")
    assert "Oistins" not in room.say("incident BRB-0001")
    assert "Oistins" in brb.say("incident BRB-0001")  # still the owner's, in a direct message


def test_a_grantee_cannot_read_the_share_list_through_task(world: World) -> None:
    _cdema(world)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    jam = world.member("jam", Role.FOCAL_POINT, "JAM")
    world.member("tto", Role.FOCAL_POINT, "TTO")
    brb.say("report Unlit vessel drifting off North Point")
    brb.say("share BRB-0001 JAM CDEMA")
    to_tto = jam.say("task BRB-0001 TTO check the coast")
    to_cdema = jam.say("task BRB-0001 CDEMA check the coast")
    assert to_tto == to_cdema  # the same refusal whether or not TTO or CDEMA was shared it
    assert "Only BRB" in to_cdema
    assert "Only BRB" not in jam.say("task BRB-0001 JAM check the coast")  # its own task
    assert "CDEMA" in brb.say("task BRB-0001 CDEMA check the coast")


def test_an_alert_to_a_partner_cannot_name_a_report_the_partner_may_not_read(
    world: World,
) -> None:
    _cdema(world)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    brb.say("report Drug shipment landed at Speightstown")
    brb.say("edit BRB-0001 tlp green")
    brb.say("share BRB-0001 all")  # all states, which never includes a partner
    register(world.db, "telegram", "-4", "CDEMA")
    register(world.db, "telegram", "-5", "all")
    with pytest.raises(SecbotError, match="BRB-0001"):
        send_alert(world.db, audience="CDEMA", body="Follow up BRB-0001 urgently.", key="x")
    assert send_alert(world.db, audience="all", body="Follow up BRB-0001 urgently.", key="y")


def test_an_alert_cannot_copy_a_timeline_or_log_the_audience_may_not_read(world: World) -> None:
    """The copied-text guard reads a report's timeline and co-ordination log as part of it
    (second review: an alert to all could repeat a partner's log entry on a private report)."""
    _cdema(world)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    partner = world.member("cp", Role.PARTNER, "CDEMA")
    register(world.db, "console", "room-all", "all")
    alice.say("report Vessel matter at the jetty")
    update = "forty armed men loading crates onto the grey trawler at dawn near the old jetty"
    log = "our field team saw six fast boats leave the northern cove without any lights"
    alice.say(f"update BRB-0001 {update}")
    alice.say("share BRB-0001 secretariat CDEMA")
    assert "BRB-0001" in partner.say(f"log BRB-0001 {log}")
    for copied in (update, log):
        with pytest.raises(SecbotError, match="copied"):
            send_alert(world.db, audience="all", body=f"Reported: {copied}.", key=copied[:10])
    assert send_alert(world.db, audience="all", body="Stay alert near the jetty.", key="own")


def test_a_partner_erases_its_own_observation_and_nothing_else(world: World) -> None:
    _cdema(world)
    admin = world.member("cpa", Role.PARTNER_ADMIN, "CDEMA")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "CDEMA-0001" in admin.say("report Flooded road cut off the north coast villages")
    alice.say("report Vessel matter at the jetty")
    alice.say("share BRB-0001 CDEMA")
    assert "can't find a report BRB-0001" in admin.say("erase BRB-0001 confirm")
    assert "Erased CDEMA-0001" in admin.say("erase CDEMA-0001 confirm")
    assert "CDEMA-0001" not in admin.say("mine")
    assert "BRB-0001" in admin.say("incident BRB-0001")
