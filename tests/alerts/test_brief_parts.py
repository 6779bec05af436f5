"""A scheduled brief on Telegram is three requests (text, chart photo, PDF document). When one
fails after others arrived, the retry sends only the missing parts: the room never sees the
text or the chart twice. Real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from secbot.alerts import brief_outbox
from secbot.db.models import AlertDelivery, BriefIssue, BriefSubscription
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.brief_periods import Cadence, next_due
from secbot.engine.brief_schedule import queue_due
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support import briefs
from tests.support.alerts import register, run_until_done, seed_states, senders

ROOM = -4000


@pytest.fixture
def telegram() -> FakeTelegramServer:
    with FakeTelegramServer() as server:
        yield server  # type: ignore[misc]


def _queue(db: Database) -> None:
    seed_states(db)
    channel_id = register(db, "telegram", str(ROOM), audience="BRB,JAM")
    start = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        session.add(BriefSubscription(channel_id=channel_id, cadence="weekly", started_at=start))
    with briefs.using():
        assert len(queue_due(db, next_due(Cadence.WEEKLY, UTC, start))) == 1


def _delivered(telegram: FakeTelegramServer) -> tuple[int, int, int]:
    ok = [c for c in telegram.calls if c.status == 200]
    return tuple(  # type: ignore[return-value]
        sum(1 for c in ok if c.method == m) for m in ("sendMessage", "sendPhoto", "sendDocument")
    )


@pytest.mark.parametrize("failing", ["sendPhoto", "sendDocument"])
def test_a_retry_after_a_partial_failure_sends_only_the_missing_parts(
    db: Database, telegram: FakeTelegramServer, failing: str
) -> None:
    _queue(db)
    telegram.fail_next(failing, 502)
    run_until_done(db, senders(telegram.url, None))
    assert len(telegram.calls_to(failing)) == 2, "it failed once and was sent again"
    assert _delivered(telegram) == (1, 1, 1), "each part arrived exactly once"
    assert [u.kind for u in telegram.uploads(ROOM)] == ["photo", "document"]
    with db.transaction() as session:
        delivery = session.scalar(select(AlertDelivery))
        issue = session.scalar(select(BriefIssue))
        assert delivery is not None and issue is not None
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        (text_call,) = [c for c in telegram.calls_to("sendMessage") if c.status == 200]
        assert text_call.response is not None
        text_id = str(text_call.response["result"]["message_id"])
        assert delivery.platform_message_id == text_id, "the text's id, from the first attempt"
        done, recorded = brief_outbox.parts_done(issue)
        assert set(done) >= {0} and recorded == text_id


def test_a_failure_before_anything_arrived_resends_everything_once(
    db: Database, telegram: FakeTelegramServer
) -> None:
    _queue(db)
    telegram.fail_next("sendMessage", 502)
    run_until_done(db, senders(telegram.url, None))
    assert _delivered(telegram) == (1, 1, 1)
