"""`secbot admin partner` and partner invites, run as an administrator would run them."""

from __future__ import annotations

import re

from tests.support.cli import chat, cli, cli_fails


def _add(*extra: str) -> list[str]:
    return ["admin", "partner", "add", *extra]


def test_partners_are_added_listed_invited_and_removed(env: dict[str, str]) -> None:
    assert "No partners yet" in cli("admin", "partner", "list")
    out = cli(*_add("--code", "cdema", "--name", "Disaster Agency", "--kind", "regional"))
    assert "Added partner CDEMA Disaster Agency (regional)" in out
    assert "already exists" in cli_fails(
        *_add("--code", "CDEMA", "--name", "Again", "--kind", "regional")
    )
    assert "three-letter codes belong to states" in cli_fails(
        *_add("--code", "BRB", "--name", "Not a state", "--kind", "academia")
    )
    assert "4 to 12 letters" in cli_fails(
        *_add("--code", "UWI2", "--name", "Digits", "--kind", "academia")
    )
    cli_fails(*_add("--code", "UWIMONA", "--name", "Campus", "--kind", "university"))
    assert "CDEMA  Disaster Agency  regional" in cli("admin", "partner", "list")
    assert "CDEMA" not in cli("admin", "state", "list"), "a partner is never a state"

    invite = cli("admin", "invite", "create", "--partner", "CDEMA", "--role", "partner")
    assert "a partner of CDEMA" in invite
    code = invite.splitlines()[-1]
    assert "use --partner" in cli_fails(
        "admin", "invite", "create", "--state", "CDEMA", "--role", "partner"
    )
    assert "--role partner" in cli_fails(
        "admin", "invite", "create", "--partner", "CDEMA", "--role", "focal_point"
    )
    assert "no partner 'NOPE'" in cli_fails(
        "admin", "invite", "create", "--partner", "NOPE", "--role", "partner_admin"
    )
    assert "partner for Disaster Agency (CDEMA)" in chat(env, "pat", [f"join {code}", "whoami"])
    members = cli("admin", "member", "list")
    assert re.search(r"console:pat\s+CDEMA\s+partner\s+active", members), members

    assert "Removed partner CDEMA" in cli("admin", "partner", "remove", "cdema")
    assert "No partner CDEMA" in cli_fails("admin", "partner", "remove", "CDEMA")
    assert "No partners yet" in cli("admin", "partner", "list")
    assert "haven't joined" in chat(env, "pat", ["whoami"]), "its members are revoked"
    assert "partner_added" in cli("admin", "audit") and "partner_removed" in cli("admin", "audit")
