"""`secbot serve` as a real process: JSON logs, /healthz, a webhook message answered, and a
clean exit (code 0, "stopped" logged) on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.paths import KNOWLEDGE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    with FakeTelegramServer() as fake:
        env = {
            **os.environ,
            "SECBOT_DATA_DIR": str(tmp_path / "var"),
            "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
            "SECBOT_EMBEDDINGS": "hashing",
            "SECBOT_TELEGRAM_TOKEN": "123:abc",
            "SECBOT_TELEGRAM_BASE_URL": fake.url,
            "SECBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
            "SECBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret-0123456789abcdef",
            "SECBOT_HTTP_PORT": str(port),
        }
        env.pop("SECBOT_DATABASE_URL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "secbot", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.time() + 90
            health: dict[str, object] = {}
            while time.time() < deadline:
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                    if health.get("transports", {}).get("telegram") == "up":  # type: ignore[union-attr]
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            assert health.get("status") == "ok", health
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 1700000000,
                    "chat": {"id": 42, "type": "private", "first_name": "A"},
                    "from": {"id": 42, "is_bot": False, "first_name": "A"},
                    "text": "/help",
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-0123456789abcdef"}
            response = httpx.post(
                f"http://127.0.0.1:{port}/tg", json=update, headers=headers, timeout=30
            )
            assert response.status_code == 200
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert fake.sent(42), "the webhook message was answered"
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    messages = [entry["msg"] for entry in logs]
    assert "transport up" in messages and "stopped" in messages, messages
    assert all({"at", "level", "logger", "msg"} <= set(entry) for entry in logs)
