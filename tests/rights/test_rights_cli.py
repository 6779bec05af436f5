"""The admin commands: a state's erasure (counted first, done with --yes), the tombstones,
retention periods, and bad input that changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from secbot.db.models import Submission
from secbot.domain.enums import Role
from tests.support.cli import cli, cli_fails
from tests.support.world import World


def _submissions(world: World) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Submission)) or 0)


def test_a_state_is_erased_from_the_command_line(env: dict[str, str], world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice.say("report Phishing wave against the tax office")
    alice.say("report Stolen fishing boat found adrift")
    bob.say("report Drone seen over the prison")
    assert "would erase 2 submission(s) of BRB" in cli_fails("admin", "state", "erase", "BRB")
    assert "No state 'ZZZ'" in cli_fails("admin", "state", "erase", "zzz", "--yes")
    assert _submissions(world) == 3
    assert "Erased 2 submission(s) of BRB." in cli("admin", "state", "erase", "brb", "--yes")
    tombs = cli("admin", "erasure", "list", "--state", "BRB").splitlines()
    assert len(tombs) == 2 and all(" state  cli  " in t and t.endswith("compacted") for t in tombs)
    assert "BRB-0001" in tombs[0] and "BRB-0002" in tombs[1]
    assert "Compacted 0 pending" in cli("admin", "erasure", "compact")
    assert "JAM-0001" in bob.say("mine") and _submissions(world) == 1


def test_retention_from_the_command_line(env: dict[str, str], world: World) -> None:
    shown = cli("admin", "state", "retention", "JAM")
    assert "TLP:AMBER: kept until erased" in shown
    shown = cli("admin", "state", "retention", "jam", "--tlp", "amber", "--days", "5")
    assert "TLP:AMBER: 5 days" in shown
    assert "Give both" in cli_fails("admin", "state", "retention", "JAM", "--tlp", "red")
    assert "not a TLP label" in cli_fails(
        "admin", "state", "retention", "JAM", "--tlp", "pink", "--days", "3"
    )
    assert "Retention erased 0 submission(s)." in cli("admin", "retention", "run")
