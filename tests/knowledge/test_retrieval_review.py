"""Review of the retrieval read path: revocation reaches both indexes at once, regional hits
cannot carry private text, and LLM answers keep labels and never see RED."""

from __future__ import annotations

from pathlib import Path

from secbot.access.principal import Place
from secbot.config import Settings
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, build
from secbot.identity import accounts
from secbot.knowledge.embeddings import HashingEmbedder
from tests.support.paths import KNOWLEDGE
from tests.support.secrets import QUESTION, SECRET, leaked
from tests.support.world import World


def test_revocation_of_a_share_reaches_both_retrieval_sides_at_once(indexed_world: World) -> None:
    alice = indexed_world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = indexed_world.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    alice.say("share BRB-0001 JAM")
    assert "BRB-0001" in bob.say(QUESTION)
    alice.say("unshare BRB-0001 JAM")
    for text in (QUESTION, "Zephyrine", "Kestrel ring", f"ask {QUESTION}"):
        assert not leaked(bob.say(text), "BRB-0001"), text
    for text in ("threats Kestrel", "threat BRB-0001", "contacts Kestrel", "objectives Kestrel"):
        reply = bob.say(text)
        assert "BRB-0001 ·" not in reply and "harbour master" not in reply, text


def test_regional_hits_cannot_carry_private_text(app: App, indexed_world: World) -> None:
    """Every regional unit in the index comes from knowledge/ or ingested documents; a report's
    words never end up in a unit the recheck lets through as regional."""
    alice = indexed_world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {SECRET}")
    assert app.index is not None
    got = app.index.vector.collection.get(include=["metadatas", "documents"])
    for meta, doc in zip(got["metadatas"], got["documents"], strict=True):
        if meta.get("owner") == "*regional":
            assert "Zephyrine" not in doc and "sub:" not in str(meta)
    bob = indexed_world.member("bob", Role.DELEGATE, "JAM")
    with app.db.transaction() as session:
        principal = accounts.principal_for(
            session, accounts.Account("console", "", "bob"), Place.direct()
        )
        assert app.asker is not None
        # The report's words without its names: the names alone would have the question
        # declined, since nothing Bob may see mentions Port Zephyrine or Kestrel (below).
        words = " ".join(w for w in QUESTION.split() if w not in ("Zephyrine", "Kestrel"))
        question = f"who are the non-state actors? {words}"
        passages = app.asker.passages(session, principal, question, k=30)
        named = app.asker.passages(session, principal, f"who are the non-state actors? {QUESTION}")
    assert passages, "regional passages still answer"
    assert all(p.public_id is None and "Zephyrine" not in p.text for p in passages)
    assert named == []
    reply = bob.say(question)
    assert "Sources:" in reply and not leaked(reply.replace(words, ""), "BRB-0001"), reply
    reply = bob.say(f"who are the non-state actors? {QUESTION}")
    assert "Sources:" not in reply and not leaked(reply.replace(QUESTION, ""), "BRB-0001"), reply


def test_words_removed_before_sharing_do_not_make_a_report_rank(
    app: App, indexed_world: World
) -> None:
    """A lost index refresh leaves the old words *and* the old readers, so the grantee's filter
    still excludes the unit: a stale index costs recall here, not privacy."""
    alice = indexed_world.member("alice", Role.FOCAL_POINT, "BRB")
    bob = indexed_world.member("bob", Role.DELEGATE, "JAM")
    alice.say(f"report {SECRET}")
    app.db._listeners.clear()  # the refresh after the next commits is lost
    alice.say("edit BRB-0001 title Port official suspected of corruption")
    alice.say("edit BRB-0001 details A port official is suspected of taking payments")
    alice.say("share BRB-0001 JAM")
    assert "port official" in bob.say("incident BRB-0001"), "the share itself worked"
    reply = bob.say("Zephyrine Kestrel")
    assert "BRB-0001" not in reply, reply


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


def test_an_llm_answer_citing_another_passage_still_shows_every_label(
    db: Database, tmp_path: Path
) -> None:
    """Review finding: a model that quotes passage 1 but cites only [2] (as an instruction
    planted in a report can make it do) showed the report's text without its TLP label."""
    from tests.fakes.openai_server import _FENCED, FakeOpenAIServer, message_text

    def miscites(messages: list[dict[str, object]]) -> str:
        for message in messages:
            found = _FENCED.search(message_text(message))  # type: ignore[arg-type]
            if found:
                return f'The passages say: "{found.group(1).strip()}" [2]'
        return "Nothing."

    with FakeOpenAIServer(responder=miscites) as server:
        application, world = _llm_world(db, tmp_path, server.base_url)
        alice = world.member("alice", Role.FOCAL_POINT, "BRB")
        bob = world.member("bob", Role.DELEGATE, "JAM")
        alice.say(f"report {SECRET}")
        alice.say("share BRB-0001 JAM")
        reply = bob.say(f"ask who are the non-state actors? {QUESTION}")
        application.db.dispose()
    assert "Zephyrine" in reply, reply
    assert "TLP:AMBER" in reply and "BRB-0001" in reply, reply
