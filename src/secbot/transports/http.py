"""The one HTTP server: /healthz, the Telegram webhook and Slack's events endpoint, bound to
SECBOT_HTTP_HOST:SECBOT_HTTP_PORT (never 0.0.0.0 unless configured so)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

log = logging.getLogger(__name__)
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Health = Callable[[], dict[str, Any]]


def telegram_route(
    secret: str, feed: Callable[[dict[str, Any]], Awaitable[None]]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """403 for a missing or wrong secret (compared in constant time); no handler runs then."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad json")
        await feed(data)
        return web.Response(text="ok")

    return handle


class HttpServer:
    def __init__(self, host: str, port: int, health: Health) -> None:
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_get("/healthz", self._health)
        self._healthy = health
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    def add_post(
        self, path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> None:
        self.app.router.add_post(path, handler)

    def add_telegram(
        self, webhook_url: str, secret: str, feed: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> None:
        path = urlparse(webhook_url).path or "/telegram/webhook"
        self.add_post(path, telegram_route(secret, feed))

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response(self._healthy())

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=15.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        self.bound_port = int(addresses[0][1]) if addresses else self.port
        log.info("http listening", extra={"host": self.host, "port": self.bound_port})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
