"""`secbot serve` as a real process, killed with SIGKILL: a scheduled brief queued (and failing
to send) when the process dies is sent once after restart; killed again after the send, the
restarted process sends nothing more. SQLite in the data dir, as `make run` uses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from secbot.db.models import AlertDelivery, BriefIssue, BriefSubscription
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.identity.channels import add_channel
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.briefs import PNG_SIGNATURE
from tests.support.paths import KNOWLEDGE
from tests.transports.test_serve_process import free_port

GROUP = -100900


def _wait(check: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _start(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "secbot", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def up() -> bool:
        assert proc.poll() is None, "serve exited"
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
        except httpx.HTTPError:
            return False
        return bool(health.get("transports", {}).get("telegram") == "up")

    _wait(up, "serve to come up")
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)


def test_a_scheduled_brief_survives_sigkill_before_and_after_its_send(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "var"
    with FakeTelegramServer() as fake:
        env = {
            **os.environ,
            "SECBOT_DATA_DIR": str(data),
            "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
            "SECBOT_EMBEDDINGS": "hashing",
            "SECBOT_TELEGRAM_TOKEN": "123:abc",
            "SECBOT_TELEGRAM_BASE_URL": fake.url,
            "SECBOT_HTTP_PORT": str(port),
            "SECBOT_BRIEF_CHECK_SECONDS": "0.2",
            "SECBOT_DISPATCH_LEASE_SECONDS": "2",
        }
        env.pop("SECBOT_DATABASE_URL", None)
        fake.fail_next("sendMessage", 502, times=10_000)  # the group cannot be reached yet
        proc = _start(env, port)
        db = Database.from_url(f"sqlite:///{data / 'secbot.sqlite3'}")
        try:
            with db.transaction() as session:
                channel = add_channel(
                    session, platform="telegram", chat_id=str(GROUP), audience="BRB,JAM", by="t"
                )
                session.add(
                    BriefSubscription(
                        channel_id=channel.id,
                        cadence="weekly",
                        timezone="UTC",
                        started_at=utcnow() - timedelta(days=30),
                    )
                )

            def attempts() -> int:
                with db.transaction() as session:
                    return int(session.scalar(select(func.sum(AlertDelivery.attempts))) or 0)

            _wait(lambda: attempts() >= 1, "the queued brief's first (failing) attempt")
            _kill(proc)  # queued, not sent
            assert fake.uploads(GROUP) == []
            fake.clear_failures()

            proc = _start(env, port)
            _wait(lambda: len(fake.uploads(GROUP)) == 2, "the brief after restart")
            time.sleep(2.0)
            texts = [p for p in fake.sent(GROUP) if "Trend brief" in str(p["text"])]
            assert len(texts) == 1
            _kill(proc)  # after the send

            proc = _start(env, port)
            time.sleep(3.0)  # fifteen scheduler rounds, several claims
            _kill(proc)
            texts = [p for p in fake.sent(GROUP) if "Trend brief" in str(p["text"])]
            uploads = fake.uploads(GROUP)
            assert len(texts) == 1 and [u.kind for u in uploads] == ["photo", "document"]
            assert uploads[0].data.startswith(PNG_SIGNATURE)
            assert uploads[1].data.startswith(b"%PDF")
            with db.transaction() as session:
                assert session.scalar(select(func.count()).select_from(BriefIssue)) == 1
                assert list(session.scalars(select(AlertDelivery.status))) == ["sent"]
        finally:
            if proc.poll() is None:
                proc.kill()
            db.dispose()
