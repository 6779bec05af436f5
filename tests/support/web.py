"""The web console on a real HTTP server on 127.0.0.1 (its own thread and event loop), members
signed in through real one-time links, and a settable clock for expiry and idle timeouts."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from aiohttp import web
from sqlalchemy import select

from secbot.db.models import Member
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.identity import web_access
from secbot.web.app import mount

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class LiveConsole:
    """aiohttp's own server in a thread: the browser and httpx talk to it over TCP."""

    def __init__(
        self,
        db: Database,
        base_url: str | None = None,
        knowledge: tuple[Path | None, Callable[[], object] | None] = (None, None),
    ) -> None:
        self.db = db
        self.knowledge = knowledge
        self.clock = Clock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._base = base_url
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = base_url or self.url

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        app = web.Application()
        mount(
            app,
            self.db,
            self._base or "http://127.0.0.1",
            clock=self.clock,
            knowledge=self.knowledge,
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def member_id(self, name: str) -> int:
        with self.db.transaction() as session:
            found = session.scalar(
                select(Member.id).where(Member.platform == "console", Member.user_id == name)
            )
        assert found is not None, name
        return found

    def link(self, name: str) -> str:
        """A fresh one-time token for this console member (what `web` would send)."""
        with self.db.transaction() as session:
            return web_access.create_link(session, self.member_id(name), self.clock())

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def signed_in(self, name: str) -> httpx.Client:
        client = self.client()
        answer = client.post("/web/signin", data={"token": self.link(name)})
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(client: httpx.Client, path: str = "/web/") -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)
