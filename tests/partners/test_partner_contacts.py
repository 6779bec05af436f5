"""`contacts` lists partners' offices beside the states', by partner and by functional area."""

from __future__ import annotations

from secbot.domain.enums import Role
from secbot.identity.partners import add_partner
from tests.support.world import World


def test_partner_offices_in_contacts(world: World) -> None:
    with world.db.transaction() as session:
        add_partner(
            session,
            "CDEMA",
            "Disaster Emergency Agency",
            "regional",
            by="test",
            office="Regional Coordination Centre",
            channel="Duty officer line",
        )
        add_partner(session, "UWIMONA", "University campus", "academia", by="test")
    jam = world.member("jam", Role.DELEGATE, "JAM")
    by_code = jam.say("contacts CDEMA")
    assert "CDEMA · regional organisation · Regional Coordination Centre" in by_code, by_code
    assert "Duty officer line" in by_code and "JAM ·" not in by_code
    assert "Regional Coordination Centre" in jam.say("contacts regional_organisation")
    assert "UWIMONA" not in jam.say("contacts academia"), "no office given, none listed"
