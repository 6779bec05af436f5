"""Instant start: verbs that do not retrieve answer before (and without) the index and the
model; a question waits for them and is answered; libraries log nothing into the chat."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from secbot.config import Settings
from secbot.db.session import Database
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, ConfigurationError, build, build_index
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.loading import KnowledgeLoader, LazyAsker, Loaded
from tests.support.paths import KNOWLEDGE
from tests.support.world import World


def settings_for(db: Database, tmp_path: Path, embeddings: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db.engine.url.render_as_string(hide_password=False),
        knowledge_dir=KNOWLEDGE,
        embeddings=embeddings,
    )


def test_help_and_whoami_answer_without_the_model(db: Database, tmp_path: Path) -> None:
    """The real default (the packaged model): help never constructs the embedder."""
    app = build(settings_for(db, tmp_path, "local"), background=True)
    assert app.knowledge is not None
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    assert "report" in alice.say("help")
    assert "Barbados" in alice.say("whoami")
    assert "Filed BRB-0001" in alice.say("report Go-fast boat landed at a private beach")
    assert not app.knowledge.started, "nothing loaded the index or the model"
    assert not (tmp_path / "var" / "chroma").exists()


def test_a_wrong_embeddings_setting_fails_at_start(db: Database, tmp_path: Path) -> None:
    """The model loads later, but a setting that names no model is one line now."""
    with pytest.raises(ConfigurationError, match="SECBOT_EMBEDDINGS='bert-please'"):
        build(settings_for(db, tmp_path, "bert-please"), background=True)


def test_a_question_while_loading_waits_and_is_answered(db: Database, tmp_path: Path) -> None:
    """Loading started in the background; the question (in its own transaction, on SQLite the
    write lock) waits for it, and a report filed meanwhile is in the index afterwards."""
    settings = settings_for(db, tmp_path, "hashing")
    release = threading.Event()

    def slow_load() -> Loaded:
        release.wait(30)
        return build_index(app.db, settings, HashingEmbedder())

    app: App = build(settings, background=True)
    app.knowledge = loader = KnowledgeLoader(slow_load)
    app.db.on_commit(loader.on_commit)
    app.engine.asker = LazyAsker(loader)
    app.engine.follow = loader.follow
    world = World(app.db, engine=app.engine)
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    loader.start()
    alice.say("report Unlit skiff landed bales of cannabis at Bottom Bay")  # while loading
    threading.Timer(0.5, release.set).start()
    answer = alice.say("ask what is the common maritime picture for the island chain?")
    assert loader.ready and "[1]" in answer
    assert "BRB-0001" in alice.say("ask cannabis bales landed at Bottom Bay")


def test_chat_stdout_carries_only_the_conversation(env: dict[str, str]) -> None:
    """bm25s sets its own logger to DEBUG on import; its lines used to reach the chat."""
    result = subprocess.run(
        [sys.executable, "-m", "secbot", "chat", "--as", "zoe"],
        input="help\nwho co-ordinates maritime security?\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    assert "join" in result.stdout
    for stream in (result.stdout, result.stderr):
        assert "bm25s" not in stream and "DEBUG" not in stream and "INFO" not in stream
