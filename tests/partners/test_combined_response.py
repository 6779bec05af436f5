"""Partners as parties, and a combined response walked through in chat: BRB reports a vessel,
shares it with JAM and CDEMA, JAM takes a task, CDEMA offers a boat, BRB closes the report; a
TTO member and a stranger see none of it."""

from __future__ import annotations

from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.identity.partners import add_partner
from tests.support.secrets import ids
from tests.support.world import World


def add_cdema(db: Database) -> None:
    with db.transaction() as session:
        add_partner(session, "CDEMA", "Disaster Emergency Agency", "regional", by="test")


def test_combined_response(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    jam = world.member("jam", Role.FOCAL_POINT, "JAM")
    cdema = world.member("cdema", Role.PARTNER, "CDEMA")
    tto = world.member("tto", Role.FOCAL_POINT, "TTO")
    stranger = world.chat("stranger")

    assert "BRB-0001" in brb.say("report Unlit vessel drifting off North Point")
    assert "Shared BRB-0001 with CDEMA." in brb.say("share BRB-0001 JAM CDEMA")
    assert ids(cdema.say("reports")) == ["BRB-0001"]
    assert "Unlit vessel" in cdema.say("incident BRB-0001")

    assert "Nothing yet" in jam.say("respond BRB-0001")
    assert "Task BRB-0001/1 for JAM added" in brb.say(
        "task BRB-0001 JAM Patrol the north coast tonight"
    )
    assert "Added a need" in brb.say("need BRB-0001 A boat with a medical team")
    assert "Added an offer" in cdema.say("offer BRB-0001 One rescue boat from Bridgetown")
    assert "Task BRB-0001/1 is done" in jam.say("done BRB-0001/1")
    assert "already done" in jam.say("done BRB-0001/1")
    assert "Added a log" in brb.say("log BRB-0001 Crew of four safe ashore; vessel towed")
    assert "status is now closed" in brb.say("edit BRB-0001 status closed")

    log = cdema.say("respond BRB-0001")
    for expected in (
        "TASK BRB-0001/1 for JAM (done): Patrol the north coast tonight",
        "BRB · NEED: A boat with a medical team",
        "CDEMA · OFFER: One rescue boat from Bridgetown",
        "BRB · Log: Crew of four safe ashore",
    ):
        assert expected in log, log

    def entries(text: str) -> list[str]:  # each reader sees times in its own zone
        return [line.split(" · ", 1)[-1] for line in text.splitlines()]

    assert entries(jam.say("respond BRB-0001")) == entries(log), "one log for every party"

    for outsider in (tto, stranger):
        for verb in ("reports", "respond BRB-0001", "incident BRB-0001", "log BRB-0001 hi"):
            reply = outsider.say(verb)
            assert "vessel" not in reply.lower() and "rescue boat" not in reply, (verb, reply)
            assert "BRB-0001/" not in reply and "Patrol" not in reply, (verb, reply)
    assert tto.say("respond BRB-0001") == tto.say("respond BRB-0099").replace("0099", "0001")


def test_all_never_reaches_a_partner_and_unsharing_closes_the_log(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    cdema = world.member("cdema", Role.PARTNER, "CDEMA")
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 all")
    assert "none" in cdema.say("reports")
    assert "can't find a report BRB-0001" in cdema.say("respond BRB-0001")
    assert "CDEMA cannot see BRB-0001" in brb.say("task BRB-0001 CDEMA Sample the water")
    brb.say("share BRB-0001 CDEMA")
    assert "Task BRB-0001/1 for CDEMA" in brb.say("task BRB-0001 CDEMA Sample the water")
    assert "Sample the water" in cdema.say("respond BRB-0001")
    assert "CDEMA can no longer see BRB-0001" in brb.say("unshare BRB-0001 CDEMA")
    closed = cdema.say("respond BRB-0001")
    assert "can't find a report BRB-0001" in closed and "Sample" not in closed
    assert "can't find a report BRB-0001" in cdema.say("done BRB-0001/1")


def test_red_never_goes_to_a_partner(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    brb.say("report Informant names")
    brb.say("edit BRB-0001 tlp red")
    assert "TLP:RED" in brb.say("share BRB-0001 CDEMA")


def test_a_partner_files_its_own_observation_and_shares_it_by_name(world: World) -> None:
    add_cdema(world.db)
    cdema = world.member("cdema", Role.PARTNER, "CDEMA")
    brb = world.member("brb", Role.DELEGATE, "BRB")
    jam = world.member("jam", Role.DELEGATE, "JAM")
    assert "CDEMA-0001" in cdema.say("report Storm surge damaged the jetty at Speightstown")
    assert ids(cdema.say("mine")) == ["CDEMA-0001"]
    assert "none" in brb.say("reports")
    assert "Shared CDEMA-0001 with BRB" in cdema.say("share cdema-1 BRB")
    assert ids(brb.say("reports")) == ["CDEMA-0001"] and "none" in jam.say("reports")
    assert "belongs to CDEMA" in world.member("bfp", Role.FOCAL_POINT, "BRB").say(
        "share CDEMA-0001 JAM"
    )


def test_group_rule_with_a_partner_in_the_room(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    world.member("cdema", Role.PARTNER, "CDEMA")
    world.register_group("ops", "BRB, CDEMA")
    brb.say("report Beach closed after a spill")
    brb.say("edit BRB-0001 tlp green")
    brb.say("log BRB-0001 Clean-up crews on site")
    room = brb.in_group("ops")
    assert "can't show BRB-0001 here" in room.say("/respond BRB-0001") or "can't find" in (
        room.say("/respond BRB-0001")
    )
    brb.say("share BRB-0001 CDEMA")
    assert "Clean-up crews on site" in room.say("/respond BRB-0001")
    world.register_group("all-room", "all")
    assert "Clean-up" not in brb.in_group("all-room").say("/respond BRB-0001")


def test_who_a_task_or_a_need_should_reach(world: World) -> None:
    """The focal points of the parties concerned, never a party that cannot see the report."""
    from secbot.access.principal import Place
    from secbot.db.types import utcnow
    from secbot.identity.accounts import Account, principal_for
    from secbot.reports import response

    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    world.member("jam", Role.FOCAL_POINT, "JAM")
    world.member("jamdel", Role.DELEGATE, "JAM")
    world.member("cdema", Role.PARTNER_ADMIN, "CDEMA")
    world.member("tto", Role.FOCAL_POINT, "TTO")
    brb.say("report Fishing boat overdue")
    brb.say("share BRB-0001 JAM CDEMA")
    with world.db.transaction() as session:
        who = principal_for(session, Account("console", "", "brb"), Place.direct())
        need = response.add_entry(session, who, "BRB-0001", "need", "A spotter plane", utcnow())
        task = response.add_entry(session, who, "BRB-0001", "task", "Search", utcnow(), "CDEMA")
        assert sorted(m.user_id for m in need.tell) == ["cdema", "jam"]
        assert [m.user_id for m in task.tell] == ["cdema"]


def test_removing_a_partner_revokes_its_shares_and_tells_the_index(world: World) -> None:
    from sqlalchemy import func, select

    from secbot.db.models import IndexChange, Share
    from secbot.db.types import utcnow
    from secbot.identity.partners import remove_partner

    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    brb.say("report Debris on the runway")
    brb.say("share BRB-0001 CDEMA")
    with world.db.transaction() as session:
        before = session.scalar(select(func.count()).select_from(IndexChange))
        remove_partner(session, "CDEMA", by="test", now=utcnow())
    with world.db.transaction() as session:
        active = session.scalars(select(Share).where(Share.revoked_at.is_(None))).all()
        assert active == []
        assert session.scalar(select(func.count()).select_from(IndexChange)) == before + 1
    assert "Shared BRB-0001" not in brb.say("share BRB-0001 CDEMA")


def test_incident_points_to_the_log_and_the_alert_form_names_partners(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    jam = world.member("jam", Role.FOCAL_POINT, "JAM")
    tto = world.member("tto", Role.FOCAL_POINT, "TTO")
    brb.say("report Unlit vessel drifting off North Point")
    assert "respond BRB-0001" not in brb.say("incident BRB-0001"), "no log yet: no pointer"
    brb.say("share BRB-0001 JAM")
    brb.say("task BRB-0001 JAM Patrol the north coast tonight")
    brb.say("log BRB-0001 Coast guard informed")
    shown = jam.say("incident BRB-0001")
    assert shown.endswith("Response log: 2 entries, 1 open task. See it: respond BRB-0001"), shown
    assert "Response log" not in tto.say("incident BRB-0001")

    sec = world.member("sec", Role.SECRETARIAT)
    sec.say("alert")
    sec.say("Storm surge warning")
    sec.say("Storm surge of 2 m expected on northern coasts within 24 hours.")
    for label in ("Severe", "Immediate", "Likely"):
        sec.press(label)
    asked = sec.press("Weather")
    assert "`partners` (every partner: CDEMA)" in asked, asked
    assert "`all` never includes them" in asked


def test_a_brief_counts_open_tasks_only_of_reports_the_reader_may_see(world: World) -> None:
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    jam = world.member("jam", Role.FOCAL_POINT, "JAM")
    tto = world.member("tto", Role.FOCAL_POINT, "TTO")
    brb.say("report Unlit vessel drifting off North Point")
    brb.say("share BRB-0001 JAM")
    brb.say("task BRB-0001 JAM Patrol the north coast tonight")
    brb.say("task BRB-0001 BRB Tow the vessel")
    jam.say("done BRB-0001/1")
    for reader in (brb, jam):
        text = reader.say("brief quarter")
        assert "Unlit vessel" in text and "· 1 open task" in text, text
    text = tto.say("brief quarter")
    assert "BRB-0001" not in text and "open task" not in text, text
