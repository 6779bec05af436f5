"""STIX 2.1 out (checked by the OASIS validator) and in: labels kept, never widened; a bad bundle
refused whole with the object and the reason; a round trip between two secbot databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_string

from secbot.access.principal import Place
from secbot.db.models import ReportLink, ReportUpdate, Submission
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.domain.enums import TLP, Role
from secbot.identity import accounts
from secbot.interchange.stix_in import import_bundle
from secbot.interchange.tlp import TLP1_IDS, TLP2_IDS
from tests.support.cli import cli, cli_fails
from tests.support.world import Chat, World


def _bundle(chat: Chat) -> dict[str, Any]:
    replies = chat.send("export stix")
    file = replies[0].attachments[0]
    assert file.filename.endswith(".stix.json")
    return dict(json.loads(file.data))


def _valid(bundle: dict[str, Any]) -> None:
    result = validate_string(json.dumps(bundle), ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for r in result.object_results for e in r.errors]


def _brb(world: World) -> Chat:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Fishing boat capsized off Bathsheba, two crew rescued")
    alice.say("edit BRB-0001 tlp green")
    alice.say("report Phishing wave against the tax office")
    alice.say("edit BRB-0002 tlp red")
    alice.say("report Container with undeclared chemicals at Bridgetown port")
    alice.say("edit BRB-0003 tlp amber+strict")
    alice.say("update BRB-0001 Third crew member found safe")
    alice.say("link BRB-0001 RT-05")
    alice.say("threat add Drones over the prison at night")
    alice.say("link BRB-0003 BRB-T01")
    return alice


def _objects(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_export_is_a_valid_bundle_with_tlp2_markings(world: World) -> None:
    bundle = _bundle(_brb(world))
    _valid(bundle)
    (identity,) = _objects(bundle, "identity")
    incidents = {
        o["external_references"][0]["external_id"]: o for o in _objects(bundle, "incident")
    }
    assert sorted(incidents) == ["BRB-0001", "BRB-0002", "BRB-0003"]
    assert all(o["created_by_ref"] == identity["id"] for o in incidents.values())
    labels = {pid: o["object_marking_refs"] for pid, o in incidents.items()}
    assert labels == {
        "BRB-0001": [TLP2_IDS[TLP.GREEN]],
        "BRB-0002": [TLP2_IDS[TLP.RED]],
        "BRB-0003": [TLP2_IDS[TLP.AMBER_STRICT]],
    }
    marks = {o["id"] for o in _objects(bundle, "marking-definition")}
    assert {ref for refs in labels.values() for ref in refs} <= marks
    assert [n["content"] for n in _objects(bundle, "note")] == ["Third crew member found safe"]
    related = [
        r for r in _objects(bundle, "relationship") if r["relationship_type"] == "related-to"
    ]
    patterns = {
        p["id"]: p["external_references"][0]["external_id"]
        for p in _objects(bundle, "attack-pattern")
    }
    assert sorted(patterns[r["target_ref"]] for r in related) == ["BRB-T01", "RT-05"]
    assert _objects(bundle, "location")


def test_round_trip_into_another_database_keeps_every_label(
    world: World, sqlite_template: Path, tmp_path: Path
) -> None:
    bundle = _bundle(_brb(world))
    path = tmp_path / "other.sqlite3"
    shutil.copy(sqlite_template, path)
    other_db = Database.from_url(f"sqlite:///{path}")
    try:
        other = World(other_db)
        bob = other.member("bob", Role.FOCAL_POINT, "JAM")
        file = tmp_path / "brb.json"
        file.write_text(json.dumps(bundle))
        with other_db.transaction() as session:
            who = accounts.principal_for(
                session, accounts.Account("console", "", "bob"), Place.direct()
            )
            result = import_bundle(session, who, file.read_bytes(), utcnow())
        assert result.reports == ["JAM-0001", "JAM-0002", "JAM-0003"] and result.threats == [
            "JAM-T01"
        ]
        again = _bundle(bob)
        _valid(again)
        by_title = {o["name"]: o["object_marking_refs"] for o in _objects(again, "incident")}
        before = {o["name"]: o["object_marking_refs"] for o in _objects(bundle, "incident")}
        assert by_title == before
        assert [n["content"] for n in _objects(again, "note")] == ["Third crew member found safe"]
        assert "JAM-0001" in bob.say("incident JAM-0001")
        with other_db.transaction() as session:
            codes = sorted(session.scalars(select(ReportLink.threat_code)))
        assert codes == ["JAM-T01", "RT-05"]
        assert "TLP:RED" in bob.say("incident JAM-0002")
    finally:
        other_db.dispose()


def _counts(db: Database) -> tuple[int, int]:
    with db.transaction() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Submission)) or 0),
            int(session.scalar(select(func.count()).select_from(ReportUpdate)) or 0),
        )


def _incident(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": f"incident--00000000-0000-4000-8000-00000000000{n}",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": f"Partner incident {n}",
        **extra,
    }


@pytest.mark.usefixtures("env")
def test_bad_bundles_are_refused_whole_with_the_object_and_the_reason(
    world: World, db: Database, tmp_path: Path
) -> None:
    world.member("bob", Role.FOCAL_POINT, "JAM")
    before = _counts(db)
    file = tmp_path / "b.json"
    cases = {
        "not json": (b"{nope", "not JSON"),
        "not a bundle": (json.dumps({"type": "incident"}).encode(), '"type": "bundle"'),
        "empty": (
            json.dumps({"type": "bundle", "id": "bundle--x", "objects": []}).encode(),
            "nothing",
        ),
    }
    for why, (data, expected) in cases.items():
        file.write_bytes(data)
        assert expected in cli_fails("import", "--as", "bob", str(file)), why
    broken = _incident(2)
    del broken["name"]
    good = _incident(1)
    file.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": [good, broken]}))
    out = cli_fails("import", "--as", "bob", str(file))
    assert broken["id"] in out and "name" in out
    odd = _incident(
        3, object_marking_refs=["marking-definition--11111111-1111-4111-8111-111111111111"]
    )
    file.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": [good, odd]}))
    out = cli_fails("import", "--as", "bob", str(file))
    assert odd["id"] in out and "marking" in out
    assert _counts(db) == before


@pytest.mark.usefixtures("env")
def test_import_labels_are_the_strictest_given_and_never_wider(
    world: World, db: Database, tmp_path: Path
) -> None:
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    amber1 = next(k for k, v in TLP1_IDS.items() if v == "AMBER")
    objects = [
        _incident(1),  # no marking: secbot's default, AMBER
        _incident(2, object_marking_refs=[amber1]),  # TLP 1.0 AMBER, not in the bundle
        _incident(3, object_marking_refs=[TLP2_IDS[TLP.GREEN], TLP2_IDS[TLP.RED]]),
    ]
    file = tmp_path / "b.json"
    file.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects}))
    assert "Imported 3 reports (JAM-0001, JAM-0002, JAM-0003)" in cli(
        "import", "--as", "bob", str(file)
    )
    with db.transaction() as session:
        rows = session.execute(
            select(Submission.public_id, Submission.tlp).order_by(Submission.public_id)
        )
        assert [tuple(r) for r in rows] == [
            ("JAM-0001", "AMBER"),
            ("JAM-0002", "AMBER"),
            ("JAM-0003", "RED"),
        ]
    assert "JAM-0003" not in world.member("carol", Role.DELEGATE, "BRB").say("reports")
    assert "not a member" in cli_fails("import", "--as", "nobody", str(file))
    world.member("dan", Role.DELEGATE, "JAM")
    assert "focal points" in cli_fails("import", "--as", "dan", str(file))
    assert "JAM-0001" in bob.say("mine")


@pytest.mark.usefixtures("env")
def test_import_takes_the_strictest_label_of_everything_copied_into_a_report(
    world: World, db: Database, tmp_path: Path
) -> None:
    """Granular markings, `tlp:` labels and the markings of notes and locations copied into a
    report all count: an import is never wider than the bundle (security review F2)."""
    world.member("bob", Role.FOCAL_POINT, "JAM")
    red, green = TLP2_IDS[TLP.RED], TLP2_IDS[TLP.GREEN]
    granular = {"marking_ref": red, "selectors": ["description"]}
    note = {
        "type": "note",
        "spec_version": "2.1",
        "id": "note--00000000-0000-4000-8000-000000000009",
        "created": "2026-11-01T11:00:00.000Z",
        "modified": "2026-11-01T11:00:00.000Z",
        "content": "The informant's name",
        "object_refs": ["incident--00000000-0000-4000-8000-000000000003"],
        "object_marking_refs": [red],
    }
    objects = [
        _incident(1, object_marking_refs=[green], granular_markings=[granular], description="x"),
        _incident(2, labels=["tlp:red"]),
        _incident(3, object_marking_refs=[green]),
        note,
    ]
    file = tmp_path / "b.json"
    file.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects}))
    assert "Imported 3 reports" in cli("import", "--as", "bob", str(file))
    with db.transaction() as session:
        rows = session.execute(select(Submission.tlp).order_by(Submission.public_id))
        assert [r[0] for r in rows] == ["RED", "RED", "RED"]
