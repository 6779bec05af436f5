"""The index is checked against its stamp at start: left alone when nothing changed, repaired
when a knowledge/ file or a submission changed, rebuilt for another embedder."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from secbot.config import Settings
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, build
from secbot.knowledge.embeddings import HashingEmbedder
from tests.support.paths import KNOWLEDGE
from tests.support.world import World


class CountingEmbedder(HashingEmbedder):
    """The real hashing embedder, counting the texts it embeds for documents."""

    def __init__(self, dimension: int = 384) -> None:
        super().__init__(dimension)
        self.documents = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents += len(texts)
        return super().embed_documents(texts)


def start(db: Database, data: Path, knowledge: Path, embedder: HashingEmbedder) -> App:
    settings = Settings(
        data_dir=data,
        database_url=db.engine.url.render_as_string(hide_password=False),
        knowledge_dir=knowledge,
    )
    return build(settings, embedder=embedder)


def checked(app: App) -> str:
    assert app.knowledge is not None
    report = app.knowledge.wait().checked
    assert report is not None
    return report.checked


def test_unchanged_start_embeds_nothing_and_changes_are_caught(
    db: Database, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    data = tmp_path / "var"
    first = CountingEmbedder()
    assert checked(start(db, data, knowledge, first)) == "repaired"
    assert first.documents > 100, "the first start builds the index"

    again = CountingEmbedder()
    app = start(db, data, knowledge, again)
    assert checked(app) == "unchanged" and again.documents == 0
    assert app.index is not None and len(app.index.lexical) > 100, "BM25 is still built"

    overview = knowledge / "model-overview.md"
    overview.write_text(
        overview.read_text(encoding="utf-8")
        + "\n\n## Annex: port inspections\n\nEvery container landed at night is inspected twice.\n",
        encoding="utf-8",
    )
    edited = CountingEmbedder()
    app = start(db, data, knowledge, edited)
    assert checked(app) == "repaired" and 0 < edited.documents < first.documents
    assert app.index is not None
    assert any("inspected twice" in text for _fp, text in app.index.vector.fingerprints().values())

    # A report filed while this process was not running (no index listening to the commit).
    alice = World(db).member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Unlit skiff landed bales of cannabis at Bottom Bay")
    filed = CountingEmbedder()
    app = start(db, data, knowledge, filed)
    assert checked(app) == "repaired" and filed.documents == 1
    assert checked(start(db, data, knowledge, CountingEmbedder())) == "unchanged"

    other = CountingEmbedder(dimension=256)  # another model: old vectors cannot be mixed in
    assert checked(start(db, data, knowledge, other)) == "rebuilt"
    assert other.documents >= first.documents


def test_a_change_after_start_drops_the_stamp(db: Database, tmp_path: Path) -> None:
    """Refreshed after a commit, the index no longer matches the stamp it started with."""
    data = tmp_path / "var"
    app = start(db, data, KNOWLEDGE, HashingEmbedder())
    stamp = data / "chroma" / "secbot-index-stamp.json"
    assert stamp.is_file()
    world = World(app.db, engine=app.engine)
    world.member("alice", Role.FOCAL_POINT, "BRB").say("report Drone seen over the fuel depot")
    assert not stamp.exists()
    again = CountingEmbedder()
    assert checked(start(db, data, KNOWLEDGE, again)) == "repaired" and again.documents == 0
    assert stamp.is_file()
