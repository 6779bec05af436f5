"""Runs `serve()` (the same code as `secbot serve`) in a thread against local fake platforms."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from secbot.config import Settings
from secbot.db.session import Database
from secbot.domain.clock import Clock
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App, build
from secbot.entrypoints.serve import serve
from secbot.knowledge.embeddings import HashingEmbedder
from tests.support.paths import KNOWLEDGE
from tests.support.world import World


@dataclass
class Running:
    app: App
    port: int
    status: dict[str, str]
    world: World
    halt: Callable[[], None] | None = None

    def stop(self) -> None:
        """Stop serve() as SIGTERM would (for restart tests); the fixture skips it later."""
        assert self.halt is not None
        self.halt()

    def invite(self, role: Role, state: str | None = None) -> str:
        return self.world.invite(role, state)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def start_bot(db: Database, tmp_path: Path) -> Iterator[Callable[..., Running]]:
    stops: list[tuple[asyncio.AbstractEventLoop, asyncio.Event, threading.Thread]] = []

    def start(clock: Clock | None = None, **overrides: Any) -> Running:
        settings = Settings(
            data_dir=tmp_path / "var",
            database_url=db.engine.url.render_as_string(hide_password=False),
            knowledge_dir=KNOWLEDGE,
            http_host="127.0.0.1",
            http_port=0,
            shutdown_grace_seconds=5,
            **overrides,
        )
        app = build(settings, embedder=HashingEmbedder())
        if clock is not None:  # the background clock (brief scheduler) from the first tick
            app.clock = clock
        ready: dict[str, Any] = {}
        started = threading.Event()
        holder: dict[str, Any] = {}

        async def main() -> None:
            stop = asyncio.Event()
            holder["loop"], holder["stop"] = asyncio.get_running_loop(), stop

            async def on_ready(info: dict[str, Any]) -> None:
                ready.update(info)
                started.set()

            await serve(app, stop, on_ready)

        thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
        thread.start()
        assert started.wait(30), "serve() did not become ready"
        stops.append((holder["loop"], holder["stop"], thread))

        def halt() -> None:
            holder["loop"].call_soon_threadsafe(holder["stop"].set)
            thread.join(30)
            assert not thread.is_alive(), "serve() did not stop"

        return Running(
            app,
            int(ready["port"] or 0),
            ready["status"],
            World(app.db, engine=app.engine),
            halt,
        )

    yield start
    for loop, stop, thread in stops:
        if not thread.is_alive():
            continue
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        assert not thread.is_alive(), "serve() did not stop"
