"""Outbox claims and outcomes: leases, the shared send window, pacing, retries, and several
dispatchers at once."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

from sqlalchemy import select

from secbot.alerts import outbox
from secbot.alerts.dispatcher import Dispatcher
from secbot.alerts.outbox import Claimed, Failed, Limits, Outcome, Policy, Retry, Sent
from secbot.db.models import AlertDelivery
from secbot.db.session import Database
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.alerts import (
    FAST_LIMITS,
    deliveries,
    register,
    run_until_done,
    seed_states,
    send_alert,
    senders,
)

POLICY = Policy(lease=30, max_attempts=3, backoff_base=1, backoff_cap=4)
ROOMY = Limits(per_second=100, chat_spacing=1.0, group_spacing=3.0)


def _claim(
    db: Database, now: float, worker: str = "A", limits: Limits = ROOMY, room: int = 50
) -> tuple[list[Claimed], float]:
    with db.transaction() as session:
        return outbox.claim(
            session,
            "telegram",
            worker=worker,
            room=room,
            limits=limits,
            policy=POLICY,
            now=now,
            postgres=db.is_postgres,
        )


def _record(
    db: Database, item: Claimed, outcome: Outcome, now: float, limits: Limits = ROOMY
) -> str:
    with db.transaction() as session:
        return outbox.record(
            session,
            item,
            outcome,
            limits=limits,
            policy=POLICY,
            now=now,
            postgres=db.is_postgres,
            rng=random.Random(1),
        )


def _statuses(db: Database, alert_id: int) -> list[str]:
    return [d.status for d in deliveries(db, alert_id)]


def test_a_dead_workers_claim_is_taken_over_after_its_lease_and_its_late_news_ignored(
    db: Database,
) -> None:
    seed_states(db)
    register(db, "telegram", "-1")
    register(db, "telegram", "-2")
    alert_id = send_alert(db)
    t = time.time()
    first, _ = _claim(db, t, "A")
    assert len(first) == 2 and _statuses(db, alert_id) == ["sending", "sending"]
    assert _claim(db, t + 5, "B")[0] == []  # leased: nobody else may send them
    second, _ = _claim(db, t + POLICY.lease + 1, "B")
    assert [c.attempt for c in second] == [2, 2]
    assert _record(db, first[0], Failed("late failure from A"), t + 32) == "sending"
    assert _record(db, second[0], Sent("10"), t + 33) == "sent"
    # A's send did go out after all: a success is recorded whoever claimed last.
    assert _record(db, first[1], Sent("11"), t + 34) == "sent"
    assert _record(db, second[1], Sent("12"), t + 35) == "sent"
    rows = deliveries(db, alert_id)
    assert [r.platform_message_id for r in rows] == ["10", "11"]


def test_the_window_caps_sends_per_second_and_a_429_gives_its_slot_back(db: Database) -> None:
    seed_states(db)
    for n in range(6):
        register(db, "telegram", str(-10 - n))
    send_alert(db)
    three = Limits(per_second=3, chat_spacing=1.0, group_spacing=3.0)
    t = time.time()
    batch, _ = _claim(db, t, limits=three)
    assert len(batch) == 3
    nothing, wait = _claim(db, t + 0.1, limits=three)
    assert nothing == [] and wait > 0
    _record(db, batch[0], Retry("429", retry_after=5, not_counted=True), t + 0.2, three)
    one, _ = _claim(db, t + 0.3, limits=three)
    assert len(one) == 1  # the refused send did not use up the window
    _record(db, batch[1], Sent("1"), t + 0.4, three)
    _record(db, batch[2], Sent("2"), t + 0.4, three)
    assert _claim(db, t + 1.3, limits=three)[0] == []  # done at t+0.4: counts until t+1.4
    assert len(_claim(db, t + 1.5, limits=three)[0]) == 2


def test_one_chat_gets_one_message_at_a_time_then_waits_its_spacing(db: Database) -> None:
    seed_states(db)
    register(db, "telegram", "-5")
    first_alert = send_alert(db)
    second_alert = send_alert(db, headline="Second warning for the islands")
    t = time.time()
    batch, _ = _claim(db, t)
    assert [c.alert_id for c in batch] == [first_alert]
    assert _claim(db, t + 1)[0] == []  # the first is still in flight
    _record(db, batch[0], Sent("1"), t + 1)
    assert _claim(db, t + 2)[0] == []  # group spacing: 3 s after the last send
    nothing, wait = _claim(db, t + 3.9)
    assert nothing == [] and 0.05 <= wait <= 0.15  # sleeps until the chat is free, no polling
    later, _ = _claim(db, t + 4.1)
    assert [c.alert_id for c in later] == [second_alert]


def test_retry_after_and_backoff_then_giving_up(db: Database) -> None:
    seed_states(db)
    register(db, "telegram", "-7")
    alert_id = send_alert(db)
    t = time.time()
    item = _claim(db, t)[0][0]
    _record(db, item, Retry("429", retry_after=7, not_counted=True), t)
    assert _claim(db, t + 6.9)[0] == []
    item = _claim(db, t + 7.8)[0][0]
    _record(db, item, Retry("502 Bad Gateway"), t + 8)
    row = deliveries(db, alert_id)[0]
    assert row.status == "pending" and row.last_error == "502 Bad Gateway"
    assert 0.5 <= row.next_attempt_at.timestamp() - (t + 8) <= 2.0  # attempt 2: 1-2 s
    item = _claim(db, t + 13)[0][0]
    assert item.attempt == 3
    assert _record(db, item, Retry("502 Bad Gateway"), t + 13) == "failed"
    assert deliveries(db, alert_id)[0].last_error.startswith("gave up after 3 attempts")


def test_an_expired_alert_is_not_sent_late(db: Database) -> None:
    seed_states(db)
    register(db, "telegram", "-8")
    alert_id = send_alert(db)
    later = time.time() + 25 * 3600  # the alert expires after 24 hours
    assert _claim(db, later)[0] == []
    row = deliveries(db, alert_id)[0]
    assert row.status == "failed" and "expired" in row.last_error


def test_the_dispatcher_keeps_the_per_second_limit_against_a_strict_fake(db: Database) -> None:
    seed_states(db)
    for n in range(25):
        register(db, "telegram", str(-100 - n))
    alert_id = send_alert(db)
    ten = {**FAST_LIMITS, "telegram": Limits(per_second=10, chat_spacing=1, group_spacing=3)}
    with FakeTelegramServer(enforce_limits=True) as telegram:
        run_until_done(db, senders(telegram.url, None), limits=ten)
        stamps = sorted(c.at for c in telegram.calls_to("sendMessage") if c.status == 200)
        assert all(c.status == 200 for c in telegram.calls_to("sendMessage"))
    assert _statuses(db, alert_id) == ["sent"] * 25
    busiest = max(sum(1 for s in stamps if t <= s < t + 1.0) for t in stamps)
    assert busiest <= 10
    assert stamps[-1] - stamps[0] >= 2.0  # 25 sends at 10 a second take over two seconds


def test_two_dispatchers_share_the_work_and_send_nothing_twice(db: Database) -> None:
    seed_states(db)
    for n in range(60):
        register(db, "telegram", str(-1000 - n))
    alert_id = send_alert(db)
    with FakeTelegramServer() as telegram:
        telegram.chaos(p_429=0.1, p_5xx=0.05, seed=7)
        first = Dispatcher(
            db,
            senders(telegram.url, None),
            limits=FAST_LIMITS,
            policy=Policy(lease=10, backoff_base=0.05, backoff_cap=0.2),
            max_in_flight=8,
            worker="one",
        )
        second = Dispatcher(
            db,
            senders(telegram.url, None),
            limits=FAST_LIMITS,
            policy=Policy(lease=10, backoff_base=0.05, backoff_cap=0.2),
            max_in_flight=8,
            worker="two",
        )

        async def both() -> None:
            stop = asyncio.Event()
            tasks = [asyncio.create_task(d.run(stop)) for d in (first, second)]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with db.transaction() as session:
                    if outbox.outstanding(session) == 0:
                        break
                await asyncio.sleep(0.1)
            stop.set()
            await asyncio.gather(*tasks)

        asyncio.run(both())
        per_chat = Counter(p["chat_id"] for p in telegram.sent())
    assert _statuses(db, alert_id) == ["sent"] * 60
    assert len(per_chat) == 60 and set(per_chat.values()) == {1}
    with db.transaction() as session:
        workers = Counter(session.scalars(select(AlertDelivery.worker)))
    assert set(workers) == {"one", "two"}  # both took a share


def test_stopping_waits_for_sends_in_flight_and_leaves_nothing_claimed(db: Database) -> None:
    seed_states(db)
    for n in range(40):
        register(db, "telegram", str(-2000 - n))
    alert_id = send_alert(db)
    with FakeTelegramServer() as telegram:

        def some_sent() -> bool:
            return len(telegram.sent()) >= 5

        run_until_done(db, senders(telegram.url, None), until=some_sent)
        sent_chats = Counter(p["chat_id"] for p in telegram.sent())
    statuses = Counter(_statuses(db, alert_id))
    assert statuses["sending"] == 0
    assert statuses["sent"] == sum(sent_chats.values())  # every send that went out is recorded
