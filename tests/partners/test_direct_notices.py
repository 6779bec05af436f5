"""Direct notices of the co-ordination log: a task's party and everyone who sees a report with
a need are told in their direct chat, through the real transports against the local fakes;
a notice is committed with its entry, so a restart between commit and delivery sends it once,
and it tells nobody the access layer refuses."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_string

from secbot.db.models import DirectNotice, Member
from secbot.domain.enums import Role
from secbot.engine.engine import Engine
from secbot.transports.console import ConsoleChat
from secbot.transports.console_rooms import DirectMailboxes, deliver_notices
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegramServer
from tests.partners.test_combined_response import add_cdema
from tests.support.world import Chat, World
from tests.transports.conftest import Running

JAM_TG = 2002
TTO_TG = 3003


def notices(world: World) -> list[DirectNotice]:
    with world.db.transaction() as session:
        rows = list(session.scalars(select(DirectNotice).order_by(DirectNotice.id)))
        session.expunge_all()
        return rows


def start_slack(start_bot: Callable[..., Running], slack: FakeSlackServer) -> Running:
    return start_bot(
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr("slack-signing-secret"),
        slack_api_url=slack.base_url,
    )


def brb_and_cdema_on_slack(world: World) -> Chat:
    """BRB's focal point on the console and a CDEMA partner member (UCDEMA) on Slack."""
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    cdema = world.chat("UCDEMA", platform="slack")
    assert "Welcome" in cdema.say(f"join {world.invite(Role.PARTNER, 'CDEMA')}")
    return brb


def shared_report(world: World) -> World:
    """BRB (console) files a report and shares it with JAM; JAM's focal point is on Telegram,
    TTO's (who may not see it) too."""
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    for user, state in ((JAM_TG, "JAM"), (TTO_TG, "TTO")):
        chat = world.chat(str(user), platform="telegram")
        assert "Welcome" in chat.say(f"join {world.invite(Role.FOCAL_POINT, state)}")
    assert "BRB-0001" in brb.say("report Unlit vessel drifting off North Point")
    brb.say("share BRB-0001 JAM")
    return world


def test_a_task_reaches_telegram_once_across_a_restart(
    world: World, telegram: FakeTelegramServer, start_bot: Callable[..., Running]
) -> None:
    shared_report(world)
    brb = world.chat("brb")
    # Committed with no bot running: as if killed between the commit and the delivery.
    assert "Task BRB-0001/1 for JAM added" in brb.say("task BRB-0001 JAM Patrol the north coast")
    (pending,) = notices(world)
    assert pending.sent_at is None and pending.user_id == str(JAM_TG)

    settings = {"telegram_token": SecretStr("123:t"), "telegram_base_url": telegram.url}
    bot = start_bot(**settings)
    telegram.wait_for("sendMessage", 1, timeout=20)
    (sent,) = telegram.sent(JAM_TG)
    text = str(sent["text"])
    assert "Task BRB-0001/1 for JAM" in text and "Patrol the north coast" in text, text
    assert "respond BRB-0001" in text and "TLP:" in text
    deadline = time.monotonic() + 10
    while notices(world)[0].sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    bot.stop()

    start_bot(**settings)  # a restart: the notice is recorded as sent, nothing goes again
    time.sleep(1.5)
    assert len(telegram.sent(JAM_TG)) == 1
    assert not telegram.sent(TTO_TG), "TTO may not see BRB-0001: never told"


def test_a_need_reaches_everyone_who_sees_the_report_on_slack(
    world: World, slack: FakeSlackServer, start_bot: Callable[..., Running]
) -> None:
    brb = brb_and_cdema_on_slack(world)
    outsider = world.chat("UTTO", platform="slack")
    assert "Welcome" in outsider.say(f"join {world.invite(Role.FOCAL_POINT, 'TTO')}")
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 CDEMA")
    slack.fail_next("chat.postMessage", error="internal_error")  # refused once: tried again
    start_slack(start_bot, slack)
    assert "Added a need" in brb.say("need BRB-0001 A boat with a medical team")
    # The bot's engine is another one, but the notice is in the database: the worker sends it.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        posted = [c.params for c in slack.calls_to("chat.postMessage") if c.status == 200]
        if posted:
            break
        time.sleep(0.1)
    assert [p["channel"] for p in posted] == ["UCDEMA"], posted
    assert "Need posted on BRB-0001 by BRB: A boat with a medical team" in str(posted[0]["text"])
    assert all(c.params.get("channel") != "UTTO" for c in slack.calls_to("chat.postMessage"))


