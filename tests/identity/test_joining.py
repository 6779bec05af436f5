"""Joining: strangers, invites (single use, expiring, only in a DM), who you are."""

from __future__ import annotations

from datetime import timedelta

from secbot.db.models import AuditEvent
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import Role
from secbot.engine.engine import Engine
from tests.support.world import World


def test_stranger_gets_only_join_help(world: World) -> None:
    eve = world.chat("eve")
    for text in ("start", "help", "reports", "objectives", "threats", "contacts JAM", "mine"):
        reply = eve.say(text)
        assert "haven't joined" in reply and "join" in reply, world.dump()
        assert "RT-0" not in reply and "OBJ-" not in reply
    assert "not valid" in eve.say("join NOPE-NOPE-NOPE")


def test_join_whoami_and_single_use_invites(world: World) -> None:
    code = world.invite(Role.FOCAL_POINT, "BRB")
    alice, mallory = world.chat("alice"), world.chat("mallory")
    assert "focal point for Barbados (BRB)" in alice.say(f"/join {code.lower()}")
    assert "not valid" in mallory.say(f"join {code}"), "a used invite must not work twice"
    assert "already joined" in alice.say(f"join {world.invite(Role.DELEGATE, 'JAM')}")
    who = alice.say("whoami")
    assert "focal point for Barbados (BRB)" in who and "direct chat" in who
    sec = world.member("sam", Role.SECRETARIAT)
    assert "You are an officer of the secretariat" in sec.say("whoami")
    admin = world.chat("ada")
    joined = admin.say(f"join {world.invite(Role.SECRETARIAT_ADMIN)}")
    assert "You have joined the secretariat as an administrator." in joined
    assert "for the secretariat" not in joined and "a secretariat" not in joined


def test_expired_invite_is_refused(world: World, db: Database) -> None:
    code = world.invite(Role.DELEGATE, "JAM", hours=1)
    from datetime import timedelta

    from sqlalchemy import update

    from secbot.db.models import Invite
    from secbot.db.types import utcnow

    with db.transaction() as session:
        session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
    bob = world.chat("bob")
    assert "expired" in bob.say(f"join {code}")
    assert "haven't joined" in bob.say("whoami")


def test_join_in_a_group_is_refused(world: World) -> None:
    code = world.invite(Role.DELEGATE, "JAM")
    reply = world.chat("bob", group="g1").say(f"join {code}")
    assert "direct message" in reply
    assert "Welcome" in world.chat("bob").say(f"join {code}"), "the refused code is still usable"


def test_wrong_invite_codes_are_audited_and_limited_across_a_restart(db: Database) -> None:
    """Review finding: wrong codes had no rate limit and no audit trail."""
    now = {"t": utcnow()}
    world = World(db)
    world.engine = Engine(db, clock=lambda: now["t"])
    good = world.invite(Role.DELEGATE, "JAM")
    mallory = world.chat("mallory")
    for n in range(5):
        assert "not valid" in mallory.say(f"join AAAA-BBBB-CC{n:02d}")
    world.engine = Engine(db, clock=lambda: now["t"])  # a restart keeps the count
    refused = mallory.say(f"join {good}")
    assert "Too many invite codes" in refused and "wait 10 minutes" in refused
    with db.transaction() as session:
        failed = session.query(AuditEvent).filter(AuditEvent.action == "invite_failed").all()
        assert len(failed) == 6 and all("mallory" in e.actor for e in failed)
        assert all(e.detail["account"] == "console::mallory" for e in failed)
    assert "not valid" in world.chat("eve").say("join AAAA-BBBB-CCDD"), "per account"
    now["t"] += timedelta(minutes=11)
    assert "Welcome" in mallory.say(f"join {good}")
