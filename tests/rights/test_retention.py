"""Retention: per-TLP periods from the settings, a state may shorten (never lengthen) its own,
and the daily round erases what is past through the same erasure path, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from secbot.config import Settings
from secbot.db.erasures import Erasure
from secbot.db.models import AuditEvent, Submission
from secbot.domain.clock import utcnow
from secbot.domain.enums import TLP, Role
from secbot.domain.errors import InvalidInput
from secbot.entrypoints.retention_job import retention_round
from secbot.rights import retention
from secbot.rights.compaction import Compactor
from tests.support.world import World


def _age(world: World, public_id: str, days: int) -> None:
    with world.db.transaction() as session:
        session.execute(
            update(Submission)
            .where(Submission.public_id == public_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )


def test_periods_come_from_the_settings_and_states_only_shorten_them(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    monkeypatch.setenv("SECBOT_RETENTION_DAYS_AMBER", "30")
    periods = retention.Periods.from_settings(Settings())
    assert periods.days[TLP.AMBER] == 30 and periods.days[TLP.RED] is None
    with world.db.transaction() as session:
        with pytest.raises(InvalidInput, match="1 to 30"):
            retention.set_override(session, periods, "BRB", "amber", 45, "test")
        with pytest.raises(InvalidInput, match="not a TLP label"):
            retention.set_override(session, periods, "BRB", "purple", 5, "test")
        retention.set_override(session, periods, "brb", "AMBER", 10, "test")
        retention.set_override(session, periods, "BRB", "red", 400, "test")
        shown = retention.describe(session, periods, "BRB")
    assert "TLP:AMBER: 10 days" in shown and "TLP:RED: 400 days" in shown
    assert "TLP:GREEN: kept until erased" in shown


def test_the_daily_round_erases_what_is_past_and_audits_it(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Old Barbados matter from last month at the port")
    alice.say("report Fresh Barbados matter from today at the airport")
    bob.say("report Old Jamaica matter from last month at the port")
    _age(world, "BRB-0001", 20)
    _age(world, "JAM-0001", 20)
    periods = retention.Periods({TLP.AMBER: 30})
    with world.db.transaction() as session:
        retention.set_override(session, periods, "BRB", "AMBER", 10, "test")
    erased = retention_round(world.db, periods, utcnow, Compactor(world.db, None))
    assert erased == 1
    assert "BRB-0002" in alice.say("mine") and "BRB-0001" not in alice.say("mine")
    assert "JAM-0001" in bob.say("mine")
    with world.db.reading() as session:
        tomb = session.scalars(select(Erasure)).one()
        assert (tomb.public_id, tomb.reason, tomb.actor) == ("BRB-0001", "retention", "retention")
        assert tomb.compacted_at is not None
        line = session.scalars(select(AuditEvent).where(AuditEvent.action == "erased")).one()
        assert line.detail["reason"] == "retention" and line.owner_state == "BRB"
    assert retention_round(world.db, periods, utcnow, Compactor(world.db, None)) == 0
