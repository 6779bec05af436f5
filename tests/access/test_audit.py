"""The audit log records who did what to which submission, never the submission's text."""

from __future__ import annotations

from sqlalchemy import select

from secbot.db.models import AuditEvent
from secbot.domain.enums import Role
from tests.support.secrets import SECRET
from tests.support.world import World


def test_audit_log_never_holds_report_text(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    alice.say("edit BRB-0001 details Kestrel ring paid Zephyrine officials again")
    alice.say("edit BRB-0001 where Zephyrine north quay")
    alice.say("edit BRB-0001 title Kestrel bribes")
    alice.say("threat add Kestrel ring corrupting Zephyrine harbour staff")
    alice.say("share BRB-0001 JAM")
    bob.say("incident BRB-0001")
    with world.db.transaction() as session:
        events = list(session.scalars(select(AuditEvent)))
        dump = " ".join(f"{e.actor} {e.action} {e.detail}" for e in events)
    assert {"incident_filed", "incident_edited", "shared", "read"} <= {e.action for e in events}
    for word in ("Kestrel", "Zephyrine", "bribe", "quay", "harbour"):
        assert word not in dump, (word, dump)
