"""`secbot brief --as NAME` in every format, for a console member, and its refusals."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import Role
from tests.support.cli import cli, cli_fails
from tests.support.seed import add_incident
from tests.support.world import World


@pytest.mark.usefixtures("env")
def test_formats_and_refusals(db: Database, tmp_path: Path) -> None:
    world = World(db)
    world.member("bob", Role.DELEGATE, "JAM")
    with db.transaction() as session:
        mine = add_incident(session, owner="JAM", occurred_at=utcnow() - timedelta(days=3))
        other = add_incident(
            session, owner="TTO", occurred_at=utcnow() - timedelta(days=3), title="Secret thing"
        )
    data = json.loads(cli("brief", "--as", "bob", "--period", "30d", "--format", "json"))
    assert data["incidents"] == [mine] and data["total"] == 1 and data["tlp"] == "GREEN"
    assert other not in json.dumps(data)
    assert "# TLP:GREEN" in cli("brief", "--as", "bob")
    out = tmp_path / "b.pdf"
    cli("brief", "--as", "bob", "--format", "pdf", "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    csv_text = cli("brief", "--as", "bob", "--format", "csv", "--states", "JAM")
    assert mine in csv_text and other not in csv_text
    assert "not a member" in cli_fails("brief", "--as", "nobody")
    assert "period" in cli_fails("brief", "--as", "bob", "--period", "5y")
    assert "XYZ" in cli_fails("brief", "--as", "bob", "--states", "XYZ")
