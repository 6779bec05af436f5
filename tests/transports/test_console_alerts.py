"""The console as a platform alerts reach: a console room registered with `admin channel add
--platform console` receives alerts in its mailbox, every session in that room shows them once
per account, acknowledging works as elsewhere, and a session's buttons outlive the session."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from sqlalchemy import select

from secbot.alerts import outbox
from secbot.alerts.outbox import Policy
from secbot.config import Settings
from secbot.db.models import AlertDelivery
from secbot.db.session import Database
from secbot.domain.enums import DeliveryStatus, Role
from secbot.engine.engine import Engine
from secbot.transports.console import ConsoleChat
from secbot.transports.console_rooms import CONSOLE_LIMITS, Mailboxes, deliver_due
from secbot.transports.console_rooms import deliverer as console_deliverer
from tests.support.cli import cli, cli_fails
from tests.support.world import World

ALERT = (
    "alert", "send", "--headline", "Storm warning for the northern islands",
    "--body", "Tropical storm expected within 36 hours. Secure small craft.",
    "--severity", "Severe", "--audience", "all",
)  # fmt: skip


def session(db: Database, data: Path, name: str, room: str | None, lines: list[str]) -> str:
    """One `secbot chat --as NAME [--group ROOM]` session, as the CLI builds it."""
    settings = Settings(data_dir=data, database_url=db.engine.url.render_as_string(False))
    chat = ConsoleChat(
        Engine(db), name, chat=room, data_dir=data, deliver=console_deliverer(settings, db)
    )
    out = io.StringIO()
    chat.run(lines, out)
    return out.getvalue()


def test_a_console_room_receives_an_alert_and_its_acknowledgement_is_recorded(
    db: Database, env: dict[str, str]
) -> None:
    data = Path(env["SECBOT_DATA_DIR"])
    world = World(db)
    world.member("bob", Role.DELEGATE, "JAM")
    world.member("cy", Role.DELEGATE, "BRB")
    cli("admin", "channel", "add", "--platform", "console", "--audience", "all", "--id", "ops")

    preview = cli_fails(*ALERT)
    assert "Would reach 1 channel (1 Console)" in preview, preview
    sent = cli(*ALERT, "--yes")
    assert "A-1 queued for 1 channel (1 Console)" in sent, sent
    assert "Delivered to 1 console chat." in sent, sent
    box = Mailboxes(data).read("ops")
    assert len(box) == 1 and "Storm warning" in box[0].text

    first = session(db, data, "bob", "ops", ["1"])
    assert "⚠ ALERT A-1" in first and "[1] ✔ Acknowledge" in first, first
    assert "✔ bob acknowledged A-1." in first, first
    again = session(db, data, "bob", "ops", [])
    assert "ALERT" not in again, "an account sees each alert once"
    other = session(db, data, "cy", "ops", [])
    assert "⚠ ALERT A-1" in other, "every account in the room sees it, later too"

    shown = cli("alert", "show", "A-1")
    assert "Delivered 1/1" in shown and "bob (JAM)" in shown, shown
    with db.transaction() as s:
        delivery = s.scalars(select(AlertDelivery)).one()
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.platform_message_id == f"console:{delivery.id}"


def test_a_state_alert_skips_a_console_room_of_another_state(
    db: Database, env: dict[str, str]
) -> None:
    data = Path(env["SECBOT_DATA_DIR"])
    cli("admin", "channel", "add", "--platform", "console", "--audience", "JAM", "--id", "jam")
    cli("admin", "channel", "add", "--platform", "console", "--audience", "BRB", "--id", "brb")
    args = [a if a != "all" else "BRB" for a in ALERT]
    assert "1 channel (1 Console)" in cli(*args, "--yes")
    assert Mailboxes(data).read("jam") == []
    assert len(Mailboxes(data).read("brb")) == 1


def test_a_kill_between_writing_and_recording_delivers_once(
    db: Database, env: dict[str, str]
) -> None:
    """The mailbox line is the platform's copy: a delivery taken over after its worker died
    finds its own line and is recorded as sent, not written again."""
    data = Path(env["SECBOT_DATA_DIR"])
    cli("admin", "channel", "add", "--platform", "console", "--audience", "all", "--id", "ops")
    mailboxes = Mailboxes(data)
    # Queue without delivering: the CLI delivers at once, so claim through a dead worker first.
    cli(*ALERT, "--yes")
    with db.transaction() as s:
        for delivery in s.scalars(select(AlertDelivery)):
            delivery.status = DeliveryStatus.PENDING
    mailboxes.path("ops").unlink()
    dead = Policy(lease=0.0)
    with db.transaction() as s:
        claimed, _ = outbox.claim(
            s, "console", worker="dead", room=5, limits=CONSOLE_LIMITS, policy=dead,
            now=time.time(), postgres=db.is_postgres,
        )  # fmt: skip
    assert len(claimed) == 1
    mailboxes.deliver(claimed[0])  # written, then the process dies before recording it
    assert deliver_due(db, mailboxes, policy=dead) == 1
    lines = mailboxes.path("ops").read_text().splitlines()
    assert len(lines) == 1, lines
    assert json.loads(lines[0])["delivery"] == claimed[0].delivery_id
    with db.transaction() as s:
        assert s.scalars(select(AlertDelivery)).one().status == DeliveryStatus.SENT


def test_buttons_offered_in_one_session_work_in_the_next(db: Database, env: dict[str, str]) -> None:
    data = Path(env["SECBOT_DATA_DIR"])
    World(db).member("fay", Role.FOCAL_POINT, "BRB")
    opened = session(db, data, "fay", None, ["report"])
    assert "[1]" in opened, opened
    question = opened.strip().splitlines()
    resumed = session(db, data, "fay", None, [])
    assert resumed.startswith("Where we left off:"), resumed
    assert question[-1] in resumed, (question, resumed)
    pressed = session(db, data, "fay", None, ["1"])
    assert "answers nothing" not in pressed and "don't know" not in pressed, pressed


def test_a_number_with_nothing_open_is_explained(db: Database, env: dict[str, str]) -> None:
    data = Path(env["SECBOT_DATA_DIR"])
    World(db).member("gil", Role.DELEGATE, "JAM")
    reply = session(db, data, "gil", None, ["2"])
    assert "“2” answers nothing" in reply, reply
