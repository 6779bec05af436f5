"""Briefs through the real bot (serve() against the fake platforms): asking `brief` in a DM and
in a group brings the chart and the PDF (Telegram photo and document, Slack external upload);
a subscribed room receives exactly one brief when the schedule fires, also across restarts,
and one queued before a crash (or claimed by a worker that died) arrives once after restart."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from secbot.db.models import AlertDelivery, BriefIssue, BriefSubscription
from secbot.db.types import utcnow
from secbot.domain.brief_periods import Cadence, next_due
from secbot.domain.enums import Role
from secbot.domain.zones import zone_named
from secbot.engine.brief_schedule import queue_due
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support import briefs
from tests.transports.conftest import Running

SECRET = "slack-signing-secret"
TEAM = "T0FAKETEAM"
SAM, ALICE, GROUP = 5005, 1001, -100900
BOB, ROOM = "UBOB", "CBRIEFS"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegramServer, FakeSlackServer]]:
    with FakeTelegramServer() as telegram, FakeSlackServer() as slack:
        yield telegram, slack


def _settings(telegram: FakeTelegramServer, slack: FakeSlackServer) -> dict[str, Any]:
    return {
        "telegram_token": SecretStr("123456:TEST-token"),
        "telegram_base_url": telegram.url,
        "slack_bot_token": SecretStr("xoxb-test"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": slack.base_url,
        "brief_check_seconds": 0.1,
        "dispatch_lease_seconds": 2.0,
    }


def wait(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.03)


def _say(telegram: FakeTelegramServer, chat: int, user: int, text: str, kind: str) -> str:
    before = len(telegram.sent(chat))
    telegram.push_message(chat, user, text, chat_type=kind)
    wait(lambda: len(telegram.sent(chat)) > before, f"a reply to {text!r}")
    return str(telegram.sent(chat)[-1]["text"])


def _check_files(files: list[tuple[str, bytes]], period: str = "7d") -> None:
    """The chart then the PDF, named for the period and TLP (secbot.briefs' names)."""
    assert [name.rsplit(".", 1)[-1] for name, _ in files] == ["png", "pdf"], files
    assert all(name.startswith(f"brief-{period}-") and "-TLP-" in name for name, _ in files)
    assert files[0][1].startswith(briefs.PNG_SIGNATURE) and len(files[0][1]) > 1000
    assert files[1][1].startswith(b"%PDF") and files[1][1].rstrip().endswith(b"%%EOF")


def test_asking_for_a_brief_brings_the_chart_and_pdf_on_both_platforms(
    fakes: tuple[FakeTelegramServer, FakeSlackServer], start_bot: Callable[..., Running]
) -> None:
    telegram, slack = fakes
    bot = start_bot(**_settings(telegram, slack))
    bot.world.register_group(str(GROUP), "BRB,JAM", platform="telegram")
    slack.add_channel(ROOM)
    bot.world.register_group(ROOM, "all", platform="slack")
    with bot.app.db.transaction() as session:  # Slack channels live in the team's workspace
        from secbot.db.models import Channel

        channel = session.scalar(select(Channel).where(Channel.chat_id == ROOM))
        assert channel is not None
        channel.workspace = TEAM

    assert "Welcome" in _say(
        telegram, ALICE, ALICE, f"/join {bot.invite(Role.FOCAL_POINT, 'BRB')}", "private"
    )
    text = _say(telegram, ALICE, ALICE, "/brief", "private")
    wait(lambda: len(telegram.uploads(ALICE)) == 2, "the DM's chart and PDF")
    assert text.startswith("TLP:") and "Trend brief" in text
    dm = telegram.uploads(ALICE)
    assert [u.kind for u in dm] == ["photo", "document"]
    _check_files([(u.filename, u.data) for u in dm])
    assert dm[0].caption.startswith("TLP:")  # a forwarded file still says how to share it

    group_text = _say(telegram, GROUP, ALICE, "/brief", "supergroup")
    wait(lambda: len(telegram.uploads(GROUP)) == 2, "the group's chart and PDF")
    assert "asked in a group" in group_text  # computed under the group rule
    _check_files([(u.filename, u.data) for u in telegram.uploads(GROUP)])

    http = httpx.Client(timeout=20)

    def post(body: bytes) -> None:
        response = http.post(
            bot.url("/slack/events"), content=body, headers=s.signed_headers(body, SECRET)
        )
        assert response.status_code == 200

    post(s.event_message(TEAM, "DBOB", BOB, f"join {bot.invite(Role.DELEGATE, 'JAM')}"))
    wait(lambda: bool(slack.posted("DBOB")), "Bob's welcome")
    post(s.event_message(TEAM, "DBOB", BOB, "brief month"))
    wait(lambda: len(slack.shared("DBOB")) == 2, "Bob's chart and PDF")
    _check_files([(f.filename, f.data) for f in slack.shared("DBOB")], "30d")
    assert "Trend brief, last 30 days" in str(slack.posted("DBOB")[-1]["text"])
    post(s.event_app_mention(TEAM, ROOM, BOB, "brief", ts="1700000000.000100"))
    wait(lambda: len(slack.shared(ROOM)) == 2, "the channel's chart and PDF")
    shared = slack.shared(ROOM)
    _check_files([(f.filename, f.data) for f in shared])
    assert {f.thread_ts for f in shared} == {"1700000000.000100"}  # in the asker's thread
    assert all(c.status == 200 for c in slack.calls_to("upload"))


def _brief_texts(telegram: FakeTelegramServer) -> list[str]:
    return [str(p["text"]) for p in telegram.sent(GROUP) if "Trend brief" in str(p["text"])]


def test_a_subscribed_room_gets_exactly_one_brief_per_period_across_restarts(
    fakes: tuple[FakeTelegramServer, FakeSlackServer], start_bot: Callable[..., Running]
) -> None:
    telegram, slack = fakes
    bot = start_bot(**_settings(telegram, slack))
    bot.world.register_group(str(GROUP), "BRB,JAM", platform="telegram")
    assert "Welcome" in _say(telegram, SAM, SAM, f"/join {bot.invite(Role.SECRETARIAT)}", "private")
    reply = _say(telegram, GROUP, SAM, "/brief subscribe weekly America/Barbados", "supergroup")
    assert "weekly brief" in reply
    db = bot.app.db
    # Backdate the subscription a month (so the dispatcher's real clock finds every queued
    # delivery due) and hold the scheduler's clock at its start: nothing is due yet.
    start = utcnow() - timedelta(days=30)
    bot.app.clock = lambda: start
    with db.transaction() as session:
        sub = session.scalar(select(BriefSubscription))
        assert sub is not None
        sub.started_at = start
        due = next_due(Cadence.WEEKLY, zone_named(sub.timezone), start)
    time.sleep(0.5)
    assert _brief_texts(telegram) == [] and telegram.uploads(GROUP) == []

    # The schedule fires: exactly one brief (text, chart, PDF), however many rounds run.
    bot.app.clock = lambda: due
    wait(lambda: len(telegram.uploads(GROUP)) == 2, "the scheduled chart and PDF")
    time.sleep(1.0)  # ten more scheduler rounds
    assert len(_brief_texts(telegram)) == 1 and len(telegram.uploads(GROUP)) == 2
    _check_files([(u.filename, u.data) for u in telegram.uploads(GROUP)])
    assert "Next issue" in _brief_texts(telegram)[0]  # the scheduled brief names the next one
    assert [u.kind for u in telegram.uploads(GROUP)] == ["photo", "document"]

    # Restart after the send: still one.
    bot.stop()
    again = start_bot(clock=lambda: due + timedelta(hours=1), **_settings(telegram, slack))
    time.sleep(1.0)
    assert len(_brief_texts(telegram)) == 1 and len(telegram.uploads(GROUP)) == 2

    # Queued, then the process dies before sending (here: stopped, and the next week's issue
    # committed the way the scheduler commits it); the restarted bot sends it once.
    again.stop()
    week = due + timedelta(days=7)
    assert len(queue_due(db, week)) == 1
    third = start_bot(clock=lambda: week, **_settings(telegram, slack))
    wait(lambda: len(telegram.uploads(GROUP)) == 4, "the queued brief after restart")
    time.sleep(1.0)
    assert len(_brief_texts(telegram)) == 2 and len(telegram.uploads(GROUP)) == 4

    # A worker claimed the third week's brief and died mid-send: after its lease, once.
    third.stop()
    later = week + timedelta(days=7)
    assert len(queue_due(db, later)) == 1
    with db.transaction() as session:
        issue = session.scalar(select(BriefIssue).order_by(BriefIssue.id.desc()))
        assert issue is not None
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.brief_issue_id == issue.id)
            .values(status="sending", attempts=1, lease_until=utcnow() - timedelta(seconds=1))
        )
    start_bot(clock=lambda: later, **_settings(telegram, slack))
    wait(lambda: len(telegram.uploads(GROUP)) == 6, "the taken-over brief")
    time.sleep(1.0)
    assert len(_brief_texts(telegram)) == 3 and len(telegram.uploads(GROUP)) == 6
    with db.transaction() as session:
        statuses = list(session.scalars(select(AlertDelivery.status)))
    assert statuses == ["sent", "sent", "sent"]
