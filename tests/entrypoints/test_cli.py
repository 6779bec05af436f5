"""The admin CLI and a piped console session, run as a new user would run them."""

from __future__ import annotations

import re

from tests.support.cli import chat, cli, cli_fails, invoke


def test_states_invites_members_audit(env: dict[str, str]) -> None:
    states = cli("admin", "state", "list")
    assert "BRB  Barbados" in states and "TTO  Trinidad and Tobago" in states
    assert "Added XYZ Testland" in cli("admin", "state", "add", "xyz", "Testland")
    assert "already exists" in cli_fails("admin", "state", "add", "XYZ", "Again")
    assert "three letters" in cli_fails("admin", "state", "add", "XY1", "Bad")
    code = cli("admin", "invite", "create", "--state", "BRB", "--role", "focal_point").splitlines()[
        -1
    ]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    sec = cli("admin", "invite", "create", "--role", "secretariat").splitlines()[-1]
    assert re.fullmatch(r"[A-Z0-9-]{14}", sec)
    assert "leave out --state" in cli_fails(
        "admin", "invite", "create", "--role", "secretariat", "--state", "BRB"
    )
    assert "needs a state" in cli_fails("admin", "invite", "create", "--role", "delegate")
    assert "no state 'ZZZ'" in cli_fails(
        "admin", "invite", "create", "--role", "delegate", "--state", "ZZZ"
    )
    cli_fails("admin", "invite", "create", "--role", "king", "--state", "BRB")
    out = chat(env, "alice", [f"join {code}", "whoami"])
    assert "focal point for Barbados" in out
    members = cli("admin", "member", "list")
    assert re.search(r"#1\s+console:alice\s+BRB\s+focal_point\s+active", members), members
    assert "Revoked #1" in cli("admin", "member", "revoke", "1")
    assert "already revoked" in cli_fails("admin", "member", "revoke", "1")
    assert "no member #99" in cli_fails("admin", "member", "revoke", "99")
    assert "haven't joined" in chat(env, "alice", ["whoami"])
    audit = cli("admin", "audit", "--state", "BRB")
    assert "member_joined" in audit and "member_revoked" in audit and "invite_created" in audit


def test_invite_validity_reads_as_text_and_bad_hours_are_refused(env: dict[str, str]) -> None:
    out = cli("admin", "invite", "create", "--state", "BRB", "--role", "delegate")
    assert re.search(r"valid for 3 days, until \d{4}-\d\d-\d\d \d\d:\d\d UTC", out), out
    assert "0:00:00" not in out and "a delegate of BRB" in out
    out = cli("admin", "invite", "create", "--role", "secretariat", "--hours", "30")
    assert "valid for 1 day and 6 hours, until" in out
    for hours in ("0", "-1", "100000"):
        result = invoke(
            ["admin", "invite", "create", "--role", "delegate", "--state", "BRB", "--hours", hours]
        )
        assert result.exit_code == 2, (hours, result.output)
        assert "--hours must be a whole number of hours from 1" in result.output
    audit = cli("admin", "audit")
    assert audit.count("invite_created") == 2, "a refused invite is not created"


def test_channels(env: dict[str, str]) -> None:
    assert "No channels registered yet" in cli("admin", "channel", "list")
    assert "registered for audience BRB,JAM" in cli(
        "admin",
        "channel",
        "add",
        "--platform",
        "telegram",
        "--id",
        "-100123",
        "--audience",
        "BRB,JAM",
        "--tag",
        "Maritime",
    )
    listing = cli("admin", "channel", "list")
    assert "telegram:-100123  BRB,JAM  maritime  active" in listing
    assert "Unknown state or partner code(s): ZZZ" in cli_fails(
        "admin", "channel", "add", "--platform", "slack", "--id", "C1", "--audience", "BRB,ZZZ"
    )
    assert "removed" in cli("admin", "channel", "remove", "1")
    assert "No active channel #1" in cli_fails("admin", "channel", "remove", "1")


def test_piped_session_join_report_share_unshare(env: dict[str, str]) -> None:
    """The acceptance path: other states see nothing; after unshare, nor does the grantee."""
    invite = {
        state: cli("admin", "invite", "create", "--state", state, "--role", role).splitlines()[-1]
        for state, role in (("BRB", "focal_point"), ("JAM", "delegate"), ("TTO", "delegate"))
    }
    alice = chat(
        env,
        "alice",
        [
            f"join {invite['BRB']}",
            "report Go-fast boat with suspected cocaine landed at a private beach",
            "/report",
            "6",  # Maritime security (buttons are numbered)
            "3",  # High
            "Fishing vessel without AIS loitering near the oil terminal",
            "Off Speightstown",
            "now",
            "2",  # GREEN
            "1",  # Save
            "share BRB-0001 JAM",
        ],
    )
    assert "Filed BRB-0001" in alice and "Saved BRB-0002 · TLP:GREEN" in alice
    assert "Shared BRB-0001 with JAM." in alice
    bob = chat(
        env, "bob", [f"join {invite['JAM']}", "reports", "incident BRB-0001", "incident BRB-0002"]
    )
    assert "Go-fast boat" in bob and "Fishing vessel" not in bob
    assert "can't find a report BRB-0002" in bob
    carol = chat(env, "carol", [f"join {invite['TTO']}", "reports", "incident BRB-0001"])
    assert "Go-fast" not in carol and "none" in carol and "can't find a report BRB-0001" in carol
    assert "JAM can no longer see BRB-0001." in chat(env, "alice", ["unshare BRB-0001 JAM"])
    bob_after = chat(env, "bob", ["reports", "incident BRB-0001"])
    assert "Go-fast" not in bob_after and "can't find a report BRB-0001" in bob_after
