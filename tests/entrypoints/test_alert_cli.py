"""`secbot alert send/list/show/export` as an operator or a weather feed would run them."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import func, select

from secbot.db.models import Alert, AlertDelivery
from secbot.db.session import Database
from tests.support.cli import cli, cli_fails

XSD = Path(__file__).resolve().parents[1] / "data" / "cap" / "CAP-v1.2.xsd"
SEND = [
    "alert",
    "send",
    "--headline",
    "Tropical storm warning for the northern islands",
    "--body",
    "Storm surge of 2 m expected within 24 hours. Follow national guidance.",
    "--severity",
    "Severe",
    "--urgency",
    "Immediate",
    "--category",
    "Met",
]


def _alerts(db: Database) -> tuple[int, int]:
    with db.transaction() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Alert)) or 0),
            int(session.scalar(select(func.count()).select_from(AlertDelivery)) or 0),
        )


@pytest.mark.usefixtures("env")
def test_send_previews_without_yes_and_is_idempotent_with_a_key(
    db: Database, tmp_path: Path
) -> None:
    cli(
        "admin",
        "channel",
        "add",
        "--platform",
        "telegram",
        "--id",
        "-100",
        "--audience",
        "all",
        "--tag",
        "weather",
    )
    cli(
        "admin",
        "channel",
        "add",
        "--platform",
        "slack",
        "--id",
        "C1",
        "--workspace",
        "T1",
        "--audience",
        "BRB",
    )
    cli("admin", "channel", "add", "--platform", "telegram", "--id", "-200", "--audience", "JAM")
    preview = cli_fails(*SEND, "--audience", "all")
    assert "Would reach 3 channels (1 Slack, 2 Telegram). Add --yes to send." in preview
    assert _alerts(db) == (0, 0)
    sent = cli(*SEND, "--audience", "BRB", "--yes", "--key", "nhc-al092026-adv12")
    assert sent.strip() == "A-1 queued for 1 channel (1 Slack)"
    again = cli(*SEND, "--audience", "BRB", "--yes", "--key", "nhc-al092026-adv12")
    assert "already queued earlier" in again
    assert _alerts(db) == (1, 1)
    tagged = cli(*SEND, "--audience", "all", "--tag", "weather", "--yes")
    assert "A-2 queued for 1 channel (1 Telegram)" in tagged
    listing = cli("alert", "list")
    assert "A-2" in listing and "sent 0/1" in listing
    status = cli("alert", "show", "A-1")
    assert "slack C1 (BRB): pending" in status

    out = tmp_path / "a1.xml"
    cli("alert", "export", "A-1", "--format", "cap", "--output", str(out))
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(str(out))
    data = schema.to_dict(str(out))
    info = data["info"][0] if isinstance(data["info"], list) else data["info"]
    assert data["scope"] == "Restricted" and "BRB" in data["restriction"]
    assert info["severity"] == "Severe" and info["category"] == ["Met"]
    assert [a["areaDesc"] for a in info["area"]] == ["Barbados"]
    assert info["event"] == "Weather" and info["senderName"] == "Regional security secretariat"
    assert out.read_bytes().endswith(b"</alert>\n")


@pytest.mark.usefixtures("env")
def test_bad_input_is_refused_politely_and_writes_nothing(db: Database) -> None:
    cli("admin", "channel", "add", "--platform", "telegram", "--id", "-100", "--audience", "all")
    bad = cli_fails(
        "alert",
        "send",
        "--headline",
        "x",
        "--body",
        "y",
        "--severity",
        "Huge",
        "--audience",
        "XYZ",
        "--expires",
        "yesterday",
        "--yes",
    )
    for part in (
        "headline needs a few words",
        "message needs a few words",
        "Severity is one of",
        "Unknown state or partner code(s): XYZ",
        "expiry",
    ):
        assert part in bad
    assert "Traceback" not in bad
    nobody = cli_fails(*SEND, "--audience", "TTO", "--yes")
    assert "No registered channel matches" in nobody
    preview = cli_fails(*SEND, "--audience", "TTO")
    assert "nobody would receive this alert" in preview and "Add --yes" not in preview
    assert _alerts(db) == (0, 0)
    assert "only export format" in cli_fails("alert", "export", "1", "--format", "json")
    assert "can't find an alert A-7" in cli_fails("alert", "export", "A-7")
