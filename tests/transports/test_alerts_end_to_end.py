"""The whole alert path through `serve()`: the secretariat composes on Telegram, the dispatcher
inside the bot delivers to a Telegram group and a Slack channel, and members acknowledge with
the buttons on those messages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from secbot.db.models import AlertAck, Channel
from secbot.domain.enums import Role
from secbot.identity.channels import add_channel
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.transports.conftest import Running
from tests.transports.test_telegram import bot_message, buttons

SECRET = "slack-signing-secret"
TEAM = "T0FAKETEAM"
SAM, ALICE, GROUP = 5005, 1001, -100900
BOB, ROOM = "UBOB", "CALERTS"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegramServer, FakeSlackServer]]:
    with FakeTelegramServer() as telegram, FakeSlackServer() as slack:
        yield telegram, slack


@pytest.fixture
def bot(
    fakes: tuple[FakeTelegramServer, FakeSlackServer], start_bot: Callable[..., Running]
) -> Running:
    """serve() on both fakes, with a Telegram group and a Slack channel registered for all."""
    telegram, slack = fakes
    running = start_bot(
        telegram_token=SecretStr("123456:TEST-token"),
        telegram_base_url=telegram.url,
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=slack.base_url,
    )
    slack.add_channel(ROOM)
    running.world.register_group(str(GROUP), "all", platform="telegram")
    with running.app.db.transaction() as session:
        add_channel(
            session, platform="slack", workspace=TEAM, chat_id=ROOM, audience="all", by="test"
        )
    return running


def test_compose_deliver_and_acknowledge_on_both_platforms(
    fakes: tuple[FakeTelegramServer, FakeSlackServer], bot: Running
) -> None:
    telegram, slack = fakes

    def say(chat: int, user: int, text: str) -> str:
        before = len(telegram.sent(chat))
        telegram.push_message(chat, user, text)
        deadline = time.monotonic() + 20
        while len(telegram.sent(chat)) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        return str(telegram.sent(chat)[-1]["text"])

    def press(label: str) -> str:
        message = bot_message(telegram, SAM)
        edits = len(telegram.edits(SAM))
        telegram.push_callback(SAM, SAM, buttons(message)[label], int(message["message_id"]))
        telegram.wait_for("editMessageText", count=edits + 1, timeout=20)
        return str(telegram.edits(SAM)[-1]["text"])

    assert "Welcome" in say(SAM, SAM, f"/join {bot.invite(Role.SECRETARIAT)}")
    assert "Welcome" in say(ALICE, ALICE, f"/join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    assert "step 1 of 10" in say(SAM, SAM, "/alert")
    say(SAM, SAM, "Tropical storm Elan: warning for the northern islands")
    assert "Severity?" in say(SAM, SAM, "Storm surge of 2 m expected within 24 hours.")
    press("Extreme")
    press("Immediate")
    press("Observed")
    press("Weather")
    press("All channels")
    press("No filter")
    preview = press("24 hours")
    assert "This will reach 2 channels (1 Slack, 1 Telegram)" in preview
    assert "A-1 is on its way to 2 channels" in press("📣 Send to 2")

    # The dispatcher inside serve() delivers to the group and the Slack channel.
    deadline = time.monotonic() + 20
    while not (slack.posted(ROOM) and telegram.sent(GROUP)) and time.monotonic() < deadline:
        time.sleep(0.05)
    alert_message = bot_message(telegram, GROUP)
    assert "Tropical storm Elan" in str(alert_message["text"])
    posted = slack.posted(ROOM)
    assert len(posted) == 1 and "Tropical storm Elan" in str(posted[0]["text"])

    # Alice acknowledges in the Telegram group, Bob (JAM, on Slack) in the Slack channel.
    code = bot.invite(Role.DELEGATE, "JAM")
    http = httpx.Client(timeout=20)

    def slack_post(body: bytes) -> None:
        response = http.post(
            bot.url("/slack/events"), content=body, headers=s.signed_headers(body, SECRET)
        )
        assert response.status_code == 200

    slack_post(s.event_message(TEAM, "DBOB", BOB, f"join {code}"))
    deadline = time.monotonic() + 20
    while not slack.posted("DBOB") and time.monotonic() < deadline:  # Slack events run async
        time.sleep(0.02)
    assert "Welcome" in str(slack.posted("DBOB")[-1]["text"])
    telegram.push_callback(
        GROUP, ALICE, buttons(alert_message)["✔ Acknowledge"], int(alert_message["message_id"])
    )
    element = next(b for b in posted[0]["blocks"] if b["type"] == "actions")["elements"][0]
    slack_post(s.block_action(TEAM, ROOM, BOB, element["action_id"], element["value"]))

    deadline = time.monotonic() + 20
    acks: list[AlertAck] = []
    while len(acks) < 2 and time.monotonic() < deadline:
        with bot.app.db.transaction() as session:
            acks = list(session.scalars(select(AlertAck).order_by(AlertAck.party)))
        time.sleep(0.05)
    assert [a.party for a in acks] == ["BRB", "JAM"]
    # The press is answered to Alice alone (a notice), not with a message to the whole group.
    assert [m for m in telegram.sent(GROUP)] == [telegram.sent(GROUP)[0]]
    assert any("acknowledged A-1" in str(a.get("text")) for a in telegram.answers())
    assert all(a.channel_id is not None for a in acks)  # pressed where the alert arrived
    status = say(SAM, SAM, "/alert A-1")
    assert "Delivered 2/2" in status and "acknowledged by 2 members from 2 states" in status


def test_a_bot_removed_from_a_chat_marks_the_channel_so_alerts_skip_it(
    fakes: tuple[FakeTelegramServer, FakeSlackServer], bot: Running
) -> None:
    telegram, _slack = fakes
    bot.world.register_group("-100901", "all", platform="telegram")
    me = telegram.bot_user
    telegram.push_raw(
        {
            "my_chat_member": {
                "chat": {"id": GROUP, "type": "supergroup", "title": "Alerts"},
                "from": {"id": 42, "is_bot": False, "first_name": "Admin"},
                "date": int(time.time()),
                "old_chat_member": {"user": me, "status": "member"},
                "new_chat_member": {"user": me, "status": "kicked", "until_date": 0},
            }
        }
    )
    body = s.event_channel_left(TEAM, ROOM)
    response = httpx.post(
        bot.url("/slack/events"), content=body, headers=s.signed_headers(body, SECRET), timeout=20
    )
    assert response.status_code == 200

    def active() -> dict[str, tuple[bool, str]]:
        with bot.app.db.transaction() as session:
            return {
                c.chat_id: (c.active, c.removed_reason) for c in session.scalars(select(Channel))
            }

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(a for a, _ in (active()[str(GROUP)], active()[ROOM])):
        time.sleep(0.05)
    state = active()
    assert state[str(GROUP)] == (False, "bot removed: telegram: kicked")
    assert state[ROOM] == (False, "bot removed: slack: channel_left")
    assert state["-100901"] == (True, "")
