"""The dispatcher drives the real Telegram and Slack clients against the local fakes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from secbot.alerts import outbox
from secbot.alerts.outbox import Policy, Sent
from secbot.db.models import AlertDelivery, AuditEvent, Channel
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.transports.alert_senders import SlackSender
from tests.fakes.slack_server import FakeSlackServer
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


@pytest.fixture
def fakes() -> tuple[FakeTelegramServer, FakeSlackServer]:
    with FakeTelegramServer() as telegram, FakeSlackServer() as slack:
        yield telegram, slack  # type: ignore[misc]


def test_one_alert_reaches_every_channel_once_with_an_ack_button(
    db: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer]
) -> None:
    telegram, slack = fakes
    seed_states(db)
    for n in range(3):
        register(db, "telegram", str(-1000 - n))
    for n in range(2):
        slack.add_channel(f"C00{n}")
        register(db, "slack", f"C00{n}", workspace="T1")
    alert_id = send_alert(db)

    run_until_done(db, senders(telegram.url, slack.base_url))

    rows = deliveries(db, alert_id)
    assert [r.status for r in rows] == ["sent"] * 5
    sent_tg = telegram.sent()
    assert Counter(p["chat_id"] for p in sent_tg) == {-1000: 1, -1001: 1, -1002: 1}
    button = sent_tg[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"] == f"ack A-{alert_id}"
    assert "Hurricane warning" in sent_tg[0]["text"]
    posted = slack.posted()
    assert Counter(p["channel"] for p in posted) == {"C000": 1, "C001": 1}
    actions = [b for b in posted[0]["blocks"] if b["type"] == "actions"]
    assert actions[0]["elements"][0]["value"] == f"ack A-{alert_id}"
    # The platform's own message ids are kept (Telegram numbers per chat, Slack uses ts).
    assert all(r.platform_message_id for r in rows)
    assert {r.platform_message_id for r in rows if r.platform == "slack"} == {
        p["ts"] for p in (c.response for c in slack.calls_to("chat.postMessage")) if p
    }


def test_transient_failures_are_retried_and_retry_after_is_honoured(
    db: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer]
) -> None:
    telegram, slack = fakes
    seed_states(db)
    register(db, "telegram", "-2000")
    slack.add_channel("C100")
    register(db, "slack", "C100", workspace="T1")
    telegram.fail_next("sendMessage", 429, retry_after=1)
    telegram.fail_next("sendMessage", 502)
    slack.fail_next("chat.postMessage", retry_after=1)
    slack.fail_next("chat.postMessage", status=500)
    alert_id = send_alert(db)

    run_until_done(db, senders(telegram.url, slack.base_url))

    rows = deliveries(db, alert_id)
    assert [r.status for r in rows] == ["sent", "sent"]
    assert [r.attempts for r in rows] == [3, 3]
    assert len(telegram.sent()) == 1 and len(slack.posted()) == 1
    # The send after the 429 waited at least the platform's retry_after.
    tg_calls = [c for c in telegram.calls_to("sendMessage")]
    first_429 = next(c for c in tg_calls if c.status == 429)
    later = [c for c in tg_calls if c.at > first_429.at]
    assert later and min(c.at for c in later) - first_429.at >= 0.95
    sl_calls = slack.calls_to("chat.postMessage")
    assert sl_calls[1].at - sl_calls[0].at >= 0.95


def test_a_channel_the_bot_lost_fails_with_the_reason_and_is_deactivated(
    db: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer]
) -> None:
    telegram, slack = fakes
    seed_states(db)
    kicked = register(db, "telegram", "-3000")
    register(db, "telegram", "-3001")
    slack.add_channel("C200", is_archived=True)
    archived = register(db, "slack", "C200", workspace="T1")
    telegram.block_chat(-3000)
    first = send_alert(db)
    run_until_done(db, senders(telegram.url, slack.base_url))

    rows = {r.channel_id: r for r in deliveries(db, first)}
    assert rows[kicked].status == "failed"
    assert "kicked" in rows[kicked].last_error
    assert rows[archived].status == "failed" and "is_archived" in rows[archived].last_error
    assert rows[kicked].attempts == 1 and rows[archived].attempts == 1
    with db.transaction() as session:
        lost = session.get(Channel, kicked)
        assert lost is not None and not lost.active and "kicked" in lost.removed_reason
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "channel_lost")).all()
    # A later alert does not try the lost channels again.
    calls_before = len(telegram.calls_to("sendMessage"))
    second = send_alert(db, headline="Second warning for the islands")
    run_until_done(db, senders(telegram.url, slack.base_url))
    assert {r.channel_id for r in deliveries(db, second)} == {
        r.channel_id for r in deliveries(db, first) if r.channel_id not in (kicked, archived)
    }
    assert len(telegram.calls_to("sendMessage")) == calls_before + 1


@pytest.mark.parametrize("dead_worker_posted", [True, False])
def test_a_slack_send_left_unanswered_by_a_dead_worker_is_not_posted_twice(
    db: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer], dead_worker_posted: bool
) -> None:
    """After a hard kill, Slack's history (our metadata on each message) tells whether the
    unanswered send went out; Telegram offers bots no such look-back."""
    _telegram, slack = fakes
    seed_states(db)
    slack.add_channel("C900")
    register(db, "slack", "C900", workspace="T1")
    alert_id = send_alert(db)
    policy = Policy(lease=30)
    with db.transaction() as session:  # a worker claims it...
        (item,) = outbox.claim(
            session,
            "slack",
            worker="dead",
            room=5,
            limits=FAST_LIMITS["slack"],
            policy=policy,
            now=time.time(),
            postgres=db.is_postgres,
        )[0]
    with db.transaction() as session:  # ...and its lease has run out since
        past = utcnow() - timedelta(seconds=1)
        session.execute(update(AlertDelivery).values(lease_until=past))
        session.execute(update(Channel).values(next_send_at=past))
    if dead_worker_posted:  # ...and posted it, then died before recording the answer
        sender = SlackSender("xoxb-test", base_url=slack.base_url, timeout=5)
        assert isinstance(asyncio.run(sender.send(item)), Sent)

    run_until_done(db, senders(None, slack.base_url))

    assert len(slack.posted("C900")) == 1
    (row,) = deliveries(db, alert_id)
    assert row.status == "sent" and row.attempts == 2
    answers = [c.response for c in slack.calls_to("chat.postMessage") if c.status == 200]
    assert len(answers) == 1 and answers[0] is not None
    assert row.platform_message_id == answers[0]["ts"]  # found in history, or posted now
    assert slack.calls_to("conversations.history"), "the taken-over send looked first"
