"""Runs engine calls off the event loop and keeps count of those in flight, so a graceful stop
can wait for them to finish."""

from __future__ import annotations

import asyncio

from secbot.engine.engine import Engine
from secbot.engine.messages import Inbound, Reply


class EngineRunner:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, inbound: Inbound) -> list[Reply]:
        self._in_flight += 1
        self._idle.clear()
        try:
            return await asyncio.to_thread(self.engine.handle, inbound)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def bot_removed(self, platform: str, workspace: str, chat_id: str, reason: str) -> bool:
        return await asyncio.to_thread(
            self.engine.bot_removed, platform, workspace, chat_id, reason
        )

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def drained(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False
