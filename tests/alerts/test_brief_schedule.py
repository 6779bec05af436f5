"""Scheduled briefs: who may subscribe a room, one issue per period however often (and from
however many threads) the scheduler runs, the room's group rule, and the outbox claim."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from secbot.db.models import AlertDelivery, BriefIssue, BriefSubscription
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.brief_periods import Cadence, next_due
from secbot.domain.enums import Role
from secbot.domain.zones import zone_named
from secbot.engine.brief_schedule import queue_due
from secbot.identity.channels import note_party_in_channel
from tests.support import briefs
from tests.support.alerts import claim_console
from tests.support.world import Chat, World

ROOM = "ops-room"


@pytest.fixture
def world(db: Database) -> World:
    w = World(db)
    w.register_group(ROOM, "BRB,JAM")
    return w


def _sam(world: World) -> Chat:
    return world.member("sam", Role.SECRETARIAT).in_group(ROOM)


def _subscription(db: Database) -> BriefSubscription:
    with db.transaction() as session:
        sub = session.scalar(select(BriefSubscription))
        assert sub is not None
        session.expunge(sub)
        return sub


def _due(db: Database) -> tuple[BriefSubscription, datetime]:
    """Backdate the subscription a month, so what it queues is due by the outbox's real clock;
    returns it and when its first brief is due."""
    start = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        row = session.scalar(select(BriefSubscription))
        assert row is not None
        row.started_at = start
    sub = _subscription(db)
    return sub, next_due(Cadence(sub.cadence), zone_named(sub.timezone), start)


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_subscribe_show_and_unsubscribe_in_a_registered_room(world: World, db: Database) -> None:
    sam = _sam(world)
    reply = sam.say("/brief subscribe weekly America/Barbados")
    assert "weekly brief, Mondays at 07:00 America/Barbados" in reply
    assert "only what every party here may see" in reply
    assert "weekly brief" in sam.say("/brief schedule")
    sub = _subscription(db)
    assert (sub.cadence, sub.timezone, sub.ended_at) == ("weekly", "America/Barbados", None)
    assert "monthly brief" in sam.say("/brief subscribe monthly")
    assert _subscription(db).timezone == "America/Barbados"  # the room keeps its zone
    assert "no more scheduled briefs" in sam.say("/brief unsubscribe")
    assert "no scheduled brief" in sam.say("/brief schedule")
    assert "no scheduled brief" in sam.say("/brief unsubscribe")


def test_who_may_subscribe_and_bad_input_changes_nothing(world: World, db: Database) -> None:
    delegate = world.member("dan", Role.DELEGATE, "BRB").in_group(ROOM)
    assert "Only room admins and the secretariat" in delegate.say("/brief subscribe weekly")
    admin = world.member("ada", Role.STATE_ADMIN, "BRB")
    assert "own state" in admin.in_group(ROOM).say("/brief subscribe weekly")  # BRB,JAM room
    assert "inside the registered group" in admin.say("brief subscribe weekly")  # a DM
    sam = world.member("sam", Role.SECRETARIAT)
    assert "not registered" in sam.in_group("elsewhere").say("/brief subscribe weekly")
    assert "`brief subscribe weekly`" in sam.in_group(ROOM).say("/brief subscribe daily")
    assert "Did you mean" in sam.in_group(ROOM).say("/brief subscribe weekly barbadso")
    assert _count(db, BriefSubscription) == 0
    world.register_group("brb-room", "BRB")
    assert "weekly brief" in admin.in_group("brb-room").say("/brief subscribe weekly")


def test_one_issue_per_period_however_often_the_scheduler_runs(world: World, db: Database) -> None:
    _sam(world).say("/brief subscribe weekly")
    sub, due = _due(db)
    with briefs.using():
        assert queue_due(db, due - timedelta(seconds=1)) == []  # due before it started
        first = queue_due(db, due)
        assert [q.subscription_id for q in first] == [sub.id]
        assert queue_due(db, due) == [] and queue_due(db, due + timedelta(days=1)) == []
        assert len(queue_due(db, due + timedelta(days=7))) == 1  # the next week
    assert _count(db, BriefIssue) == 2 and _count(db, AlertDelivery) == 2
    claimed = claim_console(db, time.time())
    assert len(claimed) == 1  # one per chat at a time
    item = claimed[0]
    assert item.kind == "brief" and item.ack_payload == "" and item.alert_id == 0
    # The room's group rule (its audience and the secretariat, seen speaking there).
    assert "parties=*secretariat,BRB,JAM " in item.text
    assert [f.filename for f in item.files] == ["brief-chart.png", "brief.pdf"]
    assert item.files[0].data.startswith(briefs.PNG_SIGNATURE)
    assert item.files[1].data.startswith(b"%PDF")


def test_concurrent_schedulers_queue_a_period_once(world: World, db: Database) -> None:
    _sam(world).say("/brief subscribe weekly")
    _sub, due = _due(db)
    gate = threading.Barrier(3)

    def slow(session: object, scope: object, request: object) -> object:
        time.sleep(0.3)  # both are building when the first inserts
        return briefs.stand_in(session, scope, request)  # type: ignore[arg-type]

    results: list[int] = []

    def tick() -> None:
        gate.wait()
        results.append(len(queue_due(db, due, slow)))  # type: ignore[arg-type]

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 0, 1]
    assert _count(db, BriefIssue) == 1 and _count(db, AlertDelivery) == 1


def test_a_room_that_gained_a_party_is_not_sent_the_brief_computed_without_it(
    world: World, db: Database
) -> None:
    _sam(world).say("/brief subscribe weekly")
    _sub, due = _due(db)
    with briefs.using():
        assert len(queue_due(db, due)) == 1
    with db.transaction() as session:
        note_party_in_channel(session, "console", "", ROOM, "TTO")
    assert claim_console(db, time.time()) == []
    with db.transaction() as session:
        delivery = session.scalar(select(AlertDelivery))
        assert delivery is not None
        assert delivery.status == "failed" and "room changed" in delivery.last_error


def test_an_unsubscribed_room_and_a_missing_builder_queue_nothing(
    world: World, db: Database
) -> None:
    sam = _sam(world)
    sam.say("/brief subscribe weekly")
    _sub, due = _due(db)
    with briefs.using(lambda session, scope, request: None):
        assert queue_due(db, due) == []  # no brief builder: nothing recorded, retried later
    sam.say("/brief unsubscribe")
    with briefs.using():
        assert queue_due(db, due) == []
    assert _count(db, BriefIssue) == 0


def test_the_real_brief_is_queued_with_its_chart_and_pdf(world: World, db: Database) -> None:
    _sam(world).say("/brief subscribe monthly")
    _sub, due = _due(db)
    assert len(queue_due(db, due)) == 1  # the default maker: secbot.briefs
    (item,) = claim_console(db, time.time())
    assert item.text.startswith("TLP:") and "Next issue" in item.text
    assert [f.filename.rsplit(".", 1)[-1] for f in item.files] == ["png", "pdf"]
    assert item.files[0].data.startswith(briefs.PNG_SIGNATURE)
    assert item.files[1].data.startswith(b"%PDF")
