"""A fake MISP REST API on 127.0.0.1: the calls PyMISP makes to start (the version, the user
behind the key) and `events/add`, with the API key checked as MISP does (the Authorization header).

Like a real MISP, anything else (describeTypes included) is a 404: PyMISP then uses the types
it ships. `refuse_with`: answer events/add with a 403 and that error, as MISP does for a
duplicate or a permission problem. `stop()`: the client then finds nobody listening.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import JsonHandler, LoopbackServer

VERSION = "2.5.34"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    key: str
    body: Any


class FakeMispServer(LoopbackServer):
    def __init__(self, key: str = "test-misp-key") -> None:
        self.key = key
        self.calls: list[Call] = []
        self.events: list[dict[str, Any]] = []
        self.refuse_with: str | None = None
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._httpd = None
        self._thread = None

    def _handler_base(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def event_posts(self) -> list[Call]:
        return [c for c in self.calls if c.path.rstrip("/").endswith("events/add")]

    def answer(self, method: str, path: str, key: str, body: Any) -> tuple[int, Any]:
        with self._cond:
            self.calls.append(Call(method, path, key, body))
        if key != self.key:
            return 403, {"name": "Authentication failed.", "message": "Authentication failed."}
        route = path.split("?", 1)[0].strip("/")
        if route in ("servers/getVersion", "servers/getVersion.json"):
            return 200, {
                "version": VERSION,
                "pymisp_recommended_version": VERSION,
                "perm_sync": False,
                "perm_sighting": False,
            }
        if route == "users/view/me":
            return 200, {
                "User": {"id": "1", "email": "admin@misp.test", "org_id": "1"},
                "Role": {"id": "3", "name": "User", "perm_add": True},
                "UserSetting": {},
            }
        if route == "events/add" and method == "POST":
            return self._add(body)
        return 404, {"name": "Not Found", "message": f"No route {route}", "url": f"/{route}"}

    def _add(self, body: Any) -> tuple[int, Any]:
        if self.refuse_with is not None:
            return 403, {
                "name": "Could not add Event",
                "message": "Could not add Event",
                "url": "/events/add",
                "errors": {"Event": [self.refuse_with]},
            }
        event = dict(body.get("Event", body)) if isinstance(body, dict) else None
        if not event or not event.get("info"):
            return 403, {"name": "Could not add Event", "errors": {"info": ["required"]}}
        with self._cond:
            if any(e["uuid"] == event.get("uuid") for e in self.events):
                return 403, {"name": "Event already exists", "errors": {"uuid": ["taken"]}}
            event["id"] = str(next(self._ids))
            event.setdefault("uuid", str(uuid.uuid4()))
            self.events.append(event)
        return 200, {"Event": event}


class _Handler(JsonHandler):
    fake: FakeMispServer

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raw = self._body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._json(400, {"name": "Bad Request", "message": "body is not JSON"})
            return
        key = self.headers.get("Authorization", "")
        status, payload = self.fake.answer(self.command, self.path, key, body)
        self._json(status, payload)
