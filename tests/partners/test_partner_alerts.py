"""Alerts and partners: `all` never reaches a room holding a partner; `partners` and partner
codes do; the preview counts partner rooms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from secbot.db.models import AlertDelivery, Channel
from secbot.db.session import Database
from secbot.domain.errors import InvalidInput
from secbot.engine.render.alerts import reach
from secbot.identity.partners import add_partner
from tests.support.alerts import register, seed_states, send_alert


def rooms_reached(db: Database, alert_id: int) -> set[str]:
    with db.transaction() as session:
        rows = session.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id))
        return {d.channel.chat_id for d in rows}


def test_partner_rooms_are_reached_only_by_name(db: Database) -> None:
    seed_states(db)
    with pytest.raises(InvalidInput, match="no partner organisations yet"):
        send_alert(db, audience="partners")
    with db.transaction() as session:
        add_partner(session, "CDEMA", "Disaster Agency", "regional", by="test")
        add_partner(session, "UWIMONA", "University campus", "academia", by="test")
    register(db, "telegram", "-1", "all")
    register(db, "telegram", "-2", "BRB")
    register(db, "telegram", "-3", "BRB,CDEMA")
    register(db, "telegram", "-4", "CDEMA")
    register(db, "telegram", "-5", "UWIMONA")
    assert rooms_reached(db, send_alert(db, audience="all", key="a")) == {"-1", "-2"}
    assert rooms_reached(db, send_alert(db, audience="partners", key="b")) == {"-4", "-5"}
    assert rooms_reached(db, send_alert(db, audience="BRB, partners", key="c")) == {
        "-2",
        "-3",
        "-4",
        "-5",
    }
    assert rooms_reached(db, send_alert(db, audience="cdema", key="d")) == {"-4"}
    with db.transaction() as session:
        channels = list(session.scalars(select(Channel).order_by(Channel.id)))
        assert reach(channels) == "5 channels (5 Telegram, 3 of them partner rooms)"
