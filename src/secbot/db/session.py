"""Engines and the unit of work: one transaction per inbound message or command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from pysqlite (SQLAlchemy's documented recipe): otherwise a
    # SAVEPOINT opened outside a transaction commits on RELEASE and rollbacks miss it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten, not just unlinked: an erasure leaves no words in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """IMMEDIATE takes the write lock up front, so two writers queue (busy_timeout) instead of
    failing when both try to upgrade a read lock. `Database.reading` asks for DEFERRED."""
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """SQLite gets WAL and enforced foreign keys; PostgreSQL gets psycopg 3 and pre-ping."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


CommitListener = Callable[[set[int]], None]


def _touched_submissions(session: Session, _context: Any) -> None:
    """Remember which submissions a flush changed (rows, their details or their shares)."""
    from secbot.db.models import Incident, Share, Submission, ThreatEntry

    touched: set[int] = session.info.setdefault("touched", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Submission):
            touched.add(obj.id)
        elif isinstance(obj, Incident | Share) or (
            isinstance(obj, ThreatEntry) and obj.submission_id is not None
        ):
            touched.add(obj.submission_id)  # type: ignore[arg-type]


def _log_index_changes(session: Session) -> None:
    """Write the touched submissions to the change log, in the same transaction, so every
    process can bring its own index up to date (knowledge.following)."""
    from secbot.db.models import IndexChange

    session.flush()
    touched: set[int] = session.info.get("touched", set())
    logged: set[int] = session.info.setdefault("logged", set())
    for submission_id in sorted(touched - logged):
        session.add(IndexChange(submission_id=submission_id))
    logged.update(touched)


class Database:
    """Owns the engine and hands out transactions; services never commit on their own.

    Listeners registered with `on_commit` learn which submissions each committed transaction
    touched, so derived data (the retrieval index) can follow within the same request.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._listeners: list[CommitListener] = []
        event.listen(self._factory, "after_flush", _touched_submissions)
        event.listen(self._factory, "before_commit", _log_index_changes)
        event.listen(self._factory, "after_commit", self._after_commit)
        event.listen(self._factory, "after_rollback", self._after_rollback)

    def on_commit(self, listener: CommitListener) -> None:
        self._listeners.append(listener)

    def after_each_commit(self, hook: Callable[[Session], None]) -> None:
        """`hook(session)` after every commit, once the `on_commit` listeners have run: for
        work that needs what the transaction left in `session.info` (rights.compaction)."""
        event.listen(self._factory, "after_commit", hook)

    def _after_commit(self, session: Session) -> None:
        session.info.pop("logged", None)
        touched: set[int] = session.info.pop("touched", set())
        if touched:
            for listener in self._listeners:
                listener(set(touched))

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop("touched", None)
        session.info.pop("logged", None)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the block ends normally, roll back on any exception."""
        with self._factory() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock (WAL readers never
        wait), so the index can load while a question waiting for it holds its transaction."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="DEFERRED")
            with Session(bind=connection) as session:  # closing it rolls back: nothing written
                yield session

    def dispose(self) -> None:
        self.engine.dispose()
