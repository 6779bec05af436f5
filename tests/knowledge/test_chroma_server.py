"""The index against a real Chroma server (client/server mode, `Settings.chroma_url`).

A `chroma run` server from the installed chromadb package is started as a subprocess on
127.0.0.1 with a free port and a temporary path, once for this module. Each test drops the
collection first, then builds secbot against the server with the HashingEmbedder (no model
load) and the `db` fixture's database (SQLite, and PostgreSQL when SECBOT_TEST_DATABASE_URL
is set), and checks that the visibility rule holds in the server's index through filing,
sharing and revoking.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from secbot.access.chroma import retrieval_where
from secbot.access.principal import Place, Principal
from secbot.access.scope import scope_for
from secbot.config import Settings
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Inbound
from secbot.entrypoints.bootstrap import App, build
from secbot.identity.accounts import Account, principal_for
from secbot.identity.invites import create_invite, join
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.vector_index import COLLECTION
from tests.support.paths import KNOWLEDGE

STARTUP_S = 60.0
REPORT = (
    "report Cocaine bales washed up on Zephyrcove beach at dawn; fishermen found twelve "
    "packages wrapped in black plastic."
)
QUESTION = "cocaine bales washed up on Zephyrcove beach"
REGIONAL_QUESTION = "What is the threat from sargassum and marine pollution?"


def _chroma_executable() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("chroma")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _start(executable: str, folder: Path) -> tuple[subprocess.Popen[bytes], int] | str:
    """A running server and its port, or the reason it would not start."""
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
    reason = "no attempt made"
    for attempt in range(3):  # a free port can be taken between probing and binding
        port = _free_port()
        log_path = folder / f"server-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    executable,
                    "run",
                    "--path",
                    str(folder / "db"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                reason = f"`chroma run` exited with {process.returncode}: {_tail(log_path)}"
                break
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    return process, port
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            reason = f"no heartbeat within {STARTUP_S:.0f} s: {_tail(log_path)}"
        _stop(process)
    return reason


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    executable = _chroma_executable()
    if executable is None:
        reason = "the `chroma` CLI of the chromadb package is not installed"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    started = _start(executable, tmp_path_factory.mktemp("chroma-server"))
    if isinstance(started, str):
        print(f"SKIP: could not start a Chroma server: {started}")
        pytest.skip(f"could not start a Chroma server: {started}")
    process, port = started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def _http_client(url: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    return chromadb.HttpClient(
        host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
    )


@pytest.fixture
def app(chroma_url: str, db: Database, tmp_path: Path) -> Iterator[App]:
    client = _http_client(chroma_url)
    if COLLECTION in {getattr(c, "name", c) for c in client.list_collections()}:
        client.delete_collection(COLLECTION)  # one server serves every test of the module
    settings = Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=KNOWLEDGE,
        database_url=db.engine.url.render_as_string(hide_password=False),
        chroma_url=chroma_url,
        llm=None,
    )
    built = build(settings, embedder=HashingEmbedder())
    try:
        yield built
    finally:
        built.db.dispose()


def _focal_point(app: App, user: str, state: str) -> Principal:
    with app.db.transaction() as session:
        code = create_invite(
            session,
            role=Role.FOCAL_POINT,
            state_code=state,
            created_by="test",
            ttl=timedelta(1),
            now=utcnow(),
        )
        join(session, Account("console", "", user, user), code, utcnow())
    with app.db.transaction() as session:
        return principal_for(session, Account("console", "", user, user), Place.direct())


def _say(app: App, user: str, text: str) -> str:
    replies = app.engine.handle(
        Inbound("console", "", user, user, ChatKind.DIRECT, text=text, display_name=user)
    )
    return "\n".join(r.text for r in replies)


def _sees(app: App, principal: Principal, public_id: str) -> bool:
    assert app.asker is not None
    with app.db.transaction() as session:
        passages = app.asker.passages(session, principal, QUESTION)
    return any(p.public_id == public_id for p in passages)


def _server_filter_admits(app: App, principal: Principal, public_id: str) -> bool:
    """Whether the server-side Chroma query (dense only, the principal's filter) returns it."""
    assert app.index is not None
    vector = app.index.vector
    hits = vector.search(
        vector.embedder.embed_query(QUESTION), 10, retrieval_where(scope_for(principal))
    )
    return f"sub:{public_id}" in {h[0] for h in hits}


def _server_readers(url: str, public_id: str) -> list[str]:
    got = (
        _http_client(url)
        .get_collection(COLLECTION)
        .get(ids=[f"sub:{public_id}"], include=["metadatas"])
    )
    assert got["ids"] == [f"sub:{public_id}"]
    return [str(r) for r in got["metadatas"][0]["readers"]]


def test_index_lives_on_the_server(app: App, chroma_url: str, tmp_path: Path) -> None:
    assert app.index is not None
    count = _http_client(chroma_url).get_collection(COLLECTION).count()
    assert count > 0
    again = app.index.repair()
    assert again.embedded == 0 and again.removed == 0
    assert count == again.total
    assert not (tmp_path / "data" / "chroma").exists(), "no embedded store was created"


def test_regional_hits_for_every_principal(app: App) -> None:
    assert app.asker is not None
    member = _focal_point(app, "anna", "BRB")
    for principal in (member, Principal.unknown()):
        with app.db.transaction() as session:
            passages = app.asker.passages(session, principal, REGIONAL_QUESTION)
        assert passages, principal
        assert all(p.public_id is None for p in passages)
        assert any(p.source == "threats.yaml" for p in passages), passages


def test_private_report_follows_shares_on_the_server(app: App, chroma_url: str) -> None:
    owner = _focal_point(app, "anna", "BRB")
    other = _focal_point(app, "ben", "JAM")

    reply = _say(app, "anna", REPORT)
    match = re.search(r"Filed (BRB-\d{4})", reply)
    assert match, reply
    public_id = match.group(1)
    assert _server_readers(chroma_url, public_id) == ["*none"]
    assert _sees(app, owner, public_id)
    assert _server_filter_admits(app, owner, public_id)
    assert not _sees(app, other, public_id)
    assert not _server_filter_admits(app, other, public_id)

    assert "Shared" in _say(app, "anna", f"share {public_id} JAM")
    assert "JAM" in _server_readers(chroma_url, public_id)
    assert _server_filter_admits(app, other, public_id)
    assert _sees(app, other, public_id)

    assert "no longer see" in _say(app, "anna", f"unshare {public_id} JAM")
    assert "JAM" not in _server_readers(chroma_url, public_id)
    assert not _server_filter_admits(app, other, public_id)
    assert not _sees(app, other, public_id)
    assert _sees(app, owner, public_id)
