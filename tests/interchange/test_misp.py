"""`push ID misp` through the real PyMISP client to a fake MISP REST API on 127.0.0.1: the
distribution follows TLP, RED and AMBER+STRICT never leave, every push asks first, and a MISP
that is down or refuses gets a clear reply with nothing recorded as pushed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from secbot.db.models import AuditEvent
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.interchange import misp
from tests.fakes.misp_server import FakeMispServer
from tests.support.world import Chat, World


@pytest.fixture
def fake_misp() -> Iterator[FakeMispServer]:
    with FakeMispServer() as server:
        misp.TARGET[0] = misp.MispTarget(server.url, server.key, verify_tls=False, timeout=5)
        yield server
    misp.TARGET[0] = None


def _pushes(db: Database) -> list[str]:
    with db.transaction() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "pushed_misp"))
        return [str(e.detail["public_id"]) for e in rows]


def _alice(world: World) -> Chat:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Fishing boat capsized off Bathsheba, two crew rescued")
    alice.say("update BRB-0001 Third crew member found safe")
    alice.say("link BRB-0001 RT-05")
    return alice


def test_green_says_who_will_read_it_then_goes_with_the_matching_distribution(
    world: World, db: Database, fake_misp: FakeMispServer
) -> None:
    alice = _alice(world)
    alice.say("edit BRB-0001 tlp green")
    ask = alice.say("push BRB-0001 misp")
    assert "every organisation on" in ask and "cannot be taken back" in ask
    assert fake_misp.event_posts() == [] and _pushes(db) == []
    reply = alice.press("Push to MISP")
    assert "Pushed BRB-0001 to MISP as event 1" in reply and "this community only" in reply
    (event,) = fake_misp.events
    assert event["info"].startswith("BRB-0001: Fishing boat capsized")
    assert int(event["distribution"]) == 1
    tags = {t["name"] for t in event["Tag"]}
    assert {"tlp:green", "secbot:threat=RT-05"} <= tags
    values = [a["value"] for a in event["Attribute"]]
    assert "Third crew member found safe" in values
    assert fake_misp.event_posts()[0].key == fake_misp.key
    assert _pushes(db) == ["BRB-0001"]


def test_amber_asks_first_then_goes_as_organisation_only(
    world: World, db: Database, fake_misp: FakeMispServer
) -> None:
    alice = _alice(world)
    reply = alice.say("push BRB-0001 misp")
    assert "TLP:AMBER" in reply and "Push it?" in reply and "not your state alone" in reply
    assert fake_misp.event_posts() == [] and _pushes(db) == []
    assert "Pushed BRB-0001" in alice.press("Push to MISP")
    assert int(fake_misp.events[0]["distribution"]) == 0
    assert {t["name"] for t in fake_misp.events[0]["Tag"]} >= {"tlp:amber"}


def test_red_never_leaves_and_others_cannot_push(
    world: World, db: Database, fake_misp: FakeMispServer
) -> None:
    alice = _alice(world)
    alice.say("edit BRB-0001 tlp red")
    assert "TLP:RED" in alice.say("push BRB-0001 misp confirm")
    alice.say("edit BRB-0001 tlp amber+strict")
    assert "not sent" in alice.say("push BRB-0001 misp confirm")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    assert "belongs to BRB" in bob.say("push BRB-0001 misp confirm")
    assert "can't find a report BRB-0002" in bob.say("push BRB-0002 misp")
    dan = world.member("dan", Role.DELEGATE, "BRB")
    assert "Only focal points" in dan.say("push BRB-0001 misp")
    assert "Usage: push ID misp" in alice.say("push BRB-0001 opencti")
    assert fake_misp.calls == [] and _pushes(db) == []


def test_misp_refusing_or_down_records_nothing(
    world: World, db: Database, fake_misp: FakeMispServer
) -> None:
    alice = _alice(world)
    fake_misp.refuse_with = "Event could not be saved"
    reply = alice.say("push BRB-0001 misp confirm")
    assert "MISP refused the event" in reply and "Nothing was pushed" in reply
    assert _pushes(db) == []
    fake_misp.refuse_with = None
    misp.TARGET[0] = misp.MispTarget(fake_misp.url, "wrong-key", verify_tls=False, timeout=5)
    assert "Nothing was pushed" in alice.say("push BRB-0001 misp confirm")
    url = fake_misp.url
    fake_misp.stop()
    misp.TARGET[0] = misp.MispTarget(url, fake_misp.key, verify_tls=False, timeout=2)
    reply = alice.say("push BRB-0001 misp confirm")
    assert "did not answer" in reply and "Nothing was pushed" in reply
    assert _pushes(db) == []


def test_not_configured_says_so(world: World) -> None:
    misp.TARGET[0] = None
    alice = _alice(world)
    assert "No MISP instance is configured" in alice.say("push BRB-0001 misp confirm")


def test_a_push_names_no_other_states_register_entry(
    world: World, db: Database, fake_misp: FakeMispServer
) -> None:
    """JAM shared its own entry with BRB, and BRB linked a report to it: a push of that report
    carries the regional link, never JAM's code (JAM's to publish; a push is for good)."""
    alice = _alice(world)
    jim = world.member("jim", Role.STATE_ADMIN, "JAM")
    assert "JAM-T01" in jim.say("threat add Cartel corridor through the Negril fishing fleet")
    jim.say("share JAM-T01 BRB")
    assert "JAM-T01" in alice.say("link BRB-0001 JAM-T01")
    alice.say("edit BRB-0001 tlp green")
    alice.say("push BRB-0001 misp")
    assert "Pushed BRB-0001" in alice.press("Push to MISP")
    tags = {t["name"] for t in fake_misp.events[0]["Tag"]}
    assert "secbot:threat=RT-05" in tags
    assert not any("JAM" in t for t in tags)
