"""Slack in Socket Mode, through the real slack-bolt and slack_sdk clients, against a local
WebSocket fake: envelopes in, acknowledgements out, replies over the Web API; an envelope is
acknowledged only once it is stored, so a kill between envelope and ack loses nothing and the
redelivered envelope is not handled twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from secbot.domain.enums import Role
from tests.fakes import slack_server as s
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.slack_socket import FakeSocketMode
from tests.support.paths import KNOWLEDGE
from tests.transports.conftest import Running

TEAM, ALICE, DM_ALICE = "T0FAKETEAM", "UALICE", "DALICE"


@pytest.fixture
def web() -> Iterator[FakeSlackServer]:
    with FakeSlackServer() as server:
        yield server


@pytest.fixture
def socket(web: FakeSlackServer) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        web.socket_mode_url = fake.url
        yield fake


def replies(web: FakeSlackServer, count: int) -> list[str]:
    web.wait_for("chat.postMessage", count=count, timeout=20)
    return [str(c.params.get("text", "")) for c in web.calls_to("chat.postMessage")]


def test_envelopes_are_acknowledged_and_answered_and_replays_ignored(
    web: FakeSlackServer, socket: FakeSocketMode, start_bot: Callable[..., Running]
) -> None:
    bot = start_bot(
        slack_bot_token=SecretStr("xoxb-test"),
        slack_app_token=SecretStr("xapp-1-test"),
        slack_api_url=web.base_url,
    )
    socket.wait_connected()
    join = s.slash_command(TEAM, DM_ALICE, ALICE, f"join {bot.invite(Role.FOCAL_POINT, 'BRB')}")
    socket.wait_ack(socket.send_http_body(join))
    assert "Welcome" in replies(web, 1)[-1]
    report = s.event_message(TEAM, DM_ALICE, ALICE, "report Drone over the port", event_id="Ev1")
    socket.wait_ack(socket.send_http_body(report))
    assert "Filed BRB-0001" in replies(web, 2)[-1]
    # A captured slash command sent again (same trigger id) is recognised and ignored.
    command = s.slash_command(TEAM, DM_ALICE, ALICE, "report Second drone", trigger_id="T-1")
    socket.wait_ack(socket.send_http_body(command))
    assert "Filed BRB-0002" in replies(web, 3)[-1]
    socket.wait_ack(socket.send_http_body(command))
    time.sleep(1.0)
    assert len(web.calls_to("chat.postMessage")) == 3, "the replay was not handled"
    with bot.app.db.transaction() as session:
        count = session.execute(text("select count(*) from incidents")).scalar_one()
    assert count == 2
    assert web.calls_to("apps.connections.open")[0].token == "xapp-1-test"


def _serve(tmp_path: Path, web: FakeSlackServer) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SECBOT_DATA_DIR": str(tmp_path / "var"),
        "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "SECBOT_EMBEDDINGS": "hashing",
        "SECBOT_SLACK_BOT_TOKEN": "xoxb-test",
        "SECBOT_SLACK_APP_TOKEN": "xapp-1-test",
        "SECBOT_SLACK_API_URL": web.base_url,
        "SECBOT_HTTP_PORT": "0",
        "SECBOT_DISPATCH_ENABLED": "false",
    }
    env.pop("SECBOT_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "secbot", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _incidents(tmp_path: Path) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'secbot.sqlite3'}")
    with engine.connect() as conn:
        count = int(conn.execute(text("select count(*) from incidents")).scalar_one())
    engine.dispose()
    return count


def test_a_kill_between_envelope_and_ack_loses_nothing_and_doubles_nothing(
    web: FakeSlackServer, socket: FakeSocketMode, tmp_path: Path
) -> None:
    proc = _serve(tmp_path, web)
    try:
        socket.wait_connected(60)
        code_line = (
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "secbot",
                    "admin",
                    "invite",
                    "create",
                    "--state",
                    "BRB",
                    "--role",
                    "focal_point",
                ],
                env={
                    **os.environ,
                    "SECBOT_DATA_DIR": str(tmp_path / "var"),
                    "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
                    "SECBOT_EMBEDDINGS": "hashing",
                },
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        socket.wait_ack(
            socket.send_http_body(s.slash_command(TEAM, DM_ALICE, ALICE, f"join {code_line}")),
            timeout=30,
        )
        sent = 0
        for delay in (0.0, 0.002, 0.01, 0.03, 0.1):
            sent += 1
            socket.send_http_body(
                s.event_message(
                    TEAM,
                    DM_ALICE,
                    ALICE,
                    f"report Sighting number {sent}",
                    event_id=f"Ev-kill-{sent}",
                )
            )
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            proc = _serve(tmp_path, web)
            socket.wait_connected(60)
            while len(socket.unacked()):
                socket.redeliver_unacked()
                time.sleep(0.5)
        deadline = time.time() + 60
        while time.time() < deadline and _incidents(tmp_path) < sent:
            time.sleep(0.5)
        assert _incidents(tmp_path) == sent, "every report filed exactly once"
        assert not socket.unacked()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
