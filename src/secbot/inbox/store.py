"""The inbox in SQL: store arrivals (one transaction, a known key is a no-op), claim the oldest
open entry of each chat under a lease, settle an entry inside its handling transaction, and
mark its replies sent.

An entry is open until its replies are sent. A chat's next entry is claimed only when every
earlier entry of that chat is closed, so one chat is always answered in the order it spoke;
different chats proceed in parallel, in any number of processes (PostgreSQL: SKIP LOCKED).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from secbot.db.models import InboxEntry
from secbot.db.session import Database
from secbot.engine.messages import Inbound, Reply
from secbot.inbox.codec import (
    inbound_from_json,
    inbound_to_json,
    replies_from_json,
    replies_to_json,
    without_file_bytes,
)


class AlreadyHandled(Exception):
    """Another worker settled this entry first (its lease had run out): roll back, do nothing."""


@dataclass(frozen=True)
class Arrival:
    key: str
    """The platform's delivery key: the same key is the same delivery, however often it comes."""
    inbound: Inbound
    context: dict[str, Any] = field(default_factory=dict)
    """What the transport needs later to answer (message to edit, thread, callback id...)."""


@dataclass(frozen=True)
class Entry:
    id: int
    key: str
    platform: str
    inbound: Inbound
    context: dict[str, Any]
    handled: bool
    replies: list[Reply]
    attempts: int


def lane_of(inbound: Inbound) -> str:
    return f"{inbound.platform}:{inbound.workspace}:{inbound.chat_id}"[:200]


def store(
    db: Database,
    arrivals: Sequence[Arrival],
    now: datetime,
    *,
    held_until: datetime | None = None,
) -> list[int | None]:
    """One transaction for them all; each new entry's id, or None for a key seen before.
    `held_until` keeps workers off the new entries (the caller handles them itself)."""
    ids: list[int | None] = []
    with db.transaction() as session:
        for arrival in arrivals:
            row = InboxEntry(
                key=arrival.key[:200],
                platform=arrival.inbound.platform,
                lane=lane_of(arrival.inbound),
                inbound=inbound_to_json(arrival.inbound),
                context=dict(arrival.context),
                received_at=now,
                lease_until=held_until,
                replies=[],
                attempts=0,
                worker="",
                last_error="",
            )
            try:
                with session.begin_nested():
                    session.add(row)
                    session.flush()
                ids.append(row.id)
            except IntegrityError:
                ids.append(None)
    return ids


def _entry(row: InboxEntry) -> Entry:
    return Entry(
        id=row.id,
        key=row.key,
        platform=row.platform,
        inbound=inbound_from_json(row.inbound),
        context=dict(row.context or {}),
        handled=row.handled_at is not None,
        replies=replies_from_json(row.replies or []),
        attempts=row.attempts,
    )


def claim(
    db: Database,
    *,
    worker: str,
    now: datetime,
    lease: float,
    limit: int,
    exclude_lanes: Sequence[str] = (),
) -> list[Entry]:
    """The oldest open entry of up to `limit` chats whose earlier entries are all closed."""
    older = aliased(InboxEntry)
    earlier_open = (
        select(older.id)
        .where(
            older.lane == InboxEntry.lane,
            older.replied_at.is_(None),
            older.id < InboxEntry.id,
        )
        .exists()
    )
    query = (
        select(InboxEntry)
        .where(
            InboxEntry.replied_at.is_(None),
            (InboxEntry.lease_until.is_(None)) | (InboxEntry.lease_until < now),
            ~earlier_open,
        )
        .order_by(InboxEntry.id)
        .limit(limit)
    )
    if exclude_lanes:
        query = query.where(InboxEntry.lane.not_in(list(exclude_lanes)))
    with db.transaction() as session:
        if db.is_postgres:
            query = query.with_for_update(skip_locked=True, of=InboxEntry)
        rows = list(session.scalars(query))
        until = now + timedelta(seconds=lease)
        for row in rows:
            row.lease_until = until
            row.worker = worker[:80]
        return [_entry(row) for row in rows]


def settle(session: Session, entry_id: int, replies: list[Reply], now: datetime) -> None:
    """Mark the entry handled with its replies, inside the transaction of its effects."""
    done = session.execute(
        update(InboxEntry)
        .where(InboxEntry.id == entry_id, InboxEntry.handled_at.is_(None))
        .values(handled_at=now, replies=replies_to_json(replies), last_error="")
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyHandled(entry_id)


def postpone(db: Database, entry_id: int, error: str, *, until: datetime) -> int:
    """A failed attempt (handling crashed, or the platform refused the reply): try again later.
    Returns the attempts so far."""
    with db.transaction() as session:
        row = session.get(InboxEntry, entry_id)
        assert row is not None
        row.attempts += 1
        row.last_error = error[:300]
        row.lease_until = until
        return row.attempts


def close(db: Database, entry_id: int, now: datetime, error: str = "") -> None:
    """The replies are sent (or given up on): the chat's next entry may go, and the files the
    replies carried are no longer kept."""
    with db.transaction() as session:
        values: dict[str, Any] = {"replied_at": now, "lease_until": None, "last_error": error[:300]}
        stripped = without_file_bytes(
            session.scalar(select(InboxEntry.replies).where(InboxEntry.id == entry_id))
        )
        if stripped is not None:
            values["replies"] = stripped
        session.execute(update(InboxEntry).where(InboxEntry.id == entry_id).values(**values))


def release(db: Database, entry_id: int) -> None:
    with db.transaction() as session:
        session.execute(
            update(InboxEntry).where(InboxEntry.id == entry_id).values(lease_until=None)
        )


def release_leases(db: Database) -> int:
    """At start of a single-process deployment (SQLite): nobody else can hold a lease."""
    with db.transaction() as session:
        result = session.execute(
            update(InboxEntry)
            .where(InboxEntry.replied_at.is_(None), InboxEntry.lease_until.is_not(None))
            .values(lease_until=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def open_count(db: Database) -> int:
    with db.transaction() as session:
        return int(
            session.scalar(select(func.count(InboxEntry.id)).where(InboxEntry.replied_at.is_(None)))
            or 0
        )


def prune(db: Database, before: datetime) -> int:
    """Closed entries older than the replay window and then some; their keys go with them."""
    with db.transaction() as session:
        result = session.execute(
            delete(InboxEntry).where(
                InboxEntry.replied_at.is_not(None), InboxEntry.received_at < before
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
