"""The inbox in SQL: a delivery key is stored once, a chat's entries go in order, a lease keeps
two workers apart, and an entry is marked handled only together with its effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from secbot.db.models import InboxEntry, Incident
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Inbound, Reply
from secbot.inbox import store
from secbot.inbox.store import AlreadyHandled, Arrival
from tests.support.world import World


def arrival(key: str, chat: str, text: str = "help", user: str | None = None) -> Arrival:
    inbound = Inbound(
        "console", "", user or chat, chat, ChatKind.DIRECT, text=text, message_key=key
    )
    return Arrival(key, inbound, {"note": key})


def test_a_key_is_stored_once(db: Database) -> None:
    now = utcnow()
    first = store.store(db, [arrival("tg:1", "a"), arrival("tg:2", "a")], now)
    again = store.store(db, [arrival("tg:2", "a"), arrival("tg:3", "b")], now)
    assert all(i is not None for i in first)
    assert again[0] is None and again[1] is not None
    with db.transaction() as session:
        assert session.scalar(select(func.count(InboxEntry.id))) == 3


def test_a_chat_goes_in_order_and_chats_go_side_by_side(db: Database) -> None:
    now = utcnow()
    store.store(db, [arrival("k1", "a"), arrival("k2", "a"), arrival("k3", "b")], now)
    claimed = store.claim(db, worker="w1", now=now, lease=10, limit=10)
    assert [e.key for e in claimed] == ["k1", "k3"], "a's second message waits for its first"
    assert store.claim(db, worker="w2", now=now, lease=10, limit=10) == [], "leased"
    store.close(db, claimed[0].id, now)
    later = store.claim(db, worker="w2", now=now, lease=10, limit=10)
    assert [e.key for e in later] == ["k2"]
    assert later[0].context == {"note": "k2"}
    expired = store.claim(db, worker="w3", now=now + timedelta(seconds=11), lease=10, limit=10)
    assert {e.key for e in expired} == {"k2", "k3"}, "a dead worker's lease runs out"


def test_an_entry_is_settled_once_and_only_with_its_effects(db: Database) -> None:
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert alice.last
    now = utcnow()
    (entry_id,) = store.store(db, [arrival("tg:9", "alice", "report Boat seen at the pier")], now)
    assert entry_id is not None
    inbound = store.claim(db, worker="w", now=now, lease=10, limit=1)[0].inbound

    def settle_then_crash(session: object, replies: list[Reply]) -> None:
        store.settle(session, entry_id, replies, now)  # type: ignore[arg-type]
        raise RuntimeError("power cut before the commit")

    assert world.engine is not None
    with pytest.raises(RuntimeError):
        world.engine.handle(inbound, settle=settle_then_crash)
    with db.transaction() as session:
        assert session.scalar(select(func.count(Incident.submission_id))) == 0, "nothing kept"
        assert session.get(InboxEntry, entry_id).handled_at is None  # type: ignore[union-attr]
    replies = world.engine.handle(inbound, settle=lambda s, r: store.settle(s, entry_id, r, now))
    assert "Filed BRB-0001" in replies[0].text
    with pytest.raises(AlreadyHandled), db.transaction() as session:
        store.settle(session, entry_id, replies, now)
    with db.transaction() as session:
        assert session.scalar(select(func.count(Incident.submission_id))) == 1


def test_old_closed_entries_are_pruned_and_open_ones_kept(db: Database) -> None:
    now = utcnow()
    ids = store.store(db, [arrival("old", "a"), arrival("open", "b")], now - timedelta(days=9))
    store.close(db, ids[0] or 0, now - timedelta(days=9))
    assert store.prune(db, now - timedelta(days=7)) == 1
    assert store.open_count(db) == 1
