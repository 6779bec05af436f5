"""End to end through the real bot process on the Telegram and Slack fakes: file a report, get
link suggestions and link, file a second report close by, get "looks like the same event", Add
to it, and read the timeline with `incident ID`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from secbot.db.models import ReportLink, ReportUpdate, Submission
from secbot.domain.enums import Role
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.transports.conftest import Running

TOKEN = "123456:TEST-token"
ALICE = 1001
SECRET = "slack-signing-secret"
TEAM, S_ALICE, DM = "T0FAKETEAM", "UALICE", "DALICE"
# Both times yesterday: "at 03:00" said at 02:40 in Barbados is yesterday's 03:00 (a report is
# never in the future), which made the second report 23 h before the first during that hour.
FIRST = "report Go-fast boat landing cocaine bales near Speightstown yesterday at 02:00"
SECOND = "report Second boat seen leaving Port St. Charles yesterday at 03:00"


def counts(bot: Running) -> tuple[int, int, int]:
    with bot.app.db.transaction() as session:
        return (
            session.query(Submission).filter_by(kind="incident").count(),
            session.query(ReportLink).count(),
            session.query(ReportUpdate).count(),
        )


def wait_until(check: Callable[[], Any], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_telegram_link_similar_add_to_it_timeline(
    telegram: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(telegram_token=SecretStr(TOKEN), telegram_base_url=telegram.url)
    telegram.wait_for("setMyCommands", timeout=20)

    def bot_messages() -> list[dict[str, Any]]:
        return [m for m in telegram.messages(ALICE) if (m.get("from") or {}).get("is_bot")]

    def say(text: str) -> dict[str, Any]:
        before = len(telegram.sent(ALICE))
        telegram.push_message(ALICE, ALICE, text)
        telegram.wait_for("sendMessage", count=before + 1, timeout=20)
        return bot_messages()[-1]

    def press(message: dict[str, Any], prefix: str) -> dict[str, Any]:
        markup = message.get("reply_markup") or {}
        data = next(
            b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if b["text"].startswith(prefix)
        )
        before = len(telegram.sent(ALICE)) + len(telegram.edits(ALICE))
        telegram.push_callback(ALICE, ALICE, data, int(message["message_id"]))
        wait_until(lambda: len(telegram.sent(ALICE)) + len(telegram.edits(ALICE)) > before)
        return bot_messages()[-1]

    assert "Welcome" in say(f"/join {bot.invite(Role.FOCAL_POINT, 'BRB')}")["text"]
    filed = say(FIRST)
    assert "Filed BRB-0001" in filed["text"] and "RT-05" in filed["text"]
    linked = press(filed, "Link to RT-05")
    assert "Linked BRB-0001 to RT-05" in linked["text"]
    held = say(SECOND)
    assert "BRB-0001 looks like the same event (1 h earlier, Speightstown" in held["text"]
    added = press(held, "Add to it")
    assert "Added to BRB-0001 as a dated update" in added["text"]
    detail = say("/incident BRB-0001")["text"]
    assert "Linked threats: RT-05" in detail
    assert "Timeline (1 update, oldest first):" in detail and "Port St. Charles" in detail
    assert counts(bot) == (1, 1, 1)


def test_slack_link_similar_add_to_it_timeline(
    slack: FakeSlackServer, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=slack.base_url,
    )
    import httpx

    http = httpx.Client(timeout=20)
    posted = 0

    def post(body: bytes) -> None:
        response = http.post(
            bot.url("/slack/events"), content=body, headers=s.signed_headers(body, SECRET)
        )
        assert response.status_code == 200, response.text

    def next_message() -> dict[str, Any]:
        nonlocal posted
        posted += 1
        slack.wait_for("chat.postMessage", count=posted, timeout=20)
        return [c.params for c in slack.calls_to("chat.postMessage") if c.status == 200][-1]

    def command(text: str) -> dict[str, Any]:
        post(s.slash_command(TEAM, DM, S_ALICE, text, response_url=slack.response_url()))
        return next_message()

    def press(message: dict[str, Any], prefix: str) -> dict[str, Any]:
        kit = message["blocks"]
        kit = json.loads(kit) if isinstance(kit, str) else kit
        button = next(
            e
            for b in kit
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"].startswith(prefix)
        )
        post(s.block_action(TEAM, DM, S_ALICE, button["action_id"], button["value"]))
        return next_message()

    assert "Welcome" in str(command(f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")["text"])
    filed = command(FIRST)
    assert "Filed BRB-0001" in str(filed["text"])
    assert "Linked BRB-0001 to RT-05" in str(press(filed, "Link to RT-05")["text"])
    held = command(SECOND)
    assert "BRB-0001 looks like the same event" in str(held["text"])
    assert "Added to BRB-0001" in str(press(held, "Add to it")["text"])
    detail = str(command("incident BRB-0001")["text"])
    assert "Linked threats: RT-05" in detail and "Timeline (1 update" in detail
    assert counts(bot) == (1, 1, 1)
