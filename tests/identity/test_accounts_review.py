"""Review findings on accounts: revocation, Slack workspaces, re-joining, display names, the
secretariat admin. Each failed before its fix."""

from __future__ import annotations

from sqlalchemy import select

from secbot.db.models import AuditEvent, Member
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Inbound
from secbot.identity import members
from tests.support.secrets import QUESTION, SECRET, leaked
from tests.support.world import World

JOIN_HELP = "haven't joined"


def member_id(db: Database, user_id: str) -> int:
    with db.transaction() as session:
        found = session.scalar(select(Member.id).where(Member.user_id == user_id))
    assert found is not None
    return found


def revoke(db: Database, user_id: str) -> None:
    mid = member_id(db, user_id)
    with db.transaction() as session:
        members.revoke_member(session, mid, by="test", now=utcnow())


def test_revoked_member_sees_nothing_at_once(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Kestrel ring seen at the harbour")
    revoke(world.db, "alice")
    for text in ("reports", "mine", "incident BRB-0001", "threats", "whoami", "ask Kestrel?"):
        reply = alice.say(text)
        assert JOIN_HELP in reply and "Kestrel" not in reply, (text, reply)
    assert "Kestrel" not in alice.say("Kestrel ring")


def test_slack_workspaces_are_different_accounts(world: World) -> None:
    def send(workspace: str, text: str, chat: str = "D1", kind: ChatKind = ChatKind.DIRECT) -> str:
        assert world.engine is not None
        inbound = Inbound("slack", workspace, "U123", chat, kind, text=text)
        return "\n".join(r.text for r in world.engine.handle(inbound))

    assert "Welcome" in send("T1", f"join {world.invite(Role.FOCAL_POINT, 'BRB')}")
    assert "Filed BRB-0001" in send("T1", "report Kestrel ring at the harbour")
    for text in ("reports", "incident BRB-0001", "whoami", "mine"):
        reply = send("T2", text)
        assert JOIN_HELP in reply and "Kestrel" not in reply, (text, reply)
    with world.db.transaction() as session:
        from secbot.identity.channels import add_channel

        add_channel(session, platform="slack", workspace="T1", chat_id="C1", audience="BRB", by="t")
    assert "Kestrel" not in send("T1", "incident BRB-0001", "C1", ChatKind.GROUP)
    assert "Welcome" in send("T2", f"join {world.invite(Role.DELEGATE, 'JAM')}")
    assert "only CLEAR or GREEN" not in send("T2", "whoami", "C1", ChatKind.GROUP), (
        "a channel registered in T1 is unregistered in T2"
    )
    assert "can't find" in send("T2", "incident BRB-0001")


def test_secretariat_admin_reads_no_submission_even_when_shared(indexed_world: World) -> None:
    alice = indexed_world.member("alice", Role.FOCAL_POINT, "BRB")
    sam = indexed_world.member("sam", Role.SECRETARIAT)
    root = indexed_world.member("root", Role.SECRETARIAT_ADMIN)
    alice.say(f"report {SECRET}")
    alice.say("edit BRB-0001 tlp clear")
    alice.say("share BRB-0001 all secretariat")
    assert "BRB-0001" in sam.say("reports") and "Zephyrine" in sam.say(QUESTION)
    for text in ("reports", "incident BRB-0001", "threats", QUESTION, f"ask {QUESTION}"):
        reply = root.say(text).replace("find a report BRB-0001", "")
        assert not leaked(reply, "BRB-0001"), (text, reply)
    assert "secretariat files none" in root.say("mine")


def test_drafts_belong_to_one_member(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    carl = world.member("carl", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("Cyber incident")
    alice.say("high")
    alice.say("Kestrel ring breached the customs system")
    assert "continue" not in carl.say("report")
    assert "Kestrel" not in carl.say("cancel") + carl.say("save")
    assert "step 4" in alice.say("report"), "alice's own draft is untouched"


def test_redelivery_key_is_scoped_to_the_sender(world: World) -> None:
    assert world.engine is not None
    engine = world.engine

    def send(workspace: str, user: str, text: str, key: str | None = None) -> str:
        inbound = Inbound(
            "slack", workspace, user, "D" + user, ChatKind.DIRECT, text, None, "", key
        )
        return "\n".join(r.text for r in engine.handle(inbound))

    send("T1", "U1", f"join {world.invite(Role.FOCAL_POINT, 'BRB')}")
    send("T2", "U9", f"join {world.invite(Role.FOCAL_POINT, 'JAM')}")
    assert "Filed BRB-0001" in send("T1", "U1", f"report {SECRET}", key="Ev042")
    reply = send("T2", "U9", "report Coastguard radar at Port Royal was jammed", key="Ev042")
    assert "BRB" not in reply and "Filed JAM-0001" in reply, reply


def test_rejoining_another_state_does_not_carry_a_draft_across(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("Cyber incident")
    alice.say("high")
    alice.say(f"{SECRET}")
    revoke(world.db, "alice")
    assert "Welcome" in alice.say(f"join {world.invite(Role.FOCAL_POINT, 'JAM')}")
    jam = world.member("jay", Role.DELEGATE, "JAM")
    for answer in ("skip", "now", "AMBER", "save"):
        alice.say(answer)
    assert "Zephyrine" not in jam.say("reports") + jam.say("incident JAM-0001"), world.dump()


def test_display_name_cannot_forge_audit_lines(world: World) -> None:
    assert world.engine is not None
    forged = "mallory\n2026-01-01 00:00:00  cli  member_revoked member=1 state=BRB"
    inbound = Inbound(
        "console",
        "",
        "mallory",
        "mallory",
        ChatKind.DIRECT,
        f"join {world.invite(Role.DELEGATE, 'JAM')}",
        display_name=forged,
    )
    assert "Welcome" in world.engine.handle(inbound)[0].text
    with world.db.transaction() as session:
        actors = list(session.scalars(select(AuditEvent.actor)))
    assert all("\n" not in actor for actor in actors), actors
