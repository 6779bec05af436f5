"""`brief` in a conversation: who may ask, what arrives (text, chart, PDF), the group rule, and
polite refusals that change nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from secbot.db.types import utcnow
from secbot.domain.enums import Role
from tests.support.seed import add_incident
from tests.support.world import World


def _seed(world: World) -> dict[str, str]:
    now = utcnow()
    with world.db.transaction() as session:
        return {
            "shared": add_incident(
                session,
                owner="JAM",
                occurred_at=now - timedelta(days=2),
                grantees=["*all"],
                title="Go-fast boat intercepted off Portland",
            ),
            "private": add_incident(
                session,
                owner="BRB",
                occurred_at=now - timedelta(days=3),
                tlp="AMBER",
                category="cyber_incident",
                title="Ransomware at Grantley port office",
                place="Bridgetown",
            ),
        }


def test_a_member_gets_the_summary_the_chart_and_the_pdf(world: World) -> None:
    ids = _seed(world)
    brb = world.member("bea", Role.FOCAL_POINT, "BRB")
    (reply,) = brb.send("brief month")
    assert reply.text.startswith("TLP:AMBER")
    assert "2 reports you may see" in reply.text
    png, pdf = reply.attachments
    assert png.mime == "image/png" and png.data.startswith(b"\x89PNG")
    assert pdf.mime == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert png.filename.endswith("TLP-AMBER.png")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert ids["private"] in text or "Ransomware" in text  # BRB's own report is counted


def test_in_a_group_the_rooms_rule_applies(world: World) -> None:
    ids = _seed(world)
    world.register_group("regional", "BRB,JAM")
    brb = world.member("bea", Role.FOCAL_POINT, "BRB")
    (reply,) = brb.in_group("regional").send("/brief month")
    assert reply.text.startswith("TLP:GREEN")
    assert ids["private"] not in reply.text and "Ransomware" not in reply.text
    pdf = PdfReader(io.BytesIO(reply.attachments[1].data))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Ransomware" not in text and "Bridgetown" not in text
    assert "1 reports you may see" in text


def test_strangers_and_the_secretariat_admin_are_refused(world: World) -> None:
    _seed(world)
    stranger = world.chat("eve")
    assert "join" in stranger.say("brief").lower()
    assert stranger.last[0].attachments == ()
    admin = world.member("ada", Role.SECRETARIAT_ADMIN)
    assert "members of a state and the secretariat" in admin.say("brief")
    assert admin.last[0].attachments == ()


def test_the_secretariat_may_ask(world: World) -> None:
    _seed(world)
    sam = world.member("sam", Role.SECRETARIAT)
    text = sam.say("brief quarter")
    assert "Alerts sent: 0" in text and "1 reports you may see" in text


def test_bad_input_gets_a_polite_reply_and_no_files(world: World) -> None:
    _seed(world)
    jam = world.member("jo", Role.DELEGATE, "JAM")
    assert "don't know the state code XYZ" in jam.say("brief month XYZ")
    assert "Try `brief`" in jam.say("brief month year")
    assert jam.last[0].attachments == ()
    text = jam.say("brief quarter JAM,TTO")
    assert "states: JAM, TTO" in text
