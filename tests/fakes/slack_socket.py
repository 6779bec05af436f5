"""A local fake of Slack's Socket Mode: the WebSocket that `apps.connections.open` hands out.

It greets each connection with `hello`, sends envelopes (`events_api`, `slash_commands`,
`interactive`) as Slack does, records the app's acknowledgements, and can deliver again the
envelopes that were never acknowledged, as Slack does after a dropped connection.

    with FakeSlackServer() as web, FakeSocketMode() as socket:
        web.socket_mode_url = socket.url
        envelope = socket.send_http_body(slack_server.event_message(...))
        socket.wait_ack(envelope)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from typing import Any, Self
from urllib.parse import parse_qs, parse_qsl

from aiohttp import WSMsgType, web

JSON = dict[str, Any]


class FakeSocketMode:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._cond = threading.Condition()
        self._sent: dict[str, JSON] = {}
        self.acks: dict[str, JSON | None] = {}
        self.connections = 0
        self._ids = itertools.count(1)
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def start(self) -> Self:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            app = web.Application()
            app.router.add_get("/link", self._serve)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = int(self._runner.addresses[0][1])
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10), "socket fake did not start"
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the WebSocket ---------------------------------------------------------------------
    async def _serve(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        with self._cond:
            self._sockets.append(ws)
            self.connections += 1
            self._cond.notify_all()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "fake-socket", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0FAKEAPP"},
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                envelope_id = data.get("envelope_id")
                if envelope_id:
                    with self._cond:
                        self.acks[str(envelope_id)] = data.get("payload")
                        self._cond.notify_all()
        finally:
            with self._cond:
                if ws in self._sockets:
                    self._sockets.remove(ws)
                self._cond.notify_all()
        return ws

    # ---- what Slack sends ------------------------------------------------------------------
    def wait_connected(self, timeout: float = 30.0) -> None:
        deadline = time.time() + timeout
        with self._cond:
            while not self._sockets:
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError("no Socket Mode connection")
                self._cond.wait(left)

    def send(self, kind: str, payload: JSON, *, envelope_id: str | None = None) -> str:
        """Send one envelope to the newest connection (waiting for one); its envelope id."""
        envelope_id = envelope_id or f"env-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        self._deliver(envelope)
        return envelope_id

    def send_http_body(self, body: bytes) -> str:
        """The same request an HTTP app would get (the slack_server builders), as an envelope."""
        text = body.decode()
        if text.startswith("{"):
            return self.send("events_api", json.loads(text))
        if text.startswith("payload="):
            return self.send("interactive", json.loads(parse_qs(text)["payload"][0]))
        return self.send("slash_commands", dict(parse_qsl(text, keep_blank_values=True)))

    def _deliver(self, envelope: JSON) -> None:
        self.wait_connected()
        with self._cond:
            self._sent[envelope["envelope_id"]] = envelope
            ws = self._sockets[-1]
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(ws.send_json(envelope), self._loop)
        future.result(10)

    def unacked(self) -> list[str]:
        with self._cond:
            return [e for e in self._sent if e not in self.acks]

    def redeliver_unacked(self) -> list[str]:
        """Slack sends an envelope again when its acknowledgement never came."""
        again = []
        for envelope_id in self.unacked():
            with self._cond:
                envelope = dict(self._sent[envelope_id])
            envelope["retry_attempt"] = int(envelope["retry_attempt"]) + 1
            envelope["retry_reason"] = "timeout"
            self._deliver(envelope)
            again.append(envelope_id)
        return again

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> JSON | None:
        deadline = time.time() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(f"no ack for {envelope_id}")
                self._cond.wait(left)
            return self.acks[envelope_id]