def test_console_notices_go_to_the_direct_mailbox_once(world: World, tmp_path: Path) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    world.member("cdema", Role.PARTNER_ADMIN, "CDEMA")
    world.member("tto", Role.FOCAL_POINT, "TTO")
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 CDEMA")
    brb.say("task BRB-0001 CDEMA Sample the water at the outfall")
    brb.say("need BRB-0001 Lab capacity for 20 samples")
    assert [n.user_id for n in notices(world)] == ["cdema", "cdema"]
    mailboxes = DirectMailboxes(tmp_path)
    assert deliver_notices(world.db, mailboxes) == 2
    assert deliver_notices(world.db, mailboxes) == 0, "sent once"
    assert world.engine is not None
    engine: Engine = world.engine
    session = ConsoleChat(engine, "cdema", data_dir=tmp_path)
    shown = session.arrivals()
    assert "Task BRB-0001/1 for CDEMA, from BRB: Sample the water" in shown, shown
    assert "Need posted on BRB-0001 by BRB: Lab capacity" in shown
    assert session.arrivals() == "", "shown once"
    assert ConsoleChat(engine, "tto", data_dir=tmp_path).arrivals() == ""


def test_unsharing_before_delivery_stops_the_notice(world: World, tmp_path: Path) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    world.member("cdema", Role.PARTNER, "CDEMA")
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 CDEMA")
    brb.say("task BRB-0001 CDEMA Sample the water")
    brb.say("unshare BRB-0001 CDEMA")
    mailboxes = DirectMailboxes(tmp_path)
    assert deliver_notices(world.db, mailboxes) == 0
    assert mailboxes.read("cdema") == []
    (closed,) = notices(world)
    assert closed.sent_at is not None and "no longer" in closed.last_error


