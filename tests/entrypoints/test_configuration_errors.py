"""A misconfigured deployment gets one line naming the setting and exit code 2, never a
traceback; a secret that is set must be a real secret (review finding: an empty webhook secret
registered no secret at all, and every POST was accepted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import KNOWLEDGE


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        **os.environ,
        "SECBOT_DATA_DIR": str(tmp_path / "var"),
        "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "SECBOT_EMBEDDINGS": "hashing",
    }
    base.pop("SECBOT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "secbot", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def one_line_error(result: subprocess.CompletedProcess[str], setting: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("SECBOT_TELEGRAM_WEBHOOK_SECRET", "", "empty"),
        ("SECBOT_TELEGRAM_WEBHOOK_SECRET", "short", "too short"),
        ("SECBOT_SLACK_SIGNING_SECRET", "   ", "empty"),
    ],
)
def test_a_set_but_weak_secret_refuses_to_start(
    tmp_path: Path, setting: str, value: str, says: str
) -> None:
    result = run(
        tmp_path,
        "serve",
        SECBOT_TELEGRAM_TOKEN="123:abc",
        SECBOT_TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg",
        **{setting: value},
    )
    assert says in one_line_error(result, setting)


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = run(tmp_path, "admin", "state", "list", SECBOT_DATA_DIR=str(blocker))
    assert "is a file" in one_line_error(result, "SECBOT_DATA_DIR")


def test_a_database_url_that_is_no_url_or_cannot_be_reached(tmp_path: Path) -> None:
    bad = run(tmp_path, "admin", "state", "list", SECBOT_DATABASE_URL="not a url")
    one_line_error(bad, "SECBOT_DATABASE_URL")
    down = run(
        tmp_path,
        "admin",
        "state",
        "list",
        SECBOT_DATABASE_URL="postgresql+psycopg://secbot:hunter2@127.0.0.1:1/none",
    )
    line = one_line_error(down, "SECBOT_DATABASE_URL")
    assert "cannot reach" in line and "hunter2" not in line, "the password is never printed"


def test_a_broken_knowledge_file(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("states.yaml", "objectives.yaml", "contacts.yaml"):
        (knowledge / name).write_text((KNOWLEDGE / name).read_text())
    (knowledge / "threats.yaml").write_text("threats: [ {code: RT-01, title: }\n")
    result = run(tmp_path, "admin", "state", "list", SECBOT_KNOWLEDGE_DIR=str(knowledge))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "threats.yaml" in result.stderr
