"""Slack through the real slack-bolt and slack_sdk, over HTTP: signed requests in, Web API calls
out to a local fake. The same verbs and rules as on Telegram and the console."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from secbot.db.models import InboxEntry, Incident, ProcessedInbound
from secbot.domain.enums import Role
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.transports.conftest import Running

SECRET = "slack-signing-secret"
TEAM, OTHER_TEAM = "T0FAKETEAM", "T0OTHER"
ALICE, BOB = "UALICE", "UBOB"
DM_ALICE, DM_BOB, ROOM = "DALICE", "DBOB", "CROOM"


@pytest.fixture
def fake() -> Iterator[FakeSlackServer]:
    with FakeSlackServer() as server:
        yield server


@pytest.fixture
def bot(fake: FakeSlackServer, start_bot: Callable[..., Running]) -> Running:
    running = start_bot(
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.base_url,
    )
    running.world.register_group(ROOM, "BRB,JAM", platform="slack")
    with running.app.db.transaction() as session:  # channels are per workspace
        from secbot.db.models import Channel

        session.query(Channel).filter_by(chat_id=ROOM).update({"workspace": TEAM})
    return running


class Client:
    def __init__(self, bot: Running, fake: FakeSlackServer) -> None:
        self.bot, self.fake, self.http = bot, fake, httpx.Client(timeout=20)

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(
            self.bot.url("/slack/events"),
            content=body,
            headers=headers if headers is not None else s.signed_headers(body, SECRET),
        )

    def command(self, channel: str, user: str, text: str, team: str = TEAM) -> httpx.Response:
        body = s.slash_command(team, channel, user, text, response_url=self.fake.response_url())
        response = self.post(body)
        assert response.status_code == 200, response.text
        return response

    def wait(self, method: str, count: int) -> list[dict[str, object]]:
        self.fake.wait_for(method, count=count, timeout=20)
        return [c.params for c in self.fake.calls_to(method) if c.status == 200]


def text_of(params: dict[str, object]) -> str:
    return str(params.get("text", ""))


def test_conversation_dm_channel_modal_and_buttons(bot: Running, fake: FakeSlackServer) -> None:
    c = Client(bot, fake)
    c.command(DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    assert "Welcome" in text_of(c.wait("chat.postMessage", 1)[-1])
    c.command(DM_BOB, BOB, f"join {bot.invite(Role.DELEGATE, 'JAM')}")
    c.wait("chat.postMessage", 2)

    # the report form is a modal; its submission is validated field by field
    c.command(DM_ALICE, ALICE, "report")
    opened = c.wait("views.open", 1)[-1]["view"]  # wait first: the command is answered async
    view = json.loads(opened) if isinstance(opened, str) else opened
    assert {b["block_id"] for b in view["blocks"]} == {
        "category",
        "severity",
        "what",
        "where",
        "when",
        "tlp",
    }
    bad = s.view_submission(
        TEAM, ALICE, view["callback_id"], {"what": {"what": "x"}}, private_metadata=DM_ALICE
    )
    response = c.post(bad)
    assert (
        response.json()["response_action"] == "errors" and "category" in response.json()["errors"]
    )

    def select(value: str) -> dict[str, object]:
        return {"type": "static_select", "selected_option": {"value": value}}

    values = {
        "category": {"category": select("cyber_incident")},
        "severity": {"severity": select("high")},
        "what": {"what": "Ransomware locked the customs clearance servers at the main port"},
        "where": {"where": "Bridgetown port"},
        "when": {"when": "2 hours ago"},
        "tlp": {"tlp": select("GREEN")},
    }
    good = s.view_submission(TEAM, ALICE, view["callback_id"], values, private_metadata=DM_ALICE)
    assert c.post(good).status_code == 200
    assert "Saved BRB-0001 · TLP:GREEN" in text_of(c.wait("chat.postMessage", 3)[-1])

    # typed in a DM (no trigger_id), `report` offers a button that opens the modal
    c.post(s.event_message(TEAM, DM_ALICE, ALICE, "report"))
    offer = c.wait("chat.postMessage", 4)[-1]
    kit = json.loads(offer["blocks"]) if isinstance(offer["blocks"], str) else offer["blocks"]
    button = next(b for b in kit if b["type"] == "actions")["elements"][0]
    c.post(s.block_action(TEAM, DM_ALICE, ALICE, button["action_id"], button["value"]))
    assert len(c.wait("views.open", 2)) == 2

    c.command(DM_ALICE, ALICE, "share BRB-0001 JAM")
    assert "Shared BRB-0001 with JAM." in text_of(c.wait("chat.postMessage", 5)[-1])
    # a DM to the bot is a question
    c.post(s.event_message(TEAM, DM_BOB, BOB, "ransomware customs clearance servers"))
    answer = text_of(c.wait("chat.postMessage", 6)[-1])
    assert "BRB-0001" in answer and "TLP:GREEN" in answer
    # in a channel, slash replies are ephemeral and follow the group rule
    c.command(ROOM, BOB, "reports")
    ephemeral = c.wait("chat.postEphemeral", 1)[-1]
    assert ephemeral["user"] == BOB and "BRB-0001" in text_of(ephemeral)
    c.command(ROOM, ALICE, "report boat")
    assert "direct message" in text_of(c.wait("chat.postEphemeral", 2)[-1])
    # an app mention is answered in the channel's thread, within the group rule
    c.post(s.event_app_mention(TEAM, ROOM, BOB, "mine"))
    assert "JAM reports: none." in text_of(c.wait("chat.postMessage", 7)[-1])
    # buttons: the one-line report offers corrections as buttons
    c.command(DM_ALICE, ALICE, "report Fishing vessel rammed a patrol boat")
    filed = c.wait("chat.postMessage", 8)[-1]
    actions = (
        [b for b in json.loads(str(filed["blocks"])) if b["type"] == "actions"]
        if isinstance(filed["blocks"], str)
        else [b for b in filed["blocks"] if b["type"] == "actions"]
    )  # type: ignore[union-attr]
    severity = next(e for e in actions[0]["elements"] if e["text"]["text"] == "Change severity")
    c.post(s.block_action(TEAM, DM_ALICE, ALICE, severity["action_id"], severity["value"]))
    assert "New severity for BRB-0002?" in text_of(c.wait("chat.postMessage", 9)[-1])


def test_signatures_retries_and_duplicates(bot: Running, fake: FakeSlackServer) -> None:
    c = Client(bot, fake)
    body = s.slash_command(TEAM, DM_ALICE, ALICE, "help", response_url=fake.response_url())
    assert (
        c.post(body, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
        == 401
    )
    forged = s.signed_headers(body, "wrong-secret")
    assert c.post(body, headers=forged).status_code == 401
    stale = s.signed_headers(body, SECRET, timestamp=int(time.time()) - 6 * 60)
    assert c.post(body, headers=stale).status_code == 401
    assert not fake.calls_to("chat.postMessage"), "no listener ran"

    c.command(DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    c.wait("chat.postMessage", 1)
    event = s.event_message(
        TEAM, DM_ALICE, ALICE, "report Drone over the prison yard", event_id="Ev0001"
    )
    assert c.post(event).status_code == 200
    retry = {**s.signed_headers(event, SECRET), **s.retry_headers(1)}
    assert c.post(event, headers=retry).status_code == 200
    c.wait("chat.postMessage", 2)
    time.sleep(1.0)
    with bot.app.db.transaction() as session:
        assert session.query(Incident).count() == 1
        handled = session.query(ProcessedInbound).filter(ProcessedInbound.key.contains("Ev0001"))
        assert handled.count() == 1
        stored = session.query(InboxEntry).filter(InboxEntry.key.contains("Ev0001"))
        assert stored.count() == 1, "the retry was recognised as the same event"
    assert len([p for p in c.wait("chat.postMessage", 2) if "Filed" in text_of(p)]) == 1


def test_same_user_id_in_another_workspace_is_a_stranger(
    bot: Running, fake: FakeSlackServer
) -> None:
    c = Client(bot, fake)
    c.command(DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    c.wait("chat.postMessage", 1)
    c.command(DM_ALICE, ALICE, "whoami", team=OTHER_TEAM)
    assert "haven't joined" in text_of(c.wait("chat.postMessage", 2)[-1])


def test_a_failing_platform_is_retried_while_the_other_works(
    fake: FakeSlackServer, telegram: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    fake.fail_next("auth.test", status=500, times=2)
    running = start_bot(
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.base_url,
        telegram_token=SecretStr("123:abc"),
        telegram_base_url=telegram.url,
    )
    telegram.push_message(5, 5, "/start")
    telegram.wait_for("sendMessage", timeout=20)
    health = httpx.get(running.url("/healthz"), timeout=10).json()
    assert health["transports"]["telegram"] == "up"
    fake.wait_for("auth.test", count=1, timeout=30)
    assert len(fake.calls_to("auth.test")) >= 3, "two failures, then success"
    deadline = time.time() + 20
    while time.time() < deadline and health["transports"]["slack"] != "up":
        time.sleep(0.2)
        health = httpx.get(running.url("/healthz"), timeout=10).json()
    assert health["transports"]["slack"] == "up"


def test_rejected_requests_leave_no_body_in_the_logs(
    bot: Running, fake: FakeSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    body = s.slash_command(TEAM, DM_ALICE, ALICE, "join SECRET-INVITE-CODE")
    assert Client(bot, fake).post(body, headers=s.signed_headers(body, "wrong")).status_code == 401
    assert "SECRET-INVITE-CODE" not in caplog.text


def test_a_replayed_signed_request_is_handled_once(bot: Running, fake: FakeSlackServer) -> None:
    """Review finding: a captured signed `/secbot report` posted three times within Slack's
    five-minute window filed three reports, and a replayed `share` restored access the owner had
    just revoked."""
    c = Client(bot, fake)
    c.command(DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    c.wait("chat.postMessage", 1)
    report = s.slash_command(TEAM, DM_ALICE, ALICE, "report Drone over the harbour")
    for _ in range(3):
        assert c.post(report).status_code == 200
    c.wait("chat.postMessage", 2)
    share = s.slash_command(TEAM, DM_ALICE, ALICE, "share BRB-0001 JAM")
    assert c.post(share).status_code == 200
    c.wait("chat.postMessage", 3)
    c.command(DM_ALICE, ALICE, "unshare BRB-0001 JAM")
    c.wait("chat.postMessage", 4)
    assert c.post(share).status_code == 200, "the replay is acknowledged..."
    time.sleep(1.0)
    with bot.app.db.transaction() as session:
        assert session.query(Incident).count() == 1
        from secbot.db.models import Share

        active = session.query(Share).filter(Share.revoked_at.is_(None)).count()
        assert active == 0, "...and changes nothing"
    assert len(c.wait("chat.postMessage", 4)) == 4


def test_the_notification_text_is_escaped_like_the_blocks(
    bot: Running, fake: FakeSlackServer
) -> None:
    """Review finding: Slack's top-level `text` (the notification fallback) went out unescaped,
    so text a member typed could ping a channel or disguise a link there."""
    c = Client(bot, fake)
    c.command(DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    c.wait("chat.postMessage", 1)
    c.command(DM_ALICE, ALICE, "report <!channel> see <https://evil.example|the portal> now")
    c.wait("chat.postMessage", 2)
    c.command(DM_ALICE, ALICE, "incident BRB-0001")
    posted = c.wait("chat.postMessage", 3)[-1]
    assert "<!channel>" not in text_of(posted) and "&lt;!channel&gt;" in text_of(posted)
    assert "<https://" not in text_of(posted)
