"""A world with members of every role, and the console serving it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from secbot.domain.enums import Role
from secbot.identity.partners import add_partner
from tests.support.web import LiveConsole
from tests.support.world import World

ROLES = {
    "delegate": (Role.DELEGATE, "BRB"),
    "focal": (Role.FOCAL_POINT, "BRB"),
    "stateadmin": (Role.STATE_ADMIN, "BRB"),
    "secretariat": (Role.SECRETARIAT, None),
    "secadmin": (Role.SECRETARIAT_ADMIN, None),
    "jam": (Role.FOCAL_POINT, "JAM"),
    "partner": (Role.PARTNER, "CDEMA"),
    "partneradmin": (Role.PARTNER_ADMIN, "CDEMA"),
}


@dataclass
class Repairs:
    """Counts the console's index repairs (the real one is the knowledge index's)."""

    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def repairs() -> Repairs:
    return Repairs()


@pytest.fixture
def people(world: World) -> World:
    with world.db.transaction() as session:  # a partner organisation, as tests/partners
        add_partner(session, "CDEMA", "Disaster Emergency Agency", "regional", by="test")
    for name, (role, state) in ROLES.items():
        world.member(name, role, state)
    return world


@pytest.fixture
def console(people: World, repairs: Repairs, tmp_path: Path) -> Iterator[LiveConsole]:
    live = LiveConsole(people.db, knowledge=(tmp_path / "uploads", repairs))
    yield live
    live.stop()
