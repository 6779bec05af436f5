"""Composing, listing, acknowledging and registering in chat, through the engine."""

from __future__ import annotations

from sqlalchemy import func, select

from secbot.db.models import Alert, AlertAck, AlertDelivery, Channel, Draft
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.world import Chat, World


def _compose(sec: Chat, audience: str = "all", tags: str = "No filter") -> str:
    sec.say("alert")
    sec.say("Hurricane Elan: tropical storm warning")
    sec.say("Storm surge of 2 m expected on northern coasts within 24 hours.")
    sec.press("Severe")
    sec.press("Immediate")
    sec.press("Likely")
    sec.press("Weather")
    if audience in ("all", "secretariat"):
        sec.press("All channels" if audience == "all" else "Secretariat")
    else:
        sec.say(audience)
    if tags == "No filter":
        sec.press("No filter")
    else:
        sec.say(tags)
    return sec.press("24 hours")


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_secretariat_composes_previews_and_sends_only_on_confirm(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="telegram")
    world.register_group("g-brb", "BRB", platform="telegram")
    world.register_group("g-jam", "JAM", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    preview = _compose(sec)
    assert "This will reach 3 channels (3 Telegram)" in preview, world.dump()
    assert "Severity Severe · urgency Immediate · certainty Likely · Weather" in preview
    assert _count(db, Alert) == 0 and _count(db, AlertDelivery) == 0
    done = sec.press("📣 Send to 3")
    assert "A-1 is on its way to 3 channels" in done
    assert _count(db, Alert) == 1 and _count(db, AlertDelivery) == 3
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
    # Pressing Send again (a double tap, a redelivery) sends nothing more.
    sec.send("", payload="send")
    assert _count(db, Alert) == 1


def test_state_audience_reaches_only_rooms_of_those_states(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="slack")
    world.register_group("g-brb", "BRB", platform="telegram")
    world.register_group("g-brb-jam", "BRB,JAM", platform="telegram")
    world.register_group("g-tto", "TTO", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    preview = _compose(sec, audience="BRB, JAM")
    assert "This will reach 2 channels" in preview
    sec.press("📣 Send to 2")
    with db.transaction() as session:
        chats = {
            c.chat_id
            for c in session.scalars(
                select(Channel).join(AlertDelivery, AlertDelivery.channel_id == Channel.id)
            )
        }
    assert chats == {"g-brb", "g-brb-jam"}


def test_one_channel_reads_in_the_singular(db: Database) -> None:
    world = World(db)
    world.register_group("g-tto", "TTO", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    assert "This will reach 1 channel (1 Telegram)" in _compose(sec, audience="TTO")
    assert "A-1 is on its way to 1 channel." in sec.press("📣 Send to 1")
    reader = world.member("tara", Role.DELEGATE, "TTO").say("alert A-1")
    assert "From the secretariat" in reader and "console:sam" not in reader, reader


def test_bad_answers_are_re_asked_and_change_nothing(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    sec.say("alert")
    assert "few words" in sec.say("Hi")
    sec.say("Vessel of interest near the southern approaches")
    assert "The message needs a few words." in sec.say("Huge")
    sec.say("Coast guards report an unflagged vessel heading south.")
    assert "continue" in sec.say("alert")  # resumes the form, at the severity step
    assert "Severity is one of" in sec.say("Huge")
    sec.press("Moderate")
    sec.press("Expected")
    sec.press("Possible")
    sec.press("Security")
    assert "Unknown state or partner code" in sec.say("XYZ")
    sec.press("All channels")
    assert "Tags are short words" in sec.say("bad/tag")
    sec.press("No filter")
    assert "expiry must be in the future" in sec.say("2020-01-01 10:00")
    preview = sec.press("6 hours")
    assert "This will reach 1 channel" in preview
    assert _count(db, Alert) == 0
    assert "Cancelled; nothing was sent." in sec.say("cancel")
    assert _count(db, Alert) == 0


def test_an_alert_may_quote_only_reports_shared_with_all(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="telegram")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "BRB-0001" in alice.say("report Unflagged vessel seen off the north coast")
    assert "BRB-0002" in alice.say("report Second sighting of the same vessel at dawn")
    sec = world.member("sam", Role.SECRETARIAT)
    sec.say("alert")
    sec.say("Vessel of interest near the southern approaches")
    private = sec.say("Coast guards report an unflagged vessel; see BRB-0001.")
    assert "BRB-0001 is not a report shared with all states" in private
    unknown = sec.say("Coast guards report an unflagged vessel; see BRB-0999.")
    assert unknown == private.replace("BRB-0001", "BRB-0999")  # unknown reads like private
    # Shared with all but AMBER: still no, an alert reaches group chats.
    alice.say("share BRB-0002 all")
    assert "not a report shared" in sec.say("Vessel again, see BRB-0002.")
    alice.say("edit BRB-0002 tlp GREEN")
    assert "Severity?" in sec.say("Vessel again, see BRB-0002.")
    # Revoked between the step and the send: the confirm step checks again.
    for answer in ("Moderate", "Expected", "Possible", "Security", "all", "none"):
        sec.say(answer)
    assert "This will reach 1 channel" in sec.say("6h")
    alice.say("unshare BRB-0002 all")
    assert "BRB-0002 is not a report shared" in sec.say("send")
    assert _count(db, Alert) == 0


def test_only_the_secretariat_may_compose_and_see_status(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="telegram")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    admin = world.member("ada", Role.STATE_ADMIN, "BRB")
    assert "Only the secretariat can send alerts" in alice.say("alert")
    assert "Only the secretariat can send alerts" in admin.say("alert")
    sec = world.member("sam", Role.SECRETARIAT)
    _compose(sec)
    sec.press("📣 Send to 1")
    status = sec.say("alert A-1")
    assert "Delivered 0/1 · failed 0 · pending 1" in status
    assert "telegram g-all (all): pending" in status
    # A member sees the alert itself with an Acknowledge button, not the status.
    view = alice.say("alert A-1")
    assert "Hurricane Elan" in view and "Delivered" not in view
    assert [b.label for b in alice.buttons()] == ["✔ Acknowledge"]


def test_ack_by_button_and_verb_is_recorded_once_with_state_and_time(db: Database) -> None:
    world = World(db)
    world.register_group("g-all", "all", platform="console")
    world.register_group("g-tg", "all", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    _compose(sec)
    sec.press("📣 Send to 2")
    in_room = alice.in_group("g-all")
    pressed = "\n".join(r.text for r in in_room.send("", payload="ack A-1"))
    assert "✔ alice acknowledged A-1" in pressed
    assert "already" in alice.say("ack A-1")
    assert "✔ You acknowledged A-1" in bob.say("ack 1")
    with db.transaction() as session:
        acks = list(session.scalars(select(AlertAck).order_by(AlertAck.id)))
        channel = session.scalar(select(Channel).where(Channel.chat_id == "g-all"))
        assert channel is not None
        assert [(a.party, a.channel_id) for a in acks] == [("BRB", channel.id), ("JAM", None)]
    status = sec.say("alert A-1")
    assert "acknowledged by 2 members from 2 states" in status
    assert "• alice (BRB)" in status and "• bob (JAM)" in status
    listing = alice.say("alerts")
    assert "✔ acknowledged" in listing


def test_an_alert_for_other_states_is_invisible_and_cannot_be_acknowledged(db: Database) -> None:
    world = World(db)
    world.register_group("g-brb", "BRB", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    bob = world.member("bob", Role.DELEGATE, "JAM")
    _compose(sec, audience="BRB")
    sec.press("📣 Send to 1")
    missing = bob.say("alert A-1")
    assert "can't find an alert A-1" in missing
    assert bob.say("ack A-1") == missing
    assert bob.say("ack A-99") == missing.replace("A-1", "A-99")
    assert "No alerts yet." in bob.say("alerts")
    stranger = world.chat("eve")
    assert "haven't joined" in stranger.say("ack A-1")
    assert _count(db, AlertAck) == 0


def test_register_inside_a_group_by_an_admin(db: Database) -> None:
    world = World(db)
    sec_admin = world.member("root", Role.SECRETARIAT_ADMIN)
    brb_admin = world.member("ada", Role.STATE_ADMIN, "BRB")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    group = "room-1"
    refused = alice.in_group(group).say("register all")
    assert "Only secretariat admins or state admins can register channels." in refused
    assert "own state only" in brb_admin.in_group(group).say("register all")
    assert "own state only" in brb_admin.in_group(group).say("register JAM")
    ok = brb_admin.in_group(group).say("register BRB #weather")
    assert "registered" in ok and "#weather" in ok
    assert "inside the group" in sec_admin.say("register all")
    assert "registered" in sec_admin.in_group("room-2").say("register all #cyber #weather")
    with db.transaction() as session:
        rows = {c.chat_id: c for c in session.scalars(select(Channel))}
        assert rows["room-1"].audience_states == ["BRB"] and rows["room-1"].tags == ["weather"]
        assert rows["room-2"].audience_kind == "all"
        assert rows["room-2"].tags == ["cyber", "weather"]
