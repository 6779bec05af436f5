"""The one-line report files what it says (time in the filer's zone, place from the filer's own
state's gazetteer) and says what it understood, with buttons that fix it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secbot.db.models import Incident, Member
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.world import World

NOW = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)  # 01:00 in Barbados, 00:00 in Jamaica


@pytest.fixture
def clocked(world: World) -> World:
    assert world.engine is not None
    world.engine.clock = lambda: NOW
    return world


def incident(db: Database, number: int = 1) -> Incident:
    with db.transaction() as session:
        row = session.get(Incident, number)
        assert row is not None
        session.expunge(row)
        return row


def test_one_line_report_records_place_and_time(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    text = alice.say("report Suspicious vessel sighted near Speightstown harbour at 02:00")
    assert "Filed BRB-0001" in text
    # said at 01:00 AST: 02:00 has not come today, so it was yesterday's 02:00 AST (06:00 UTC)
    assert "when: at 02:00 → 2026-11-28 02:00 AST" in text, text
    assert "where: near Speightstown harbour (Saint Peter · 13.2500, -59.6430)" in text
    row = incident(db)
    assert row.occurred_at == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    assert (row.location, row.place, row.region) == (
        "near Speightstown harbour",
        "Speightstown",
        "Saint Peter",
    )
    assert (row.latitude, row.longitude) == (13.25, -59.643)
    detail = alice.say("incident BRB-0001")
    assert "When: 2026-11-28 02:00 AST (06:00 UTC)" in detail
    assert "Where: near Speightstown harbour (Saint Peter" in detail


def test_nothing_said_is_shown_as_assumed(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    text = alice.say("report Armed group seen unloading firearms at a private jetty")
    assert "when: now, 2026-11-29 01:00 AST (no time in your message)" in text
    assert "where: not given (no place in your message)" in text
    assert incident(db).occurred_at == NOW
    text = alice.say("report Skiff off Foo Cay last night")
    assert "where: off Foo Cay (not in my list of places for Barbados: no coordinates)" in text
    assert "when: last night → about 2026-11-28 22:00 AST" in text


def test_hints_use_the_filers_own_places(clocked: World) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    bob = clocked.member("bob", Role.FOCAL_POINT, "VCT")
    brb = alice.say("report Suspicious vessel sighted at 02:00")
    assert "Kingstown" not in brb
    assert "`edit BRB-0001 where near Bridgetown Port`" in brb
    vct = bob.say("report Suspicious vessel sighted at 02:00")
    assert "`edit VCT-0001 where near Kingstown Harbour`" in vct
    ask = alice.press("Change where")
    assert "Where did BRB-0001 happen?" in ask
    labels = [b.label for b in alice.buttons()]
    assert "Bridgetown" in labels and "Not given" in labels
    assert not {"Kingstown", "Kingstown Harbour", "Bequia"} & set(labels)


def test_fix_buttons_change_when_and_where(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    # (Oistins: far from the second report's Speightstown, so that one is not held as the same)
    alice.say("report Dinghy landed near Oistins at 02:00")
    assert "When did BRB-0001 happen? Now it says 2026-11-28 02:00 AST" in alice.press(
        "Change when"
    )
    assert "when is now 2026-11-28 22:00 AST" in alice.press("Last night")
    alice.say("report Dinghy landed near Speightstown at 02:00")
    alice.press("Change where")
    # the closest places to the one recorded come first
    assert [b.label for b in alice.buttons()][:2] == ["Speightstown", "Port St. Charles"]
    done = alice.press("Port St. Charles")
    assert "where is now Port St. Charles (Saint Peter · 13.2620, -59.6440)" in done
    typed = alice.say("edit BRB-0002 where off Bottom Bay")
    assert "where is now off Bottom Bay (Saint Philip" in typed
    row = incident(db, 2)
    assert (row.place, row.region, row.latitude) == ("Bottom Bay", "Saint Philip", 13.116)
    assert "when is now 2026-11-28 14:30 AST" in alice.say("edit BRB-0002 when yesterday 14:30")
    assert incident(db, 2).occurred_at == datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    alice.say("edit BRB-0002 where")
    assert "where is now not given" in alice.press("Not given")
    assert incident(db, 2).latitude is None


def test_a_bad_time_changes_nothing(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Dinghy landed near Speightstown at 02:00")
    refused = alice.say("edit BRB-0001 when today 09:00")
    assert "in the future" in refused and "2026-11-29 01:00 AST now" in refused
    assert incident(db).occurred_at == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_a_report_dated_later_today_is_refused_and_not_filed(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    refused = alice.say("report Dinghy landed near Oistins this morning at 09:00")
    assert "2026-11-29 09:00 AST is in the future (it is 2026-11-29 01:00 AST now)" in refused
    assert "Nothing was filed" in refused
    with db.transaction() as session:
        assert session.query(Incident).count() == 0


def test_guided_form_reads_time_and_place_in_the_filers_zone(clocked: World, db: Database) -> None:
    bob = clocked.member("bob", Role.FOCAL_POINT, "JAM")
    bob.say("report")
    bob.press("Maritime security")
    bob.press("High")
    bob.say("Go-fast boat landed bales. Crew fled.")
    bob.say("3 nm off Port Royal")
    summary = bob.say("at 23:15")
    summary = bob.press("AMBER")
    assert "When: 2026-11-28 23:15 EST" in summary, summary
    assert "Where: 3 nm off Port Royal" in summary
    bob.press("✔ Save")
    row = incident(db)
    assert row.occurred_at == datetime(2026, 11, 29, 4, 15, tzinfo=UTC)
    assert (row.location, row.place, row.region) == (
        "3 nm off Port Royal",
        "Port Royal",
        "Kingston",
    )


def test_timezone_verb(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    shown = alice.say("timezone")
    assert "America/Barbados (your state's default)" in shown
    assert "It is now 2026-11-29 01:00 AST (05:00 UTC)" in shown
    wrong = alice.say("timezone America/Barbadso")
    assert "I don't know the time zone “America/Barbadso”" in wrong
    assert "Did you mean `timezone America/Barbados`?" in wrong
    assert "Did you mean `timezone America/Port_of_Spain`?" in alice.say("timezone port of spian")
    with db.transaction() as session:
        assert session.query(Member).filter(Member.timezone.is_not(None)).count() == 0
    assert "Done: I show times in UTC (you chose it)" in alice.say("timezone utc")
    alice.say("report Dinghy landed near Speightstown at 02:00")
    assert "When: 2026-11-29 02:00 UTC" in alice.say("incident BRB-0001")  # 02:00 UTC now
    assert "America/Jamaica" in alice.say("timezone america/jamaica")
    assert "When: 2026-11-28 21:00 EST (2026-11-29 02:00 UTC)" in alice.say("incident BRB-0001")
    assert "your state's default" in alice.say("timezone default")
    with db.transaction() as session:
        assert session.query(Member).one().timezone is None


def test_times_are_shown_in_each_viewers_zone(clocked: World) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    bob = clocked.member("bob", Role.DELEGATE, "JAM")
    sec = clocked.member("sam", Role.SECRETARIAT)
    alice.say("report Dinghy landed near Speightstown at 02:00")
    alice.say("share BRB-0001 JAM secretariat")
    assert "When: 2026-11-28 02:00 AST (06:00 UTC)" in alice.say("incident BRB-0001")
    assert "When: 2026-11-28 01:00 EST (06:00 UTC)" in bob.say("incident BRB-0001")
    assert "When: 2026-11-28 06:00 UTC" in sec.say("incident BRB-0001")
    assert "UTC (the default; your state has none)" in sec.say("timezone")


def test_place_buttons_fit_telegram(clocked: World) -> None:
    """Telegram keeps 64 bytes of button data: the long airport names go by a short spelling."""
    for state in ("BLZ", "KNA", "SUR", "GUY", "BHS"):
        member = clocked.member(f"m-{state}", Role.FOCAL_POINT, state)
        member.say("report Suspicious aircraft at 02:00")
        member.say(f"edit {state}-0001 where")
        for button in member.buttons():
            assert len(button.payload.encode()) <= 64, button.payload
        airport = next(b for b in member.buttons() if "Airport" in b.label)
        assert f"where is now {airport.label} (" in member.press(airport.label)


def test_alert_times_are_shown_in_each_viewers_zone(clocked: World) -> None:
    clocked.register_group("g-all", "all", platform="telegram")
    sam = clocked.member("sam", Role.SECRETARIAT)
    alice = clocked.member("alice", Role.DELEGATE, "BRB")
    sam.say("alert")
    sam.say("Hurricane Elan: tropical storm warning")
    sam.say("Storm surge of 2 m expected on northern coasts within 24 hours.")
    for label in ("Severe", "Immediate", "Likely", "Weather", "All channels", "No filter"):
        sam.press(label)
    preview = sam.press("24 hours")
    assert "Expires: 2026-11-30 05:00 UTC" in preview, preview
    sam.press("📣 Send to 1")
    assert "2026-11-29 05:00 UTC" in sam.say("alert A-1")
    assert "2026-11-29 01:00 AST" in alice.say("alerts")
    alice.say("ack A-1")
    assert "You acknowledged it 2026-11-29 01:00 AST." in alice.say("alert A-1")
    sam.say("timezone America/Jamaica")
    status = sam.say("alert A-1")
    assert "Sent 2026-11-29 00:00 EST" in status and "(BRB) 2026-11-29 00:00 EST" in status