def test_a_need_on_a_report_shared_with_all_never_tells_a_partner(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    world.member("brb2", Role.STATE_ADMIN, "BRB")
    world.member("jam", Role.FOCAL_POINT, "JAM")
    world.member("cdema", Role.PARTNER_ADMIN, "CDEMA")
    brb.say("report Informant names a courier")
    brb.say("share BRB-0001 all")
    brb.say("need BRB-0001 Someone who speaks Papiamento")
    told = {n.user_id for n in notices(world)}
    assert "jam" in told and "cdema" not in told, told
    assert not told & {"brb", "brb2"}, "the poster's own party is not told its own need"


def test_the_log_travels_with_its_report_and_a_partner_exports_its_own(world: World) -> None:
    """The owner's export carries every party's entries on its report (marked with the author's
    party); a partner exports its own observations and their logs, nothing it was shared."""
    add_cdema(world.db)
    brb = world.member("brb", Role.FOCAL_POINT, "BRB")
    jam = world.member("jam", Role.FOCAL_POINT, "JAM")
    cdema = world.member("cdema", Role.PARTNER, "CDEMA")
    brb.say("report Unlit vessel drifting off North Point")
    brb.say("share BRB-0001 JAM CDEMA")
    jam.say("task BRB-0001 JAM Patrol the north coast tonight")
    cdema.say("offer BRB-0001 One rescue boat from Bridgetown")
    cdema.say("report Damaged buoy at the harbour mouth")
    cdema.say("log CDEMA-0001 Buoy tender dispatched")
    jam.say("log BRB-0001 Patrol found nothing")

    brb.send("export json")
    (made,) = brb.last[0].attachments
    data = json.loads(made.data)
    (report,) = data["reports"]
    assert [(e["entry"], e["kind"], e["party"]) for e in report["log"]] == [
        ("BRB-0001/1", "task", "JAM"),
        ("BRB-0001/2", "offer", "CDEMA"),
        ("BRB-0001/3", "log", "JAM"),
    ]
    assert report["log"][0]["assignee"] == "JAM" and report["log"][0]["author"] is None
    assert "Buoy" not in made.data.decode()

    brb.send("export stix")
    stix = json.loads(brb.last[0].attachments[0].data)
    notes = [o for o in stix["objects"] if o["type"] == "note" and "x_secbot_log_kind" in o]
    assert {n["content"] for n in notes} >= {"One rescue boat from Bridgetown"}
    assert {n["x_secbot_party"] for n in notes} == {"JAM", "CDEMA"}
    checked = validate_string(json.dumps(stix), ValidationOptions(version="2.1"))
    assert checked.is_valid, [str(e) for r in checked.object_results for e in r.errors]

    reply = cdema.say("export json")
    assert "CDEMA submitted: 1 reports" in reply, reply
    (own,) = cdema.last[0].attachments
    exported = json.loads(own.data)
    assert [r["id"] for r in exported["reports"]] == ["CDEMA-0001"]
    assert exported["reports"][0]["log"][0]["body"] == "Buoy tender dispatched"
    assert "Unlit vessel" not in own.data.decode() and "rescue boat" not in own.data.decode()


def test_erasing_a_report_erases_its_notices(world: World) -> None:
    add_cdema(world.db)
    brb = world.member("brb", Role.STATE_ADMIN, "BRB")
    world.member("cdema", Role.PARTNER, "CDEMA")
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 CDEMA")
    brb.say("task BRB-0001 CDEMA Sample the water at the outfall")
    assert len(notices(world)) == 1
    assert "Erased BRB-0001" in brb.say("erase BRB-0001 confirm")
    assert notices(world) == []


def test_a_notice_after_an_erasure_is_not_taken_for_an_erased_one(
    world: World, tmp_path: Path
) -> None:
    """The console mailbox knows a notice by its id; SQLite must not give an erased id again."""
    add_cdema(world.db)
    brb = world.member("brb", Role.STATE_ADMIN, "BRB")
    world.member("cdema", Role.PARTNER, "CDEMA")
    mailboxes = DirectMailboxes(tmp_path)
    for n, words in ((1, "Oil sheen near the harbour"), (2, "Goats loose on the airstrip")):
        assert f"BRB-000{n}" in brb.say(f"report {words}")
        brb.say(f"share BRB-000{n} CDEMA")
    brb.say("task BRB-0002 CDEMA Sample the water at the outfall")
    assert deliver_notices(world.db, mailboxes) == 1
    assert "Erased BRB-0002" in brb.say("erase BRB-0002 confirm")
    brb.say("task BRB-0001 CDEMA Count the birds on the shore")
    assert deliver_notices(world.db, mailboxes) == 1
    texts = [d.text for d in mailboxes.read("cdema")]
    assert any("Count the birds" in t for t in texts), texts


def test_a_slack_member_of_another_workspace_is_not_messaged(
    world: World, slack: FakeSlackServer, start_bot: Callable[..., Running]
) -> None:
    brb = brb_and_cdema_on_slack(world)
    with world.db.transaction() as session:
        member = session.scalars(select(Member).where(Member.user_id == "UCDEMA")).one()
        member.workspace = "TELSEWHERE"
    brb.say("report Oil sheen near the harbour")
    brb.say("share BRB-0001 CDEMA")
    start_slack(start_bot, slack)
    assert "Added a need" in brb.say("need BRB-0001 A boat with a medical team")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not notices(world)[0].last_error:
        time.sleep(0.1)
    assert "TELSEWHERE" in notices(world)[0].last_error
    assert all(c.params.get("channel") != "UCDEMA" for c in slack.calls_to("chat.postMessage"))
