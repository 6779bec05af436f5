"""The permission table: deny by default, one refusal per action, and the roles of the README."""

from __future__ import annotations

import pytest

from secbot.access.permissions import REFUSAL, TABLE, Action, allowed, require
from secbot.access.principal import Place, Principal, party_for
from secbot.domain.enums import Role
from secbot.domain.errors import NotPermitted


def principal(role: Role | None) -> Principal:
    if role is None:
        return Principal.unknown()
    party = None if role.is_secretariat else ("CDEMA" if role.is_partner else "BRB")
    return Principal(party_for(role, party), role, Place.direct())


def test_every_action_has_a_refusal_and_every_role_a_row() -> None:
    assert set(REFUSAL) == set(Action)
    assert set(TABLE) == set(Role)


def test_strangers_may_do_nothing() -> None:
    for action in Action:
        assert not allowed(principal(None), action)
        with pytest.raises(NotPermitted):
            require(principal(None), action)


PARTNERS = {Role.PARTNER, Role.PARTNER_ADMIN}


def test_a_partner_is_never_a_state_nor_the_secretariat() -> None:
    partner = principal(Role.PARTNER)
    assert partner.partner == "CDEMA" and partner.state is None
    assert partner.owner_party == "CDEMA"
    with pytest.raises(ValueError):
        party_for(Role.PARTNER, "BRB")
    with pytest.raises(ValueError):
        party_for(Role.FOCAL_POINT, "CDEMA")


@pytest.mark.parametrize(
    ("action", "roles"),
    [
        (Action.FILE_REPORT, {Role.FOCAL_POINT, Role.STATE_ADMIN} | PARTNERS),
        (Action.CHANGE_REPORT, {Role.FOCAL_POINT, Role.STATE_ADMIN} | PARTNERS),
        (Action.SEND_ALERT, {Role.SECRETARIAT, Role.SECRETARIAT_ADMIN}),
        (Action.REGISTER_CHANNEL, {Role.STATE_ADMIN, Role.SECRETARIAT_ADMIN}),
        (Action.READ_OWN_STATE, {Role.DELEGATE, Role.FOCAL_POINT, Role.STATE_ADMIN} | PARTNERS),
        (
            Action.COORDINATE,
            {Role.FOCAL_POINT, Role.STATE_ADMIN, Role.SECRETARIAT} | PARTNERS,
        ),
        (Action.READ_BRIEF, {Role.DELEGATE, Role.FOCAL_POINT, Role.STATE_ADMIN, Role.SECRETARIAT}),
        (Action.READ, set(Role)),
        (Action.MANAGE_MEMBERS, {Role.STATE_ADMIN, Role.SECRETARIAT_ADMIN}),
        (Action.READ_AUDIT, {Role.STATE_ADMIN, Role.SECRETARIAT_ADMIN}),
    ],
)
def test_who_may_do_what(action: Action, roles: set[Role]) -> None:
    assert {r for r in Role if allowed(principal(r), action)} == roles
    for role in set(Role) - roles:
        with pytest.raises(NotPermitted) as refused:
            require(principal(role), action)
        assert refused.value.message == REFUSAL[action]
