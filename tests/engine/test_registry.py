"""The verb registry is the one list: help, Telegram's menu and routing all come from it."""

from __future__ import annotations

from secbot.access.permissions import TABLE, Action, allowed
from secbot.access.principal import Place, Principal, party_for
from secbot.domain.enums import Role
from secbot.engine import registry
from secbot.transports.telegram import COMMANDS


def principal(role: Role) -> Principal:
    state = None if role.is_secretariat else ("CDEMA" if role.is_partner else "BRB")
    return Principal(party_for(role, state), role, Place.direct(), member_id=1)


def test_every_help_line_names_a_registered_verb_and_reaches_some_role() -> None:
    for verb in registry.VERBS:
        for line in verb.helps:
            assert line.usage.split()[0] == verb.name
            assert any(line.shown_to(principal(role)) for role in Role), line.usage


def test_help_follows_the_permission_table() -> None:
    for role in Role:
        lines = registry.help_lines(principal(role))
        may_send = Action.SEND_ALERT in TABLE[role]
        assert any(line.startswith("• alert —") for line in lines) == may_send, role
        may_file = allowed(principal(role), Action.FILE_REPORT)
        assert any(line.startswith("• report —") for line in lines) == may_file, role
    secretariat = registry.help_lines(principal(Role.SECRETARIAT))
    assert not any(line.startswith("• mine") for line in secretariat)


def test_telegram_menu_is_the_registry() -> None:
    assert registry.telegram_commands() == COMMANDS
    assert {name for name, _ in COMMANDS} <= set(registry.BY_NAME)
    assert ("report", "File an incident report") in COMMANDS


def test_every_form_belongs_to_a_verb() -> None:
    assert set(registry.FORMS) == {"report", "alert"}
    for name, form in registry.FORMS.items():
        assert registry.BY_NAME[name].form is form
