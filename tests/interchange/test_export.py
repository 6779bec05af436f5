"""`export` in a direct message and `secbot export --as`: a state's own data, every field, and
nothing of any other state's (not even what was shared with it)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from secbot.db.models import AuditEvent
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.cli import cli, cli_fails
from tests.support.world import Chat, World

JAM_SECRET = "Kestrel cargo manifest forged at Kingston"


def _seed(world: World) -> tuple[Chat, Chat, Chat]:
    """BRB files two reports (one updated, linked, shared then partly unshared) and an entry of
    its own; JAM files one and shares it with BRB; JAM and the secretariat read BRB's."""
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Fishing boat capsized off Bathsheba, two crew rescued")
    alice.say("report Phishing wave against the tax office")
    alice.say("update BRB-0001 Third crew member found safe")
    alice.say("link BRB-0001 RT-05")
    alice.say("threat add Drones over the prison at night")
    alice.say("share BRB-0001 JAM secretariat")
    alice.say("unshare BRB-0001 secretariat")
    bob.say(f"report {JAM_SECRET}")
    bob.say("share JAM-0001 BRB")
    bob.say("threat add Kestrel smuggling ring")
    bob.say("share JAM-T01 BRB")
    alice.say("incident JAM-0001")  # BRB reads JAM's: that read is JAM's, not BRB's
    bob.say("incident BRB-0001")
    return alice, bob, sam


def _export(chat: Chat, fmt: str = "json") -> tuple[str, Any]:
    replies = chat.send(f"export {fmt}")
    assert len(replies) == 1 and len(replies[0].attachments) == 1, chat.world.dump()
    return replies[0].text, replies[0].attachments[0]


def test_json_export_holds_everything_brb_submitted_and_nothing_else(world: World) -> None:
    alice, _, _ = _seed(world)
    text, file = _export(alice)
    assert "2 reports" in text and "1 reads" in text
    assert file.filename.endswith(".json") and file.mime == "application/json"
    data = json.loads(file.data)
    assert data["state"] == "BRB" and data["format"] == "secbot-state-export"
    first, second = data["reports"]
    assert first["id"] == "BRB-0001" and second["id"] == "BRB-0002"
    assert first["title"].startswith("Fishing boat capsized") and first["tlp"] == "AMBER"
    assert [u["body"] for u in first["updates"]] == ["Third crew member found safe"]
    assert [ln["threat_code"] for ln in first["links"]] == ["RT-05"]
    assert [(s["grantee"], s["revoked_at"] is None) for s in first["shares"]] == [
        ("JAM", True),
        ("*secretariat", False),
    ]
    assert first["shares"][0]["granted_by"] == "alice (console)"
    assert [t["id"] for t in data["threats"]] == ["BRB-T01"]
    assert [(r["report"], r["reader_party"]) for r in data["reads"]] == [("BRB-0001", "JAM")]
    raw = file.data.decode()
    for foreign in ("JAM-0001", "JAM-T01", "Kestrel", "bob (console)"):
        assert foreign not in raw, foreign


def test_csv_export_is_one_file_per_kind_in_a_zip(world: World) -> None:
    alice, _, _ = _seed(world)
    _, file = _export(alice, "csv")
    assert file.mime == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(file.data))
    names = sorted(n.split("/", 1)[1] for n in archive.namelist())
    assert names == [
        "README.txt", "links.csv", "log.csv", "reads.csv", "reports.csv", "shares.csv",
        "threats.csv", "updates.csv",
    ]  # fmt: skip

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(f"BRB-export/{name}").decode())))

    assert [r["id"] for r in rows("reports.csv")] == ["BRB-0001", "BRB-0002"]
    assert [r["body"] for r in rows("updates.csv")] == ["Third crew member found safe"]
    assert [r["grantee"] for r in rows("shares.csv")] == ["JAM", "*secretariat"]
    assert [r["reader_party"] for r in rows("reads.csv")] == ["JAM"]
    assert all("Kestrel" not in archive.read(n).decode() for n in archive.namelist())


def test_csv_cells_that_look_like_formulas_are_quoted(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report =HYPERLINK(evil) boat seen off Oistins")
    _, file = _export(alice, "csv")
    archive = zipfile.ZipFile(io.BytesIO(file.data))
    row = next(csv.DictReader(io.StringIO(archive.read("BRB-export/reports.csv").decode())))
    assert row["title"].startswith("'=")


def test_who_may_export_where_and_how(world: World, db: Database) -> None:
    alice, _, sam = _seed(world)
    dan = world.member("dan", Role.DELEGATE, "BRB")
    assert "focal points and state admins" in dan.say("export")
    assert dan.last[0].attachments == ()
    assert "focal points and state admins" in sam.say("export")
    assert "json, csv or stix" in alice.say("export pdf")
    world.register_group("brb-room", "BRB")
    in_room = alice.in_group("brb-room")
    assert "direct message" in "\n".join(r.text for r in in_room.send("/export"))
    assert all(r.attachments == () for r in in_room.last)
    _export(alice)
    with db.transaction() as session:
        done = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "state_exported"))
        )
    assert [(e.owner_state, e.detail["format"]) for e in done] == [("BRB", "json")]


@pytest.mark.usefixtures("env")
def test_cli_export_in_each_format(world: World, tmp_path: Any) -> None:
    _seed(world)
    data = json.loads(cli("export", "--as", "alice"))
    assert [r["id"] for r in data["reports"]] == ["BRB-0001", "BRB-0002"]
    out = tmp_path / "brb.zip"
    cli("export", "--as", "alice", "--format", "csv", "--output", str(out))
    assert zipfile.is_zipfile(out)
    bundle = json.loads(cli("export", "--as", "bob", "--format", "stix"))
    assert bundle["type"] == "bundle"
    assert "BRB-0001" not in json.dumps(bundle) and "Kestrel" in json.dumps(bundle)
    assert "not a member" in cli_fails("export", "--as", "nobody")
    assert "focal points and state admins" in cli_fails("export", "--as", "sam")
