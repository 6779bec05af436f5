"""Second security review: attacks on every read path.

Each test pins an attack. The second half are the review's findings, each of which failed
before its fix. Two findings are accepted as documented limitations (docs/decisions/0002, 0005):
per-state ids tell a grantee how many earlier submissions the owner made, and BM25 corpus
statistics include private units (a faint side channel on scores).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from secbot.access.principal import Place
from secbot.config import Settings
from secbot.db.models import AuditEvent, Member, Submission
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Inbound
from secbot.entrypoints.bootstrap import App, build
from secbot.identity import accounts, members
from secbot.knowledge.embeddings import HashingEmbedder
from tests.conftest import KNOWLEDGE
from tests.helpers import World

SECRET = (
    "Informant reports the harbour master at Port Zephyrine accepts bribes from the Kestrel "
    "smuggling ring to clear unregistered container vessels"
)
QUESTION = "harbour master Port Zephyrine bribes Kestrel smuggling ring unregistered container"
JOIN_HELP = "haven't joined"


def ids(text: str) -> list[str]:
    return re.findall(r"\b[A-Z]{3}-\d{4}\b", text)


def leaked(reply: str, public_id: str) -> list[str]:
    marks = [public_id, "Zephyrine", "Kestrel", "harbour master"]
    return [m for m in marks if m in reply]


@pytest.fixture
def world(db: Database) -> World:
    """An engine without a retrieval index: fast, for the SQL read paths."""
    return World(db)


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Iterator[App]:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db.engine.url.render_as_string(hide_password=False),
        knowledge_dir=KNOWLEDGE,
    )
    application = build(settings, embedder=HashingEmbedder())
    yield application
    application.db.dispose()


@pytest.fixture
def iworld(app: App) -> World:
    """An engine with the real index (Chroma + BM25) and a hashing embedder."""
    return World(app.db, engine=app.engine)


def member_id(db: Database, user_id: str) -> int:
    with db.transaction() as session:
        found = session.scalar(select(Member.id).where(Member.user_id == user_id))
    assert found is not None
    return found


def revoke(db: Database, user_id: str) -> None:
    mid = member_id(db, user_id)
    with db.transaction() as session:
        members.revoke_member(session, mid, by="test", now=utcnow())


# --------------------------------------------------------------------------------------------
# Correctly defended
# --------------------------------------------------------------------------------------------


def test_foreign_ids_read_exactly_like_unknown_ids_for_every_verb(world: World) -> None:
    """JAM-0001 (a JAM incident) and JAM-0002 (a JAM register entry) exist; JAM-0077 does not.
    For a BRB focal point every verb taking an id must answer the same words for all three,
    whatever the case or spacing, in a DM and in a group."""
    world.register_group("g-brb-jam", "BRB,JAM")
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "Filed JAM-0001" in bob.say("report Coastguard radar at Port Royal was jammed")
    assert "Added JAM-0002" in bob.say("threat add Rising sea levels at Port Royal")
    alice.say("report Our own private report")
    templates = [
        "incident {}",
        "incident   {}  ",
        "/incident {}",
        "edit {} tlp",
        "edit {} tlp clear",
        "edit {} details rewritten",
        "edit {} nosuchfield x",
        "share {} BRB",
        "share {} all",
        "unshare {} BRB",
        "threat {}",
    ]
    group = alice.in_group("g-brb-jam")
    for chat in (alice, group):
        for template in templates:
            for existing in ("JAM-0001", "jam-0001", "JAM-0002", "jam-0002"):
                unknown = existing[:-2] + "77"
                got = chat.say(template.format(existing)).replace(existing.upper(), "X")
                want = chat.say(template.format(unknown)).replace(unknown.upper(), "X")
                assert got == want, (template, existing, got, want)
                assert "Port Royal" not in got and "Rising" not in got
    with world.db.transaction() as session:
        row = session.scalar(select(Submission).where(Submission.public_id == "JAM-0001"))
        assert row is not None and row.tlp == "AMBER"
        assert row.incident is not None and row.incident.description.startswith("Coastguard")


def test_crafted_button_payloads_are_trusted_no_more_than_text(world: World) -> None:
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    dele = world.member("dele", Role.DELEGATE, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob.say("report Coastguard radar at Port Royal was jammed")
    for payload in ("/edit JAM-0001 tlp CLEAR", "/share JAM-0001 all", "/edit jam-0001 tlp"):
        reply = "\n".join(r.text for r in alice.send("", payload=payload))
        assert "can't find a report JAM-0001" in reply, reply
        assert not alice.buttons(), "no edit buttons for someone else's report"
    reply = "\n".join(r.text for r in dele.send("", payload="/edit JAM-0001 tlp CLEAR"))
    assert "Only focal points" in reply
    with world.db.transaction() as session:
        row = session.scalar(select(Submission).where(Submission.public_id == "JAM-0001"))
        assert row is not None and row.tlp == "AMBER" and not row.shares


def test_injection_shaped_ids_find_nothing(world: World) -> None:
    bob = world.member("bob", Role.FOCAL_POINT, "JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob.say("report Coastguard radar at Port Royal was jammed")
    for weird in ("'OR'1'='1", "JAM-%", "JAM-____", "JAM-.*", "%", "JAM-0001'--", "JAM-0001;"):
        for verb in ("incident", "threat", "share", "edit"):
            tail = {"share": " BRB", "edit": " tlp clear"}.get(verb, "")
            reply = alice.say(f"{verb} {weird}{tail}")
            assert "Port Royal" not in reply and "JAM-0001 ·" not in reply, (verb, weird, reply)
            assert "can't find" in reply, (verb, weird, reply)


def test_group_shows_only_what_every_audience_party_may_see(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    world.register_group("g-brb-jam-tto", "BRB,JAM,TTO")
    world.register_group("g-all", "all")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Green report shared with Jamaica only")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM")
    assert "BRB-0001" in alice.in_group("g-brb-jam").say("reports")
    assert "BRB-0001" in bob.in_group("g-brb-jam").say("incident BRB-0001")
    for chat in (alice.in_group("g-brb-jam-tto"), bob.in_group("g-brb-jam-tto")):
        for text in ("reports", "mine", "incident BRB-0001"):
            assert "BRB-0001" not in chat.say(text).replace("show BRB-0001 here", ""), text
    # the secretariat is not entitled, so it sees nothing of it even in the BRB,JAM room
    assert "Green report" not in sam.in_group("g-brb-jam").say("incident BRB-0001")
    assert "none" in sam.in_group("g-brb-jam").say("reports")
    # audience `all` includes the secretariat; a share to every state by name is not enough
    for code in ("ATG", "BHS", "BLZ", "DMA", "GRD", "GUY", "KNA", "LCA", "VCT", "SUR", "TTO"):
        alice.say(f"share BRB-0001 {code}")
    assert "none" in bob.in_group("g-all").say("reports")
    alice.say("share BRB-0001 secretariat")
    assert "BRB-0001" in bob.in_group("g-all").say("reports")


def test_amber_and_strict_never_reach_a_group_even_when_shared_with_all(world: World) -> None:
    world.register_group("g-all", "all")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Amber report about the Kestrel ring")
    alice.say("share BRB-0001 all")
    for label in ("AMBER", "AMBER+STRICT"):
        alice.say(f"edit BRB-0001 tlp {label}")
        for chat in (alice.in_group("g-all"), bob.in_group("g-all")):
            for text in ("reports", "mine", "incident BRB-0001"):
                reply = chat.say(text)
                assert "Kestrel" not in reply and "BRB-0001 ·" not in reply, (label, text)
        assert "Kestrel" in bob.say("incident BRB-0001"), "still readable in a DM"


def test_red_never_leaves_its_state_in_either_order(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Red material about the Kestrel ring")
    alice.say("share BRB-0001 JAM")
    assert "Unshare it first" in alice.say("edit BRB-0001 tlp red")
    assert "Kestrel" in bob.say("incident BRB-0001")
    alice.say("unshare BRB-0001 JAM")
    assert "now RED" in alice.say("edit BRB-0001 tlp red")
    assert "never leaves" in alice.say("share BRB-0001 JAM")
    assert "can't find" in bob.say("incident BRB-0001")


def test_revoked_member_sees_nothing_at_once(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Kestrel ring seen at the harbour")
    revoke(world.db, "alice")
    for text in ("reports", "mine", "incident BRB-0001", "threats", "whoami", "ask Kestrel?"):
        reply = alice.say(text)
        assert JOIN_HELP in reply and "Kestrel" not in reply, (text, reply)
    assert "Kestrel" not in alice.say("Kestrel ring")


def test_slack_workspaces_are_different_accounts(world: World) -> None:
    def send(workspace: str, text: str, chat: str = "D1", kind: ChatKind = ChatKind.DIRECT) -> str:
        assert world.engine is not None
        inbound = Inbound("slack", workspace, "U123", chat, kind, text=text)
        return "\n".join(r.text for r in world.engine.handle(inbound))

    assert "Welcome" in send("T1", f"join {world.invite(Role.FOCAL_POINT, 'BRB')}")
    assert "Filed BRB-0001" in send("T1", "report Kestrel ring at the harbour")
    for text in ("reports", "incident BRB-0001", "whoami", "mine"):
        reply = send("T2", text)
        assert JOIN_HELP in reply and "Kestrel" not in reply, (text, reply)
    with world.db.transaction() as session:
        from secbot.identity.channels import add_channel

        add_channel(session, platform="slack", workspace="T1", chat_id="C1", audience="BRB", by="t")
    assert "Kestrel" not in send("T1", "incident BRB-0001", "C1", ChatKind.GROUP)
    assert "Welcome" in send("T2", f"join {world.invite(Role.DELEGATE, 'JAM')}")
    assert "only CLEAR or GREEN" not in send("T2", "whoami", "C1", ChatKind.GROUP), (
        "a channel registered in T1 is unregistered in T2"
    )
    assert "can't find" in send("T2", "incident BRB-0001")


def test_secretariat_admin_reads_no_submission_even_when_shared(iworld: World) -> None:
    alice = iworld.member("alice", Role.FOCAL_POINT, "BRB")
    sam = iworld.member("sam", Role.SECRETARIAT)
    root = iworld.member("root", Role.SECRETARIAT_ADMIN)
    alice.say(f"report {SECRET}")
    alice.say("edit BRB-0001 tlp clear")
    alice.say("share BRB-0001 all secretariat")
    assert "BRB-0001" in sam.say("reports") and "Zephyrine" in sam.say(QUESTION)
    for text in ("reports", "incident BRB-0001", "threats", QUESTION, f"ask {QUESTION}"):
        reply = root.say(text).replace("find a report BRB-0001", "")
        assert not leaked(reply, "BRB-0001"), (text, reply)
    assert "secretariat files none" in root.say("mine")


def test_drafts_belong_to_one_member(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    carl = world.member("carl", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("Cyber incident")
    alice.say("high")
    alice.say("Kestrel ring breached the customs system")
    assert "continue" not in carl.say("report")
    assert "Kestrel" not in carl.say("cancel") + carl.say("save")
    assert "step 4" in alice.say("report"), "alice's own draft is untouched"


def test_audit_log_never_holds_report_text(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = world.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    alice.say("edit BRB-0001 details Kestrel ring paid Zephyrine officials again")
    alice.say("edit BRB-0001 where Zephyrine north quay")
    alice.say("edit BRB-0001 title Kestrel bribes")
    alice.say("threat add Kestrel ring corrupting Zephyrine harbour staff")
    alice.say("share BRB-0001 JAM")
    bob.say("incident BRB-0001")
    with world.db.transaction() as session:
        events = list(session.scalars(select(AuditEvent)))
        dump = " ".join(f"{e.actor} {e.action} {e.detail}" for e in events)
    assert {"incident_filed", "incident_edited", "shared", "read"} <= {e.action for e in events}
    for word in ("Kestrel", "Zephyrine", "bribe", "quay", "harbour"):
        assert word not in dump, (word, dump)


def test_revocation_of_a_share_reaches_both_retrieval_sides_at_once(iworld: World) -> None:
    alice = iworld.member("alice", Role.FOCAL_POINT, "BRB")
    bob = iworld.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    alice.say("share BRB-0001 JAM")
    assert "BRB-0001" in bob.say(QUESTION)
    alice.say("unshare BRB-0001 JAM")
    for text in (QUESTION, "Zephyrine", "Kestrel ring", f"ask {QUESTION}"):
        assert not leaked(bob.say(text), "BRB-0001"), text
    for text in ("threats Kestrel", "threat BRB-0001", "contacts Kestrel", "objectives Kestrel"):
        reply = bob.say(text)
        assert "BRB-0001 ·" not in reply and "harbour master" not in reply, text


def test_regional_hits_cannot_carry_private_text(app: App, iworld: World) -> None:
    """Every regional unit in the index comes from knowledge/ or ingested documents; a report's
    words never end up in a unit the recheck lets through as regional."""
    alice = iworld.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {SECRET}")
    assert app.index is not None
    got = app.index.vector.collection.get(include=["metadatas", "documents"])
    for meta, doc in zip(got["metadatas"], got["documents"], strict=True):
        if meta.get("owner") == "*regional":
            assert "Zephyrine" not in doc and "sub:" not in str(meta)
    bob = iworld.member("bob", Role.DELEGATE, "JAM")
    with app.db.transaction() as session:
        principal = accounts.principal_for(
            session, accounts.Account("console", "", "bob"), Place.direct()
        )
        assert app.asker is not None
        question = f"who are the non-state actors? {QUESTION}"
        passages = app.asker.passages(session, principal, question, k=30)
    assert passages, "regional passages still answer"
    assert all(p.public_id is None and "Zephyrine" not in p.text for p in passages)
    reply = bob.say(f"who are the non-state actors? {QUESTION}")
    assert "Sources:" in reply and not leaked(reply.replace(QUESTION, ""), "BRB-0001"), reply


def test_words_removed_before_sharing_do_not_make_a_report_rank(app: App, iworld: World) -> None:
    """A lost index refresh leaves the old words *and* the old readers, so the grantee's filter
    still excludes the unit: a stale index costs recall here, not privacy."""
    alice = iworld.member("alice", Role.FOCAL_POINT, "BRB")
    bob = iworld.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    app.db._listeners.clear()  # the refresh after the next commits is lost
    alice.say("edit BRB-0001 title Port official suspected of corruption")
    alice.say("edit BRB-0001 details A port official is suspected of taking payments")
    alice.say("share BRB-0001 JAM")
    assert "port official" in bob.say("incident BRB-0001"), "the share itself worked"
    reply = bob.say("Zephyrine Kestrel")
    assert "BRB-0001" not in reply, reply


# --------------------------------------------------------------------------------------------
# Findings of the review, fixed; each test failed before its fix
# --------------------------------------------------------------------------------------------


def test_redelivery_key_is_scoped_to_the_sender(world: World) -> None:
    assert world.engine is not None
    engine = world.engine

    def send(workspace: str, user: str, text: str, key: str | None = None) -> str:
        inbound = Inbound(
            "slack", workspace, user, "D" + user, ChatKind.DIRECT, text, None, "", key
        )
        return "\n".join(r.text for r in engine.handle(inbound))

    send("T1", "U1", f"join {world.invite(Role.FOCAL_POINT, 'BRB')}")
    send("T2", "U9", f"join {world.invite(Role.FOCAL_POINT, 'JAM')}")
    assert "Filed BRB-0001" in send("T1", "U1", f"report {SECRET}", key="Ev042")
    reply = send("T2", "U9", "report Coastguard radar at Port Royal was jammed", key="Ev042")
    assert "BRB" not in reply and "Filed JAM-0001" in reply, reply


def test_rejoining_another_state_does_not_carry_a_draft_across(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report")
    alice.say("Cyber incident")
    alice.say("high")
    alice.say(f"{SECRET}")
    revoke(world.db, "alice")
    assert "Welcome" in alice.say(f"join {world.invite(Role.FOCAL_POINT, 'JAM')}")
    jam = world.member("jay", Role.DELEGATE, "JAM")
    for answer in ("skip", "now", "AMBER", "save"):
        alice.say(answer)
    assert "Zephyrine" not in jam.say("reports") + jam.say("incident JAM-0001"), world.dump()


def test_share_list_is_not_shown_in_a_group(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    world.member("bob", Role.DELEGATE, "JAM")
    alice.say("report Green report shared with two states")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM TTO")
    reply = alice.in_group("g-brb-jam").say("incident BRB-0001")
    assert "Green report" in reply
    assert "TTO" not in reply and "Shared with" not in reply, reply


def test_group_audience_grows_with_the_parties_seen_in_it(world: World) -> None:
    world.register_group("g-brb-jam", "BRB,JAM")
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    sam = world.member("sam", Role.SECRETARIAT)
    alice.say("report Green report shared with Jamaica only")
    alice.say("edit BRB-0001 tlp green")
    alice.say("share BRB-0001 JAM")
    sam.in_group("g-brb-jam").say("whoami")
    assert "BRB-0001" not in alice.in_group("g-brb-jam").say("reports")


def _llm_world(db: Database, tmp_path: Path, server_url: str) -> tuple[App, World]:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db.engine.url.render_as_string(hide_password=False),
        knowledge_dir=KNOWLEDGE,
        llm="openai:gpt-4o-mini",
        llm_base_url=server_url,
        llm_api_key="test-key",
    )
    application = build(settings, embedder=HashingEmbedder())
    return application, World(application.db, engine=application.engine)


def test_llm_answer_quoting_a_report_shows_its_tlp(db: Database, tmp_path: Path) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer, echo_passages

    with FakeOpenAIServer(responder=echo_passages) as server:
        application, world = _llm_world(db, tmp_path, server.base_url)
        alice = world.member("alice", Role.FOCAL_POINT, "BRB")
        bob = world.member("bob", Role.DELEGATE, "JAM")
        alice.say(f"report {SECRET}")
        alice.say("share BRB-0001 JAM")
        reply = bob.say(f"ask {QUESTION}")
        application.db.dispose()
    assert server.chat_requests() and "Zephyrine" in reply, reply
    assert "TLP:AMBER" in reply, reply


def test_red_report_is_never_sent_to_the_llm(db: Database, tmp_path: Path) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer, echo_passages, message_text

    with FakeOpenAIServer(responder=echo_passages) as server:
        application, world = _llm_world(db, tmp_path, server.base_url)
        alice = world.member("alice", Role.FOCAL_POINT, "BRB")
        alice.say(f"report {SECRET}")
        alice.say("edit BRB-0001 tlp red")
        reply = alice.say(f"ask {QUESTION}")
        application.db.dispose()
    sent = " ".join(message_text(m) for body in server.chat_requests() for m in body["messages"])
    assert "Informant" in reply, "the owner still gets an answer, extractively"
    assert "Informant" not in sent, "RED text reached the model provider"


def test_display_name_cannot_forge_audit_lines(world: World) -> None:
    assert world.engine is not None
    forged = "mallory\n2026-01-01 00:00:00  cli  member_revoked member=1 state=BRB"
    inbound = Inbound(
        "console",
        "",
        "mallory",
        "mallory",
        ChatKind.DIRECT,
        f"join {world.invite(Role.DELEGATE, 'JAM')}",
        display_name=forged,
    )
    assert "Welcome" in world.engine.handle(inbound)[0].text
    with world.db.transaction() as session:
        actors = list(session.scalars(select(AuditEvent.actor)))
    assert all("\n" not in actor for actor in actors), actors
