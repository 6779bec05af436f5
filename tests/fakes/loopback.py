"""What the fake servers share: a ThreadingHTTPServer on 127.0.0.1, on a free port, served
from a daemon thread, usable as a context manager; and a quiet handler that reads bodies and
writes JSON answers."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class _Server(ThreadingHTTPServer):
    """The stdlib listens with a backlog of 5. The fakes close the connection after each call,
    so a burst of 30 sends overflows it; the kernel drops the connection attempts and clients
    retry them a second later, which a rate test would wrongly charge to the code under test."""

    request_queue_size = 512


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet request handler: GET and POST both go to `_serve`, which each fake writes."""

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raise NotImplementedError

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. a long poll)
            self.close_connection = True


class LoopbackServer:
    _httpd: ThreadingHTTPServer | None
    _thread: threading.Thread | None
    _cond: threading.Condition
    chaos_methods: frozenset[str] = frozenset()
    """The calls `chaos` affects unless told otherwise; each fake names its own."""
    _rng: random.Random | None = None
    _chaos_429 = 0.0
    _chaos_5xx = 0.0
    _chaos_retry_after = 1
    _chaos_selected: frozenset[str] = frozenset()

    def chaos(
        self,
        *,
        p_429: float = 0.0,
        p_5xx: float = 0.0,
        seed: int = 0,
        retry_after: int = 1,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fail calls at random (seeded, so a run repeats): a 429 with `p_429`, a server error
        with `p_5xx` (each fake answers as its platform does). Only `methods` are affected
        (default: the fake's `chaos_methods`). Call with no probabilities to switch it off."""
        with self._cond:
            self._rng = random.Random(seed)
            self._chaos_429 = p_429
            self._chaos_5xx = p_5xx
            self._chaos_retry_after = retry_after
            self._chaos_selected = frozenset(methods) if methods is not None else self.chaos_methods

    def _chaos_draw(self, method: str) -> str | None:
        """`"429"`, `"5xx"` or None for one call (the lock is held by the caller)."""
        if self._rng is None or method not in self._chaos_selected:
            return None
        draw = self._rng.random()
        if draw < self._chaos_429:
            return "429"
        if draw < self._chaos_429 + self._chaos_5xx:
            return "5xx"
        return None

    def _handler_base(self) -> type[BaseHTTPRequestHandler]:
        """The fake's request handler; it is subclassed with `fake` pointing at this server."""
        raise NotImplementedError

    def _before_stop(self) -> None:
        """Wake anything the fake keeps waiting (long polls, delays) before shutting down."""

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`; each fake's `base_url` adds its API's path prefix."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        handler = type("Handler", (self._handler_base(),), {"fake": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._before_stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
