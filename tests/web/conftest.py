"""A world with members of every role, and the console serving it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from secbot.domain.enums import Role
from tests.support.web import LiveConsole
from tests.support.world import World

ROLES = {
    "delegate": (Role.DELEGATE, "BRB"),
    "focal": (Role.FOCAL_POINT, "BRB"),
    "stateadmin": (Role.STATE_ADMIN, "BRB"),
    "secretariat": (Role.SECRETARIAT, None),
    "secadmin": (Role.SECRETARIAT_ADMIN, None),
    "jam": (Role.FOCAL_POINT, "JAM"),
}


@pytest.fixture
def people(world: World) -> World:
    for name, (role, state) in ROLES.items():
        world.member(name, role, state)
    return world


@pytest.fixture
def console(people: World) -> Iterator[LiveConsole]:
    live = LiveConsole(people.db)
    yield live
    live.stop()
