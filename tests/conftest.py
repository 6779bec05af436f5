"""Shared fixtures: a migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL is SECBOT_TEST_DATABASE_URL when set (set it empty for SQLite only), else the local
server on 127.0.0.1:5432 when one answers there, so a plain `make test` runs both. PostgreSQL
runs get a schema of their own per pytest session, so parallel runs on one server never see
each other's rows.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from secbot.db.migrate import upgrade
from secbot.db.models import Base
from secbot.db.session import Database, make_engine
from secbot.entrypoints.bootstrap import App
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.apps import indexed_app
from tests.support.paths import KNOWLEDGE
from tests.support.world import World

LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _local_pg_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def _pg_url() -> tuple[str | None, str]:
    """The URL to test against, or None and why not (shown with the skipped tests)."""
    configured = os.environ.get("SECBOT_TEST_DATABASE_URL")
    if configured is not None:
        if configured:
            return configured, ""
        return None, "SECBOT_TEST_DATABASE_URL is set empty (SQLite only)"
    if _local_pg_answers():
        return LOCAL_PG, ""
    return None, (
        "no PostgreSQL answered on 127.0.0.1:5432 and SECBOT_TEST_DATABASE_URL is not set "
        "(.ci/run starts the server)"
    )


PG_URL, PG_MISSING = _pg_url()

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach a non-loopback address."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and sock.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0])
            if not (host.startswith("127.") or host in ("::1", "localhost")):
                raise RuntimeError(f"test tried to reach {host}: only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests skipped: {PG_MISSING}")
    if not _pg_available():
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable")
    schema = f"secbot_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def fresh_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "secbot.sqlite3"
        shutil.copy(template, target)
        return Database.from_url(f"sqlite:///{target}")
    url: str = request.getfixturevalue("pg_schema_url")
    db = Database.from_url(url)
    truncate(db)
    return db


def truncate(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = fresh_database(request.param, request, tmp_path)
    yield database
    database.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def fresh_db_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A callable giving an empty migrated database, for tests that need one per example."""
    made: list[Database] = []
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        folder = tmp_path_factory.mktemp("examples")

        def make() -> Database:
            for old in made:
                old.dispose()
            made.clear()
            target = folder / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copy(template, target)
            made.append(Database.from_url(f"sqlite:///{target}"))
            return made[0]

    else:
        url: str = request.getfixturevalue("pg_schema_url")
        shared = Database.from_url(url)
        made.append(shared)

        def make() -> Database:
            truncate(shared)
            return shared

    yield make
    for database in made:
        database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    """An engine without a retrieval index: fast, for the SQL read paths."""
    return World(db)


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Iterator[App]:
    """The whole app with the real indexes (Chroma + BM25) and the hashing embedder."""
    application = indexed_app(db, tmp_path)
    yield application
    application.db.dispose()


@pytest.fixture
def indexed_world(app: App) -> World:
    return World(app.db, engine=app.engine)


@pytest.fixture
def env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a CLI run reads: this test's database, a data dir, no model."""
    values = {
        "SECBOT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SECBOT_DATA_DIR": str(tmp_path / "var"),
        "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "SECBOT_EMBEDDINGS": "hashing",  # the real model is exercised in tests/knowledge
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def telegram() -> Iterator[FakeTelegramServer]:
    """A local fake of the Telegram Bot API on 127.0.0.1 (tests/fakes)."""
    with FakeTelegramServer() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    """A local fake of the Slack Web API on 127.0.0.1 (tests/fakes)."""
    with FakeSlackServer() as server:
        yield server
