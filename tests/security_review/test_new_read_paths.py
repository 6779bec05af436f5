"""Security review of today's new read paths: bare and lenient ids, "did you mean", paging with
`more`, listing questions, console rooms, fix buttons and state names as share targets.

A test that pins a finding fails until its fix; the others pin attacks that held.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from secbot.alerts import compose
from secbot.db.models import AuditEvent, Share
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import Role
from secbot.domain.errors import FormErrors
from secbot.engine.forgiving import usable_verbs
from secbot.transports.console_rooms import Mailboxes, file_name
from tests.support.secrets import SECRET, ids, leaked
from tests.support.world import Chat, World

ROOM = "g-brb-jam"


def _norm(replies_text: str, real: str, fake: str) -> str:
    return replies_text.replace(fake, real)


def _answer(chat: Chat, text: str) -> tuple[str, list[tuple[str, str]]]:
    replies = chat.send(text)
    body = "\n".join(r.text for r in replies)
    buttons = [(b.label, b.payload) for r in replies for row in r.buttons for b in row]
    return body, buttons


def _planted(world: World) -> tuple[Chat, Chat]:
    """alice (BRB) holds one private report BRB-0001 and one private register entry BRB-T01;
    bob (JAM) sees neither."""
    world.register_group(ROOM, "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    assert "BRB-0001" in alice.say(f"report {SECRET}")
    assert "BRB-T01" in alice.say("threat add Kestrel smuggling ring corrupting Zephyrine port")
    return alice, bob


# -- 1. bare and lenient ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unknown"),
    [
        ("BRB-0001", "BRB-0999"),
        ("brb-1", "brb-999"),
        ("BRB 1", "BRB 999"),
        ("brb0001", "brb0999"),
        ("/BRB-1", "/BRB-999"),
        ("incident brb 1", "incident brb 999"),
        ("incident BRB_1", "incident BRB_999"),
        ("BRB-T1", "BRB-T9"),
        ("brb t01", "brb t09"),
        ("threat BRB-T1", "threat BRB-T9"),
        ("incident BRB-T1", "incident BRB-T9"),
    ],
)
def test_an_invisible_id_answers_exactly_like_an_unknown_one_in_a_dm(
    world: World, typed: str, unknown: str
) -> None:
    _alice, bob = _planted(world)
    hidden = _answer(bob, typed)
    missing = _answer(bob, unknown)
    real = (
        "BRB-T01"
        if "t" in typed.lower().replace("incident", "").replace("threat", "")
        else ("BRB-0001")
    )
    fake = "BRB-T09" if real == "BRB-T01" else "BRB-0999"
    assert hidden[0] == _norm(missing[0], real, fake), world.dump()
    assert hidden[1] == missing[1] == []
    assert not leaked(hidden[0].replace(real, ""), real), hidden


@pytest.mark.parametrize(
    ("typed", "unknown"),
    [
        ("/BRB-0001", "/BRB-0999"),
        ("/brb 1", "/brb 999"),
        ("/incident brb-1", "/incident brb-999"),
        ("/BRB-T1", "/BRB-T9"),
        ("/threat brb-t1", "/threat brb-t9"),
    ],
)
def test_an_invisible_id_answers_exactly_like_an_unknown_one_in_a_group(
    world: World, typed: str, unknown: str
) -> None:
    alice, _bob = _planted(world)
    # alice owns it, but the room holds JAM: it is as unknown there as a missing id
    room = alice.in_group(ROOM)
    real = "BRB-T01" if "t1" in typed.lower().replace(" ", "") else "BRB-0001"
    fake = "BRB-T09" if real == "BRB-T01" else "BRB-0999"
    hidden, missing = _answer(room, typed), _answer(room, unknown)
    assert hidden[0] == _norm(missing[0], real, fake), world.dump()
    assert hidden[1] == missing[1] == []
    assert not leaked(hidden[0].replace(real, ""), real)
    # plain chatter that happens to be an id is not addressed to the bot at all
    if not typed.startswith(("/incident", "/threat")):
        assert room.send(typed.lstrip("/")) == []


@pytest.mark.parametrize(
    "verb",
    [
        "share {} TTO",
        "unshare {} TTO",
        "edit {} severity high",
        "edit {} where",
        "edit {} when",
        "edit {} severity",
        "edit {} where Oistins",
    ],
)
@pytest.mark.parametrize(("spelled", "unknown"), [("brb 1", "brb 999"), ("BRB.0001", "BRB.0999")])
def test_lenient_ids_in_changing_verbs_meet_the_same_rule(
    world: World, verb: str, spelled: str, unknown: str
) -> None:
    """Another state's private report: every spelling answers as an unknown id, and nothing
    changes (no share, no edit)."""
    _alice, bob = _planted(world)
    hidden = _answer(bob, verb.format(spelled))
    missing = _answer(bob, verb.format(unknown))
    assert hidden[0] == _norm(missing[0], "BRB-0001", "BRB-0999"), world.dump()
    assert hidden[1] == missing[1] == []
    with world.db.transaction() as session:
        assert list(session.scalars(select(Share))) == []
        actions = {e.action for e in session.scalars(select(AuditEvent))}
    assert "incident_edited" not in actions and "shared" not in actions


def test_fix_buttons_on_a_report_shared_with_another_state_change_and_show_nothing(
    world: World,
) -> None:
    alice, bob = _planted(world)
    alice.say("share BRB-0001 JAM")
    for typed in ("edit BRB-0001 where", "edit brb-1 when", "edit BRB 1 where Kingston"):
        reply, buttons = _answer(bob, typed)
        assert "belongs to BRB" in reply and buttons == [], reply
        assert "Now it says" not in reply and "Oistins" not in reply
    assert "Kingston" not in alice.say("incident BRB-0001")


# -- 2. did you mean -------------------------------------------------------------------------


def test_did_you_mean_never_suggests_a_verb_the_role_may_not_use(world: World) -> None:
    _alice, bob = _planted(world)
    delegate = world.member("dee", Role.DELEGATE, "JAM")
    for chat in (bob, delegate):
        allowed = set(usable_verbs(world_principal(world, chat)))
        for typo in ("reprots", "shre", "unshar", "edti", "alrt", "invte", "chanel", "admn"):
            _text, buttons = _answer(chat, f"{typo} x")
            for _label, payload in buttons:
                assert payload.split()[0].lstrip("/") in allowed, (typo, payload)


def world_principal(world: World, chat: Chat):  # type: ignore[no-untyped-def]
    from secbot.access.principal import Place
    from secbot.identity import accounts

    with world.db.transaction() as session:
        who = accounts.Account(chat.platform, "", chat.name, chat.name)
        return accounts.principal_for(session, who, Place.direct())


def test_did_you_mean_with_an_invisible_id_reads_like_an_unknown_id(world: World) -> None:
    _alice, bob = _planted(world)
    hidden = _answer(bob, "incidnt BRB-0001")
    missing = _answer(bob, "incidnt BRB-0999")
    assert hidden[0] == _norm(missing[0], "BRB-0001", "BRB-0999")
    assert [
        (a.replace("BRB-0001", "BRB-0999"), b.replace("BRB-0001", "BRB-0999")) for a, b in hidden[1]
    ] == missing[1]
    assert "Kestrel" not in hidden[0] and "Zephyrine" not in hidden[0]


# -- 3. paging with `more` -------------------------------------------------------------------


def _many_shared(world: World, alice: Chat, n: int) -> None:
    for i in range(n):
        said = alice.say(f"report Green note number {i} about port traffic")
        if "looks like the same event" in said:  # near-identical notes, filed on purpose
            assert "Saved" in alice.press("File anyway")
        pid = f"BRB-{i + 2:04d}"
        alice.say(f"edit {pid} tlp green")
        alice.say(f"share {pid} JAM")


def test_more_recomputes_the_page_after_a_share_is_revoked(world: World) -> None:
    alice, bob = _planted(world)
    _many_shared(world, alice, 21)  # BRB-0002..BRB-0022, newest first: BRB-0002 is on page 2
    first = bob.say("reports")
    assert "Showing 1–20 of 21" in first, first
    alice.say("unshare BRB-0002 JAM")
    second = bob.say("more")
    assert "BRB-0002" not in second and "BRB-0001" not in second, second


def test_more_typed_in_a_group_shows_only_what_the_room_may_see(world: World) -> None:
    alice, bob = _planted(world)
    _many_shared(world, alice, 21)
    for i in (2, 3):  # two of them become AMBER again: DM-only
        alice.say(f"edit BRB-{i:04d} tlp amber")
    assert "Showing 1–20 of 21" in bob.say("reports")
    in_room = bob.in_group(ROOM).say("/more")
    assert not {"BRB-0001", "BRB-0002", "BRB-0003"} & set(ids(in_room)), in_room
    assert "(21)" not in in_room


def test_more_never_continues_another_accounts_list(world: World) -> None:
    alice, bob = _planted(world)
    _many_shared(world, alice, 21)
    assert "Send `more`" in alice.say("reports")
    carol = world.member("carol", Role.DELEGATE, "JAM")
    assert "no list to continue" in carol.say("more")
    assert "BRB-0001" not in bob.say("more")


def test_a_forged_more_button_is_computed_under_the_room_rule(world: World) -> None:
    alice, bob = _planted(world)
    room = bob.in_group(ROOM)
    for forged in ("/more reports 0", "/more mine 0", "/more threats 0", "/more alerts 0"):
        reply = room.say(forged)
        assert not leaked(reply, "BRB-0001") and "BRB-T01" not in reply, (forged, reply)
    assert "BRB-0001" not in alice.in_group(ROOM).say("/more reports 0")


def test_more_in_a_group_does_not_carry_a_dm_list_into_the_room(world: World) -> None:
    """A list started in a direct message keeps its cursor (topic included) in the member's
    Draft row, which is per member, not per chat: `more` typed in a room continued the DM's
    list and printed the topic typed in private there."""
    _alice, bob = _planted(world)
    assert "Send `more`" in bob.say("contacts legal")
    in_room = bob.in_group(ROOM).say("/more")
    assert "legal" not in in_room.lower(), in_room
    assert "no list to continue" in in_room
    assert "Showing 13–13 of 13" in bob.say("more")  # the DM's list still continues in the DM


# -- 4. listing questions --------------------------------------------------------------------


def test_a_listing_question_in_a_group_lists_only_what_the_room_may_see(world: World) -> None:
    alice, bob = _planted(world)
    alice.say("share BRB-T01 JAM")  # AMBER, shared with JAM: DM only
    dm = bob.say("what threats does the model list?")
    assert "BRB-T01" in dm, dm
    for chat in (bob.in_group(ROOM), alice.in_group(ROOM)):
        reply = chat.say("/ask what threats does the model list?")
        assert "BRB-T01" not in reply and "Kestrel" not in reply, reply
        assert "RT-" in reply


def test_a_listing_question_records_reads_like_the_verb(world: World) -> None:
    alice, bob = _planted(world)
    alice.say("share BRB-T01 JAM")

    def reads() -> int:
        with world.db.transaction() as session:
            return len(list(session.scalars(select(AuditEvent).where(AuditEvent.action == "read"))))

    before = reads()
    bob.say("what threats does the model list?")
    after_question = reads()
    bob.say("threats")
    assert after_question - before == reads() - after_question >= 1
    # A later page does not show state entries, so it records no read of them.
    after_verb = reads()
    bob.say("more")
    assert reads() == after_verb


# -- 5. console rooms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chat_id", ["../x", "..", ".", "a/../../b", "/etc/passwd", "x\\..\\y", "\x00", "..%2f"]
)
def test_a_console_mailbox_name_never_leaves_the_folder(chat_id: str) -> None:
    name = file_name(chat_id)
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ops 1", "ops\u0201"),  # `%20` then `1`, and U+0201 written `%201`
        ("room\x10" + "0", "room\u0100"),
        ("x" * 200 + "-jam", "x" * 200 + "-brb"),  # cut at 200 characters
    ],
)
def test_two_console_chats_never_share_a_mailbox(one: str, other: str) -> None:
    """A room registered for JAM must never read what was delivered to a BRB room."""
    assert file_name(one) != file_name(other)


def test_a_states_alert_reaches_only_console_rooms_inside_its_audience(db: Database) -> None:
    from secbot.alerts.audience import target_channels
    from secbot.domain.enums import AudienceKind

    world = World(db)
    world.register_group("c-jam", "JAM")
    world.register_group("c-brb", "BRB")
    world.register_group("c-brb-jam", "BRB,JAM")
    world.register_group("c-all", "all")
    with db.transaction() as session:
        found = {c.chat_id for c in target_channels(session, AudienceKind.STATES, ("BRB",), ())}
    assert found == {"c-brb"}


# -- 7. state names as share targets ----------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["saint", "st", "jamiaca", "jamaca", "trinidad tobago jam", "dominican", "grenadine", "gren"],
)
def test_an_ambiguous_or_mistyped_state_name_shares_with_nobody(world: World, target: str) -> None:
    alice, _bob = _planted(world)
    reply = alice.say(f"share BRB-0001 {target}")
    with world.db.transaction() as session:
        grantees = [s.grantee for s in session.scalars(select(Share))]
    if target == "trinidad tobago jam":
        assert sorted(grantees) == ["JAM", "TTO"], reply
        return
    assert grantees == [], (target, reply)
    assert "Shared" not in reply


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("dominica", "DMA"),
        ("grenada", "GRD"),
        ("st lucia", "LCA"),
        ("saint vincent", "VCT"),
        ("st kitts", "KNA"),
        ("barbuda", "ATG"),
        ("the bahamas", "BHS"),
    ],
)
def test_an_exact_state_name_shares_with_that_state_only(
    world: World, target: str, code: str
) -> None:
    alice, _bob = _planted(world)
    alice.say(f"share BRB-0001 {target}")
    with world.db.transaction() as session:
        assert [s.grantee for s in session.scalars(select(Share))] == [code]


# -- alert quoting with the lenient spellings the bot itself reads as ids -------------------------


def _refused_in_an_alert(db: Database, written: str) -> None:
    world = World(db)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "BRB-0001" in alice.say("report Unflagged vessel seen off the north coast")
    assert "BRB-T01" in alice.say("threat add Rising sea levels at the port")
    body = {
        "headline": "Vessel of interest near the southern approaches",
        "body": f"Coast guards see a vessel; ref {written}.",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Possible",
        "category": "Security",
        "audience": "all",
        "tags": "",
        "expires": "6h",
    }
    with db.transaction() as session, pytest.raises(FormErrors) as refused:
        compose.validate(session, body, utcnow())
    assert "body" in refused.value.fields


@pytest.mark.parametrize(
    "written", ["BRB 1", "brb1", "BRB_1", "BRB - 1", "brb 01", "BRB.1", "BRB 001", "brb - t1"]
)
def test_quoting_check_sees_every_spelling_the_bot_reads_as_an_id(
    db: Database, written: str
) -> None:
    """`BRB 1` opens BRB-0001 when typed to the bot, so an alert naming it names the report."""
    _refused_in_an_alert(db, written)


@pytest.mark.parametrize(
    "written", ["BRB-\u0967", "BRB \u0967", "BRB-\u0967\u0966", "BRB-T\u0967", "BRB-\u09e7"]
)
def test_quoting_check_sees_an_id_written_with_other_scripts_digits(
    db: Database, written: str
) -> None:
    """The chat reads any decimal digit (`BRB-१`, Devanagari one, opens BRB-0001); the TR39
    skeleton folds Devanagari 1 to an Arabic-Indic 9, which the check did not read as a digit."""
    _refused_in_an_alert(db, written)


def test_a_direct_console_session_never_reads_a_rooms_mailbox(world: World, tmp_path: Path) -> None:
    """A direct session's chat id is the account name, so `secbot chat --as jam` read the
    mailbox of a room registered as `jam` (for JAM only) and showed its alerts in a DM."""
    from secbot.transports.console import ConsoleChat

    world.register_group("jam", "JAM")
    room = Mailboxes(tmp_path)
    room.root.mkdir(parents=True)
    line = {"delivery": 1, "text": "⚠ ALERT A-1 JAM only: convoy route", "ack": "/ack A-1"}
    room.path("jam").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert world.engine is not None
    direct = ConsoleChat(world.engine, "jam", data_dir=tmp_path)
    assert "convoy" not in direct.arrivals()
    in_room = ConsoleChat(world.engine, "bob", chat="jam", data_dir=tmp_path)
    assert "convoy" in in_room.arrivals()  # the room's own sessions still see it


def test_more_continues_a_list_in_the_room_it_was_started_in_only(world: World) -> None:
    alice, bob = _planted(world)
    world.register_group("g-other", "BRB,JAM")
    _many_shared(world, alice, 21)
    room = bob.in_group(ROOM)
    assert "Showing 1–20 of 21" in room.say("/reports")
    assert "no list to continue" in bob.in_group("g-other").say("/more")
    assert "no list to continue" in bob.say("more")  # nor in the DM
    assert "Showing 21–21 of 21" in room.say("/more")


def test_a_share_target_that_is_only_filler_shares_with_nobody(world: World) -> None:
    alice, _bob = _planted(world)
    for target in ("the", "and", "of", "islands", "republic", "&", "st.", "saint"):
        alice.say(f"share BRB-0001 {target}")
    with world.db.transaction() as session:
        assert list(session.scalars(select(Share))) == []


def test_did_you_mean_in_a_room_offers_only_what_the_room_may_run(world: World) -> None:
    alice, _bob = _planted(world)
    room = alice.in_group(ROOM)
    text, buttons = _answer(room, "/incidnt BRB-0001")
    assert "Kestrel" not in text and "Zephyrine" not in text
    pressed = room.send("", payload=buttons[0][1]) if buttons else []
    shown = "\n".join(r.text for r in pressed)
    assert "Kestrel" not in shown and "Zephyrine" not in shown, shown


@pytest.mark.parametrize("typed", ["BRB-00011", "brb 00011", "BRB-000011"])
def test_a_padded_id_with_an_extra_digit_shares_no_other_report(world: World, typed: str) -> None:
    """`BRB-00011` is BRB-0001 with a stray digit as much as it is BRB-0011: reading it as
    BRB-0011 shared a report the owner did not name. A number longer than an id's four digits
    must not start with 0."""
    alice, _bob = _planted(world)
    for i in range(2, 12):
        alice.say(f"report Private note number {i}")
    reply = alice.say(f"share {typed} JAM")
    assert "is not a report id" in reply, reply
    with world.db.transaction() as session:
        assert list(session.scalars(select(Share))) == []
    assert "Shared BRB-0011 with JAM" in alice.say("share BRB-11 JAM")  # a plain number works


@pytest.mark.parametrize("typed", ["BRB-0001", "brb 1", "BRB-T1", "/more reports 0", "reports"])
def test_a_secretariat_admin_opens_no_submission_by_any_spelling(world: World, typed: str) -> None:
    alice, _bob = _planted(world)
    alice.say("share BRB-0001 secretariat")
    alice.say("share BRB-T01 secretariat")
    admin = world.member("ada", Role.SECRETARIAT_ADMIN)
    sam = world.member("sam", Role.SECRETARIAT)
    reply = admin.say(typed)
    for mark in ("Kestrel", "Zephyrine", "harbour", "bribe"):
        assert mark not in reply, reply
    assert ids(reply) in ([], ["BRB-0001"]), reply
    if typed == "BRB-0001":
        assert "Kestrel" in sam.say(typed)  # the secretariat itself was shared with


def test_a_stranger_typing_an_id_hears_only_how_to_join(world: World) -> None:
    _planted(world)
    stranger = world.chat("eve")
    for typed in ("BRB-0001", "brb 1", "BRB-T1", "more", "/more reports 0", "reprots"):
        assert "join" in stranger.say(typed).lower()
        assert "BRB-0001" not in stranger.say(typed)


def test_a_states_or_secretariat_alert_skips_a_room_where_an_outsider_was_seen(
    db: Database,
) -> None:
    """Decision 0009: a states alert reaches only rooms whose every party is in the audience.
    Someone who is no member spoke in the room (the room now reads regional knowledge only),
    yet BRB-only and secretariat alerts were still delivered there."""
    from secbot.alerts.audience import target_channels
    from secbot.domain.enums import AudienceKind

    world = World(db)
    world.register_group("c-brb", "BRB")
    world.register_group("c-sec", "secretariat")
    world.register_group("c-all", "all")
    for room in ("c-brb", "c-sec", "c-all"):
        world.chat("eve").in_group(room).send("/help")

    def reached(kind: AudienceKind, states: tuple[str, ...]) -> set[str]:
        with db.transaction() as session:
            return {c.chat_id for c in target_channels(session, kind, states, ())}

    assert reached(AudienceKind.STATES, ("BRB",)) == set()
    assert reached(AudienceKind.SECRETARIAT, ()) == set()
    assert reached(AudienceKind.ALL, ()) == {"c-brb", "c-sec", "c-all"}  # `all` is for everyone
