"""Grounded answers with the real embedding model: citations, topic search by meaning, ingestion
that is idempotent, and the CLI's JSON. SQLite only; the rule itself is tested on both databases
in test_retrieval_security.py and tests/access/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from secbot.config import Settings
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, build
from secbot.knowledge import ingest
from tests.support.paths import KNOWLEDGE, REPO
from tests.support.world import World

SEED = REPO.parent / "shared" / "seeds" / "security-management-model.txt"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not SEED.exists():
        pytest.skip(f"the seed document is not at {SEED}")
    data = tmp_path_factory.mktemp("answers")
    application = build(Settings(data_dir=data, knowledge_dir=KNOWLEDGE))
    ingest.ingest(application.db, [SEED])
    assert application.index is not None
    application.index.repair()
    yield application
    application.db.dispose()


@pytest.fixture(scope="module")
def world(app: App) -> World:
    return World(app.db, engine=app.engine)


def test_free_text_in_a_dm_gets_a_cited_answer(world: World) -> None:
    bob = world.member("bob", Role.DELEGATE, "JAM")
    reply = bob.say("Which groups outside government should take part?")
    assert "Sources:" in reply and "[1]" in reply, reply
    assert "civil society" in reply.lower() or "Civil society" in reply
    nothing = bob.say("What is a good recipe for banana bread?")
    assert "found nothing" in nothing and "objectives" in nothing


def test_topics_match_by_meaning(world: World) -> None:
    eve = world.member("eve", Role.DELEGATE, "BRB")
    assert "RT-16" in eve.say("threats small planes landing on hidden airstrips")
    mosquito = eve.say("contacts mosquito-borne fever spreading between islands")
    assert "Caribbean Public Health Agency" in mosquito or "CARPHA" in mosquito, mosquito
    assert "JAM · security" in eve.say("contacts JAM guns and drugs")


def test_ingest_is_idempotent_and_replaceable(app: App, tmp_path: Path) -> None:
    doc = tmp_path / "port-protocol.md"
    doc.write_text(
        "# Port protocol\n\n## Inspections\n\nVessels from the watch list are boarded.\n"
    )
    first = ingest.ingest(app.db, [doc])
    assert first.added == ["port-protocol.md"] and first.chunks >= 1
    assert ingest.ingest(app.db, [doc]).unchanged == ["port-protocol.md"]
    doc.write_text("# Port protocol\n\n## Inspections\n\nEvery tanker is inspected twice.\n")
    assert ingest.ingest(app.db, [doc]).replaced == ["port-protocol.md"]
    assert app.index is not None
    assert app.index.repair().embedded >= 1
    texts = [t for _fp, t in app.index.vector.fingerprints().values()]
    assert any("inspected twice" in t for t in texts)
    assert not any("watch list are boarded" in t for t in texts)
    assert ingest.remove(app.db, ["port-protocol.md"]).removed == ["port-protocol.md"]
    app.index.repair()
    assert not any("inspected twice" in t for _fp, t in app.index.vector.fingerprints().values())


def test_cli_ask_json_and_batch(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {
        **os.environ,
        "SECBOT_DATA_DIR": str(data),
        "SECBOT_KNOWLEDGE_DIR": str(KNOWLEDGE),
    }
    env.pop("SECBOT_DATABASE_URL", None)
    one = subprocess.run(
        [sys.executable, "-m", "secbot", "ask", "--json", "Who provides strategic analysis?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    answer = json.loads(one.stdout)
    assert set(answer) == {"answer", "citations"} and answer["citations"]
    assert set(answer["citations"][0]) == {"source", "locator", "text", "score"}
    batch = subprocess.run(
        [sys.executable, "-m", "secbot", "ask"],
        input="What are the six principles?\nWho leads on hurricanes?\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(lines) == 2 and all(line["citations"] for line in lines)
    shutil.rmtree(data, ignore_errors=True)


UNREADABLE = ("• -", "contact:", "regional_organisation", "Topics:", "Dimension:", "  ")


@pytest.mark.parametrize(
    "question",
    [
        "who do I contact about maritime security?",
        "how does the model co-ordinate state and non-state actors?",
        "what does the political decision-making body do?",
        "who works on cybercrime in Jamaica?",
    ],
)
def test_answers_read_as_a_person_would_write_them(world: World, question: str) -> None:
    """Register entries are shown as entries, list items keep their lead-in, and no index
    text (field labels, snake_case keys, list markers) reaches the reader."""
    ann = world.member(f"ann{abs(hash(question)) % 1000}", Role.DELEGATE, "BRB")
    answer = ann.say(question)
    body = answer.split("\n\nSources:")[0]
    assert "[1]" in body, answer
    for bad in UNREADABLE:
        assert bad not in body, (bad, answer)
    first, *rest = body.splitlines()
    # The answer opens with the answering sentence, quoted, or with an entry's card.
    opening = first[1:2] if first.startswith("“") else first[2:3]
    assert first.startswith(("“", "• ")) and opening.isupper(), first
    for line in rest:
        assert line.startswith("• ") and line[2:3].isupper(), line


def test_objectives_are_found_through_the_threats_they_counter(world: World) -> None:
    """OBJ-02 (a maritime picture) is about drug trafficking through its linked threat RT-05,
    not through its own words."""
    cy = world.member("cy", Role.DELEGATE, "BRB")
    assert "OBJ-02" in cy.say("objectives drugs")
    answer = cy.say("How do our objectives tackle cocaine moved by boat?")
    first = answer.splitlines()[0]
    assert first.startswith("• OBJ-"), answer
    assert "OBJ-02" in answer.split("\n\nSources:")[0], answer


def test_a_listing_question_is_answered_by_the_verb_that_lists(world: World) -> None:
    dee = world.member("dee", Role.DELEGATE, "BRB")
    replies = [r.text for r in dee.send("what threats does the model list?")]
    assert "`threats`" in replies[0], replies
    assert "RT-01" in "\n".join(replies[1:]), replies
    cyber = "\n".join(r.text for r in dee.send("which objectives cover ransomware?"))
    assert "`objectives ransomware`" in cyber and "OBJ-" in cyber, cyber


def test_off_topic_questions_are_declined_not_answered_from_the_register(world: World) -> None:
    """The issue's example: answered from the sea-level threat before the coverage check
    (docs/decisions/0018; the UN set's 44 negatives are counted by `secbot eval --set un`)."""
    reply = world.member("olu", Role.DELEGATE, "TTO").say(
        "What is the boiling point of water at sea level?"
    )
    assert "found nothing" in reply and "Sources:" not in reply, reply
