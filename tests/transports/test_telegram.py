"""Telegram through the real python-telegram-bot, over HTTP, against a local fake Bot API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from secbot.db.models import Incident
from secbot.domain.enums import Role
from tests.fakes.telegram_server import FakeTelegramServer
from tests.transports.conftest import Running

TOKEN = "123456:TEST-token"
ALICE, BOB, GROUP = 1001, 2002, -100777


@pytest.fixture
def fake() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server


def last_text(fake: FakeTelegramServer, chat: int, count: int) -> str:
    fake.wait_for("sendMessage", count=count, timeout=20)
    return str(fake.sent(chat)[-1]["text"])


def bot_message(fake: FakeTelegramServer, chat: int) -> dict[str, object]:
    """The bot's latest message in the chat, as it stands after edits."""
    mine = [m for m in fake.messages(chat) if (m.get("from") or {}).get("is_bot")]
    return mine[-1]


def buttons(message: dict[str, object]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def test_full_conversation_over_polling(
    fake: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(telegram_token=SecretStr(TOKEN), telegram_base_url=fake.url)
    bot.world.register_group(str(GROUP), "BRB,JAM", platform="telegram")
    fake.wait_for("setMyCommands", timeout=20)
    assert {c["command"] for c in fake.commands()} >= {"report", "reports", "ask", "help"}
    sent = 0

    def say(chat: int, user: int, text: str, chat_type: str = "private") -> str:
        nonlocal sent
        sent += 1
        fake.push_message(chat, user, text, chat_type=chat_type)
        return last_text(fake, chat, sent)

    assert "Welcome" in say(ALICE, ALICE, f"/join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    assert "Welcome" in say(BOB, BOB, f"/join {bot.invite(Role.DELEGATE, 'JAM')}")
    first = say(ALICE, ALICE, "/report")
    assert "step 1 of 7" in first

    def press(label: str, count: int) -> str:
        message = bot_message(fake, ALICE)
        data = buttons(message)[label]
        fake.push_callback(ALICE, ALICE, data, int(message["message_id"]))
        fake.wait_for("editMessageText", count=count, timeout=20)
        return str(fake.edits(ALICE)[-1]["text"])

    assert "step 2" in press("Maritime security", 1)
    assert "step 3" in press("High", 2)
    assert "step 4" in say(ALICE, ALICE, "Unlit trawler inside the EEZ ignoring radio calls")
    assert "step 5" in say(ALICE, ALICE, "North of Speightstown")
    assert "step 6" in say(ALICE, ALICE, "now")
    assert "TLP:GREEN" in press("GREEN", 3)
    assert set(buttons(bot_message(fake, ALICE))) == {"✔ Save", "✖ Cancel"}
    assert "Saved BRB-0001 · TLP:GREEN" in press("✔ Save", 4)
    assert fake.answers(), "every button press is answered"

    assert "Shared BRB-0001 with JAM." in say(ALICE, ALICE, "/share BRB-0001 JAM")
    assert "BRB-0001" in say(BOB, BOB, "/reports")
    assert "Unlit trawler" in say(BOB, BOB, "trawler EEZ radio calls")
    assert "BRB-0001" in say(GROUP, BOB, "/reports@secbot_test_bot", chat_type="supergroup")
    assert "direct message" in say(GROUP, ALICE, "/report boat", chat_type="supergroup")


def test_duplicate_update_is_one_incident_and_429_is_waited_out(
    fake: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(telegram_token=SecretStr(TOKEN), telegram_base_url=fake.url)
    fake.push_message(ALICE, ALICE, f"/join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    fake.wait_for("sendMessage", 1, timeout=20)
    fake.fail_next("sendMessage", 429, retry_after=1)
    update = fake.push_message(ALICE, ALICE, "/report Speedboat with bales landed at night")
    fake.redeliver(update)
    text = last_text(fake, ALICE, 2)
    assert re.search(r"Filed BRB-0001", text), text
    with bot.app.db.transaction() as session:
        assert session.query(Incident).count() == 1
    assert any(c.status == 429 for c in fake.calls_to("sendMessage")), "the 429 happened"


def test_webhook_checks_the_secret(
    fake: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(
        telegram_token=SecretStr(TOKEN),
        telegram_base_url=fake.url,
        telegram_webhook_url="https://bot.example.org/telegram/hook",
        telegram_webhook_secret=SecretStr("s3cret-token-0123456789"),
    )
    fake.wait_for("setWebhook", timeout=20)
    assert fake.calls_to("setWebhook")[-1].params["secret_token"] == "s3cret-token-0123456789"
    update = {
        "update_id": 9001,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "chat": {"id": ALICE, "type": "private", "first_name": "A"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "A"},
            "text": "/help",
        },
    }
    with httpx.Client() as client:
        url = bot.url("/telegram/hook")
        assert client.post(url, json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        assert client.post(url, json=update, headers=wrong).status_code == 403
        assert not fake.sent(ALICE), "no handler ran"
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-0123456789"}
        assert client.post(url, json=update, headers=right).status_code == 200
        assert "haven't joined" in last_text(fake, ALICE, 1)
        health = client.get(bot.url("/healthz")).json()
        assert health["status"] == "ok" and health["transports"]["telegram"] == "up"
