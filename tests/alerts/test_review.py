"""Security review of secretariat alerts: delivery, views, acks, register, quoting, CLI, Slack.

Each test pins one finding of the review and fails until it is fixed.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from secbot.alerts import compose, outbox
from secbot.alerts.audience import target_channels
from secbot.alerts.outbox import Limits, Policy
from secbot.db.models import Alert, AlertAck, Channel, Draft
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import FormErrors
from secbot.entrypoints.cli import app as cli_app
from tests.fakes.slack_server import FakeSlackServer
from tests.support.alerts import run_until_done, send_alert, senders
from tests.support.cli import cli
from tests.support.world import Chat, World

HEADLINE = "Embassy evacuation notice for Barbados staff"
TG_ROOM = "-1001"


def tg_member(world: World, name: str, role: Role, state: str | None) -> Chat:
    """A member on Telegram, so they can speak in a Telegram group the outbox delivers to."""
    chat = world.chat(name, platform="telegram")
    assert "Welcome" in chat.say(f"join {world.invite(role, state)}")
    return chat


def targets(db: Database, *states: str) -> set[str]:
    with db.transaction() as session:
        found = target_channels(session, AudienceKind.STATES, tuple(states), ())
        return {c.chat_id for c in found}


def alert_values(
    body: str, headline: str = "Vessel of interest near the southern approaches"
) -> dict[str, str]:
    return {
        "headline": headline,
        "body": body,
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Possible",
        "category": "Security",
        "audience": "all",
        "tags": "",
        "expires": "6h",
    }


# -- acks in groups ----------------------------------------------------------------------------


def test_ack_in_a_group_does_not_show_the_room_an_alert_sent_to_other_states(db: Database) -> None:
    """A BRB member typing `ack A-1` in a shared room must not post a BRB-only alert's headline
    (or its existence) to the JAM members there: decision 0009 says alert views are DM-only."""
    world = World(db)
    world.register_group(TG_ROOM, "BRB", platform="telegram")
    world.register_group("g-community", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alert_id = send_alert(db, audience="BRB", headline=HEADLINE)
    for room in ("g-community", "g-unregistered"):
        in_room = alice.in_group(room)
        known = in_room.say(f"ack A-{alert_id}")
        unknown = in_room.say("ack A-999")
        assert "Embassy evacuation" not in known, (room, known)
        assert known.replace(f"A-{alert_id}", "A-X") == unknown.replace("A-999", "A-X"), room


# -- register ----------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["JAM", "all", "secretariat"])
def test_state_admin_cannot_take_over_a_room_registered_for_another_audience(
    db: Database, audience: str
) -> None:
    """`register BRB` by a BRB state admin must not rewrite a room the secretariat registered for
    JAM, all or the secretariat: BRB-only alerts would then reach the other parties there."""
    world = World(db)
    world.register_group(TG_ROOM, audience, platform="telegram")
    ada = tg_member(world, "ada", Role.STATE_ADMIN, "BRB")
    ada.in_group(TG_ROOM).say("register BRB")
    with db.transaction() as session:
        channel = session.scalar(select(Channel).where(Channel.chat_id == TG_ROOM))
        assert channel is not None
        assert channel.audience_kind == ("states" if audience == "JAM" else audience)
        assert channel.audience_states == (["JAM"] if audience == "JAM" else [])
    assert TG_ROOM not in targets(db, "BRB")


def test_state_admin_cannot_erase_the_parties_seen_in_a_room(db: Database) -> None:
    """Once a JAM delegate has spoken in a BRB room, a BRB state admin re-typing `register BRB`
    must not wipe seen_parties: the next BRB-only alert would be delivered to the JAM member."""
    world = World(db)
    world.register_group(TG_ROOM, "BRB", platform="telegram")
    bob = tg_member(world, "bob", Role.DELEGATE, "JAM")
    ada = tg_member(world, "ada", Role.STATE_ADMIN, "BRB")
    bob.in_group(TG_ROOM).say("help")
    assert TG_ROOM not in targets(db, "BRB")
    ada.in_group(TG_ROOM).say("register BRB")
    assert TG_ROOM not in targets(db, "BRB")


# -- delivery ----------------------------------------------------------------------------------


def test_a_queued_delivery_is_not_sent_to_a_room_that_has_since_shown_another_state(
    db: Database,
) -> None:
    """The audience is checked only when the alert is queued; a pending or retried delivery must
    not go to a room where a JAM member has been seen since (or that was re-registered wider)."""
    world = World(db)
    world.register_group(TG_ROOM, "BRB", platform="telegram")
    send_alert(db, audience="BRB", headline=HEADLINE)
    bob = tg_member(world, "bob", Role.DELEGATE, "JAM")
    bob.in_group(TG_ROOM).say("help")  # JAM is now a seen party of the room
    with db.transaction() as session:
        claimed, _ = outbox.claim(
            session,
            "telegram",
            worker="review",
            room=10,
            limits=Limits(per_second=30, chat_spacing=1.0, group_spacing=1.0),
            policy=Policy(),
            now=time.time(),
            postgres=db.is_postgres,
        )
    assert [c.chat_id for c in claimed] == []


def test_slack_alert_text_cannot_ping_the_channel_or_disguise_a_link(db: Database) -> None:
    """Alert text goes into Slack as mrkdwn unescaped: `<!channel>` pings everyone and
    `<https://evil|https://gov>` shows a trusted address over a phishing link."""
    body = "Follow <https://evil.example/x|https://gov.bb/guidance> now <!channel> <@U0BOSS>."
    with FakeSlackServer() as slack:
        slack.add_channel("C100")
        world = World(db)
        world.register_group("C100", "all", platform="slack")
        send_alert(db, body=body)
        run_until_done(db, senders(None, slack.base_url))
        posted = slack.posted("C100")
    assert len(posted) == 1
    texts = [posted[0]["text"]] + [
        b["text"]["text"]
        for b in posted[0]["blocks"]
        if b["type"] == "section" and b["text"]["type"] == "mrkdwn"
    ]
    for text in texts:
        for raw in ("<!channel>", "<@U0BOSS>", "<https://evil"):
            assert raw not in text, text


# -- CLI / feed input --------------------------------------------------------------------------


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    "body",
    [
        "Storm surge \x1b[2J\x1b[31m expected within hours",  # terminal escapes, invalid in CAP
        "Storm surge expected \u202e sruoh nihtiw",  # bidi override: text reads reversed
        "Storm surge \x00 expected within hours",  # NUL: PostgreSQL raises DataError
    ],
    ids=["escape", "bidi", "nul"],
)
def test_cli_feed_gets_the_same_text_checks_as_the_chat(db: Database, body: str) -> None:
    """`secbot alert send --body -` skips clean_text: control characters reach every channel and
    make the CAP export ill-formed XML; a NUL crashes on PostgreSQL instead of a polite error."""
    cli("admin", "channel", "add", "--platform", "telegram", "--id", "-100", "--audience", "all")
    result = CliRunner().invoke(
        cli_app,
        [
            "alert",
            "send",
            "--headline",
            "Tropical storm warning for the north",
            "--body",
            "-",
            "--severity",
            "Severe",
            "--audience",
            "all",
            "--yes",
        ],
        input=body,
    )
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # polite, no crash
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0


# -- quoting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "BRB\u20110001",
        "BRB\u20130001",
        "BRB\u22120001",
        "\uff22\uff32\uff22-0001",
        "BRB 0001",
        "BRB0001",
        "BRB\u200d-0001",
        "\u0412R\u0412-0001",
        "brb-1",
        "BRB.0001",
    ],
    ids=[
        "non-breaking-hyphen",
        "en-dash",
        "minus-sign",
        "fullwidth",
        "space",
        "no-separator",
        "zero-width-joiner",
        "cyrillic-ve",
        "short-lower-case",
        "dot",
    ],
)
def test_quoting_check_sees_an_id_written_with_another_dash_or_fullwidth(
    db: Database, written: str
) -> None:
    """Ids pasted from a word processor (U+2011, en dash, minus) or typed fullwidth read as
    BRB-0001 to every reader, but slip past the ASCII-only pattern of the quoting check."""
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "BRB-0001" in alice.say("report Unflagged vessel seen off the north coast")
    with db.transaction() as session, pytest.raises(FormErrors) as refused:
        compose.validate(
            session, alert_values(f"Coast guards see a vessel; ref {written}."), utcnow()
        )
    assert "body" in refused.value.fields


@pytest.mark.parametrize("written", ["BRB-T01", "brb-t1", "BRB T01", "BRB\u2013T01"])
def test_quoting_check_sees_a_state_register_entry_id(db: Database, written: str) -> None:
    """A state's own register entries are numbered apart (BRB-T01): still ids to the check."""
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "BRB-T01" in alice.say("threat add Rising sea levels at the port")
    with db.transaction() as session, pytest.raises(FormErrors) as refused:
        compose.validate(session, alert_values(f"Ports at risk; ref {written}."), utcnow())
    assert "BRB-T01 is not a report shared with all" in refused.value.fields["body"]


