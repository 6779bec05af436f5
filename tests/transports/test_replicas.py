"""Two `secbot serve` processes on one PostgreSQL database, each with its own port and its own
embedded index (docs/decisions/0012): a report filed through one is found by `ask` through the
other on the next question, and a share revoked through one is enforced by the other at once.
Telegram arrives by webhook at replica A, Slack by HTTP at replica B."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import Role
from secbot.identity.invites import create_invite
from tests.conftest import truncate
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.paths import KNOWLEDGE

SECRET = "replica-webhook-secret-0123"
SIGNING = "replica-signing-secret-0123"
TEAM, BOB, DM_BOB = "T0FAKETEAM", "UBOB", "DBOB"
ALICE = 4242
_updates = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    db = Database.from_url(pg_schema_url)
    truncate(db)
    db.dispose()
    return pg_schema_url


class Replica:
    def __init__(self, name: str, url: str, tmp: Path, tg: FakeTelegramServer, sl: FakeSlackServer):
        self.port = free_port()
        env = {
            **os.environ,
            "SECBOT_DATABASE_URL": url,
            "SECBOT_DATA_DIR": str(tmp / name),
            "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
            "SECBOT_EMBEDDINGS": "hashing",
            "SECBOT_HTTP_PORT": str(self.port),
            "SECBOT_TELEGRAM_TOKEN": "123:abc",
            "SECBOT_TELEGRAM_BASE_URL": tg.url,
            "SECBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
            "SECBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "SECBOT_SLACK_BOT_TOKEN": "xoxb-test",
            "SECBOT_SLACK_SIGNING_SECRET": SIGNING,
            "SECBOT_SLACK_API_URL": sl.base_url,
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "secbot", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                health = httpx.get(self.url("/healthz"), timeout=2).json()
                if health["transports"].get("telegram") == "up":
                    return
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"replica {name} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def telegram(self, text: str) -> None:
        update = {
            "update_id": next(_updates),
            "message": {
                "message_id": next(_updates),
                "date": int(time.time()),
                "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
                "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
                "text": text,
            },
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert httpx.post(self.url("/tg"), json=update, headers=headers).status_code == 200

    def slack_dm(self, text: str) -> None:
        body = s.event_message(TEAM, DM_BOB, BOB, text, event_id=f"Ev{next(_updates)}")
        response = httpx.post(
            self.url("/slack/events"), content=body, headers=s.signed_headers(body, SIGNING)
        )
        assert response.status_code == 200

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


Pair = tuple["Replica", "Replica", FakeTelegramServer, FakeSlackServer]


@pytest.fixture
def replicas(pg_url: str, tmp_path: Path) -> Iterator[Pair]:
    with FakeTelegramServer() as tg, FakeSlackServer() as sl:
        a = Replica("a", pg_url, tmp_path, tg, sl)
        b = Replica("b", pg_url, tmp_path, tg, sl)
        try:
            yield a, b, tg, sl
        finally:
            a.stop()
            b.stop()


def telegram_reply(tg: FakeTelegramServer, count: int) -> str:
    tg.wait_for("sendMessage", count=count, timeout=30)
    return str(tg.sent(ALICE)[-1]["text"])


def slack_reply(sl: FakeSlackServer, count: int) -> str:
    sl.wait_for("chat.postMessage", count=count, timeout=30)
    return str(sl.calls_to("chat.postMessage")[-1].params.get("text", ""))


def test_a_report_through_one_replica_is_found_and_unshared_through_the_other(
    replicas: Pair, pg_url: str
) -> None:
    a, b, tg, sl = replicas
    db = Database.from_url(pg_url)
    with db.transaction() as session:
        alice_code = create_invite(
            session,
            role=Role.FOCAL_POINT,
            state_code="BRB",
            created_by="test",
            ttl=timedelta(hours=1),
            now=utcnow(),
        )
        bob_code = create_invite(
            session,
            role=Role.DELEGATE,
            state_code="JAM",
            created_by="test",
            ttl=timedelta(hours=1),
            now=utcnow(),
        )
    db.dispose()
    a.telegram(f"/join {alice_code}")
    assert "Welcome" in telegram_reply(tg, 1)
    b.slack_dm(f"join {bob_code}")
    assert "Welcome" in slack_reply(sl, 1)
    question = "ask anything about the Zephyrine quay smuggling tunnel"
    b.slack_dm(question)
    assert "BRB-0001" not in slack_reply(sl, 2)
    a.telegram("/report Smugglers dug a tunnel under the Zephyrine quay warehouse")
    assert "Filed BRB-0001" in telegram_reply(tg, 2)
    a.telegram("/share BRB-0001 JAM")
    assert "Shared BRB-0001 with JAM" in telegram_reply(tg, 3)
    b.slack_dm(question)
    assert "BRB-0001" in slack_reply(sl, 3), "found through the other replica"
    a.telegram("/unshare BRB-0001 JAM")
    assert "JAM can no longer see BRB-0001" in telegram_reply(tg, 4)
    b.slack_dm(question)
    assert "BRB-0001" not in slack_reply(sl, 4), "the revocation holds there at once"