def test_a_report_pasted_into_an_alert_for_an_audience_that_may_not_read_it_is_refused(
    db: Database,
) -> None:
    """Review finding: the secretariat could paste the text of a report shared only with the
    secretariat into an alert to all."""
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(
        "report Informant says the harbour master at Oistins accepts payments to clear "
        "unregistered container vessels at night"
    )
    alice.say("share BRB-0001 secretariat")
    pasted = (
        "Please be alert: the harbour master at Oistins accepts payments to clear "
        "unregistered container vessels."
    )
    with db.transaction() as session, pytest.raises(FormErrors) as refused:
        compose.validate(session, alert_values(pasted), utcnow())
    assert "copied from a submission" in refused.value.fields["body"]
    own_words = "Please check container vessels arriving at night in your ports."
    with db.transaction() as session:
        assert compose.validate(session, alert_values(own_words), utcnow()).body == own_words
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 all")
    with db.transaction() as session:
        assert compose.validate(session, alert_values(pasted), utcnow()).body == pasted


def test_a_private_id_in_the_headline_is_refused_at_the_headline_step(db: Database) -> None:
    """The quoting problem is always filed under `body`, so a private id in the headline passes
    the headline step and then blocks the body step with an error the user cannot fix there."""
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Unflagged vessel seen off the north coast")
    sec = world.member("sam", Role.SECRETARIAT)
    sec.say("alert")
    reply = sec.say("Vessel BRB-0001 near the southern approaches")
    assert "BRB-0001 is not a report shared with all states" in reply, reply


# -- robustness --------------------------------------------------------------------------------


def test_an_out_of_range_utc_offset_in_the_expiry_gets_a_polite_error(db: Database) -> None:
    """`2026-12-01 18:00 +25:00` parses, then raises ValueError outside the try: the engine
    has no reply for it (only SecbotError is caught)."""
    world = World(db)
    world.register_group(TG_ROOM, "all", platform="telegram")
    sec = world.member("sam", Role.SECRETARIAT)
    sec.say("alert")
    sec.say("Vessel of interest near the southern approaches")
    sec.say("Coast guards report an unflagged vessel heading south.")
    for answer in ("Moderate", "Expected", "Possible", "Security", "all", "none"):
        sec.say(answer)
    reply = sec.say("2026-12-01 18:00 +25:00")
    assert "expiry" in reply.lower(), reply
    with db.transaction() as session:
        draft = session.scalar(select(Draft))
        assert draft is not None and draft.step == "expires"


def test_the_acknowledge_button_is_not_taken_as_an_answer_to_an_open_form(db: Database) -> None:
    """The button's payload `ack A-1` is not `/`-prefixed, so with a report form open it becomes
    the incident's text instead of an acknowledgement."""
    world = World(db)
    world.register_group(TG_ROOM, "all", platform="telegram")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alert_id = send_alert(db)
    alice.say(f"alert A-{alert_id}")
    (button,) = alice.buttons()
    alice.say("report")
    alice.press("Maritime security")
    alice.press("Moderate")  # now at "What happened?"
    alice.send("", payload=button.payload)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AlertAck)) == 1
        draft = session.scalar(select(Draft))
        assert draft is not None and draft.step == "what" and "what" not in draft.data
