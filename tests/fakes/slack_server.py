"""A local fake of the Slack Web API, plus builders for the requests Slack sends to an app.

Serves `POST /api/<method>` (form-encoded, multipart or JSON; token from `Authorization: Bearer`
or a `token` field) on 127.0.0.1, on a free port, in a thread, and `POST /response/<key>` as a
stand-in for the `response_url` of slash commands and actions. Every call is recorded; failures
can be queued (`fail_next`), drawn at random from a seeded generator (`chaos`) or produced by the
1 message/second/channel limit (`enforce_limits`).

    with FakeSlackServer() as server:
        client = WebClient(token="xoxb-test", base_url=f"{server.url}/api/")
        client.chat_postMessage(channel="C123", text="hi")

The builders (`event_message`, `slash_command`, `block_action`, `view_submission`...) return the
exact bytes Slack would POST to the app; `sign()` makes the headers that go with them.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.loopback import JsonHandler, LoopbackServer

JSON = dict[str, Any]

TEAM_ID = "T0FAKETEAM"
BOT_USER_ID = "U0FAKEBOT"
BOT_ID = "B0FAKEBOT"
APP_ID = "A0FAKEAPP"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0FAKETEAM/1/fake"
DEFAULT_CHAOS_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "views.open", "views.update"}
)
# Form values that carry JSON (slack_sdk json-encodes them when it posts a form).
_JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "unfurls"})
_MAX_TEXT = 40_000


@dataclass
class Call:
    """One request the fake received (failed ones included: see `status` and `response`)."""

    method: str
    params: dict[str, Any]
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    at: float = 0.0
    status: int = 0
    response: JSON | None = None


@dataclass(frozen=True)
class SharedFile:
    """A file completed with files.completeUploadExternal: what arrived, byte for byte."""

    id: str
    filename: str
    title: str
    data: bytes
    channel: str
    thread_ts: str | None
    initial_comment: str | None


@dataclass
class _Failure:
    method: str
    status: int
    error: str
    retry_after: int | None


class SlackApiFailure(Exception):
    """Raised inside a method handler; becomes `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after


class FakeSlackServer(LoopbackServer):
    """The fake Web API; start it with `with` (or `start()`/`stop()`).

    `token`: if set, other tokens get `invalid_auth` (none at all: `not_authed`). `strict`:
    channels, users and messages the fake does not know give `channel_not_found`,
    `user_not_found`, `message_not_found`, as Slack does; otherwise they are made up on demand.
    `enforce_limits`: at most 1 chat.postMessage a second per channel. `clock`: monotonic seconds,
    replaceable so limit tests need not sleep.
    """

    # chaos: posting, updating and views by default; a server error is an HTTP 500
    chaos_methods = DEFAULT_CHAOS_METHODS

    def __init__(
        self,
        *,
        token: str | None = None,
        team_id: str = TEAM_ID,
        team_name: str = "Fake Workspace",
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        bot_name: str = "secbot",
        app_id: str = APP_ID,
        strict: bool = False,
        enforce_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.strict = strict
        self.enforce_limits = enforce_limits
        self.clock = clock
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._failures: list[_Failure] = []
        self._channels: dict[str, JSON] = {}
        self._users: dict[str, JSON] = {}
        self._messages: dict[tuple[str, str], JSON] = {}
        self._views: dict[str, JSON] = {}
        self._last_post: dict[str, float] = {}
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._ts_base = int(time.time())
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], JSON]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "apps.connections.open": self._connections_open,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }
        self._file_counter = itertools.count(1)
        self._pending_files: dict[str, JSON] = {}
        self.files: list[SharedFile] = []
        """Files shared into channels, in the order they were completed."""
        self.socket_mode_url: str | None = None
        """Where `apps.connections.open` points the app (a FakeSocketMode's url)."""

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """slack_sdk's base_url: `f"{server.url}/api/"`."""
        return f"{self.url}/api/"

    def _handler_base(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    # ---- workspace setup -------------------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        is_private: bool = False,
        is_im: bool = False,
        is_archived: bool = False,
        is_member: bool = True,
        user: str | None = None,
    ) -> JSON:
        """Make a channel known; archived or non-member channels reject posts like Slack."""
        channel = _channel_object(
            channel_id,
            name=name,
            is_private=is_private,
            is_im=is_im or channel_id.startswith("D"),
            is_archived=is_archived,
            is_member=is_member,
            user=user,
        )
        with self._cond:
            self._channels[channel_id] = channel
        return dict(channel)

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "America/Port_of_Spain",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> JSON:
        user = self._user_object(
            user_id,
            name=name,
            real_name=real_name,
            email=email,
            tz=tz,
            is_bot=is_bot,
            deleted=deleted,
        )
        with self._cond:
            self._users[user_id] = user
        return dict(user)

    def response_url(self, key: str | None = None) -> str:
        """A response_url served by this fake; posts to it are recorded as "response_url"."""
        return f"{self.url}/response/{key or uuid.uuid4().hex[:12]}"

    # ---- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` ("*" for any).

        Default: HTTP 429 with `Retry-After: retry_after` and `{"ok": false, "error":
        "ratelimited"}`. `status=500/503`: that status with `fatal_error`/`service_unavailable`.
        `error="channel_not_found"` (or `is_archived`, `not_in_channel`...) without a status:
        HTTP 200 with `ok: false`, as Slack reports permanent errors.
        """
        if status is None:
            status = 200 if error else 429
        if error is None:
            error = {429: "ratelimited", 500: "fatal_error", 503: "service_unavailable"}.get(
                status, "internal_error"
            )
        with self._cond:
            self._failures.extend(
                _Failure(method, status, error, retry_after if status == 429 else None)
                for _ in range(times)
            )

    # ---- inspection ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def _ok_params(self, method: str) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.calls_to(method)
            if c.status == 200 and c.response is not None and c.response.get("ok")
        ]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Params of the chat.postMessage calls that succeeded, optionally for one channel."""
        return [
            p
            for p in self._ok_params("chat.postMessage")
            if channel is None or p.get("channel") == channel
        ]

    def shared(self, channel: str | None = None) -> list[SharedFile]:
        with self._cond:
            return [f for f in self.files if channel is None or f.channel == channel]

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            p
            for p in self._ok_params("chat.postEphemeral")
            if channel is None or p.get("channel") == channel
        ]

    def updates(self) -> list[dict[str, Any]]:
        """Params of the chat.update calls that succeeded."""
        return self._ok_params("chat.update")

    def views(self) -> list[dict[str, Any]]:
        """Params of the views.open / views.push / views.update calls that succeeded."""
        with self._cond:
            return [
                c.params
                for c in self.calls
                if c.method in ("views.open", "views.push", "views.update")
                and c.response is not None
                and c.response.get("ok")
            ]

    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to response URLs (bolt's `respond()`)."""
        return [c.params for c in self.calls_to("response_url")]

    def message(self, channel: str, ts: str) -> JSON | None:
        """A message as it stands now (edits applied), or None."""
        with self._cond:
            found = self._messages.get((channel, ts))
            return dict(found) if found is not None else None

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` successful calls of `method` arrived (raises TimeoutError)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                done = [
                    c
                    for c in self.calls
                    if c.method == method and c.response is not None and c.response.get("ok")
                ]
                if len(done) >= count:
                    return done
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(done)}/{count} successful {method} calls")
                self._cond.wait(min(left, 0.05))

    # ---- request processing ----------------------------------------------------------------

    def _process(self, call: Call) -> tuple[int, JSON, dict[str, str]]:
        with self._cond:
            self.calls.append(call)
            headers: dict[str, str] = {}
            body: JSON
            try:
                if call.method == "response_url":
                    status, body = 200, {"ok": True}
                else:
                    self._authenticate(call)
                    handler = self._handlers.get(call.method)
                    if handler is None:
                        raise SlackApiFailure("unknown_method")
                    self._injected(call.method)
                    status, body = 200, {"ok": True, **handler(call.params)}
            except SlackApiFailure as failure:
                status = failure.status
                body = {"ok": False, "error": failure.error}
                if failure.error == "unknown_method":
                    body["req_method"] = call.method
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
            call.status = status
            call.response = body
            self._cond.notify_all()
            return status, body, headers

    def _authenticate(self, call: Call) -> None:
        if not call.token:
            raise SlackApiFailure("not_authed")
        if call.method == "apps.connections.open":  # app-level tokens only, as Slack does
            if not call.token.startswith("xapp-"):
                raise SlackApiFailure("not_allowed_token_type")
            return
        if self.token is not None and call.token != self.token:
            raise SlackApiFailure("invalid_auth")

    def _injected(self, method: str) -> None:
        for index, failure in enumerate(self._failures):
            if failure.method in (method, "*"):
                del self._failures[index]
                raise SlackApiFailure(failure.error, failure.status, failure.retry_after)
        drawn = self._chaos_draw(method)
        if drawn == "429":
            raise SlackApiFailure("ratelimited", 429, self._chaos_retry_after)
        if drawn == "5xx":
            raise SlackApiFailure("fatal_error", 500)

    # ---- Web API methods (lock held) -------------------------------------------------------

    def _get_upload_url(self, params: dict[str, Any]) -> JSON:
        """Step 1 of the external upload: a URL (on this fake) to POST the bytes to."""
        filename = str(params.get("filename") or "")
        length = str(params.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            raise SlackApiFailure("invalid_arguments")
        file_id = f"F{next(self._file_counter):08d}"
        self._pending_files[file_id] = {"filename": filename, "length": int(length), "data": None}
        return {"upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        """Step 2: the raw bytes POSTed to the upload URL (Slack answers 200 and plain text)."""
        with self._cond:
            pending = self._pending_files.get(file_id)
            self.calls.append(Call("upload", {"file_id": file_id, "bytes": len(data)}, status=200))
            if pending is None:
                return 404, "not found"
            pending["data"] = data
            self._cond.notify_all()
            return 200, f"OK - {len(data)}"

    def _complete_upload(self, params: dict[str, Any]) -> JSON:
        """Step 3: share the uploaded files into `channel_id` (optionally in a thread, with a
        comment). A file never uploaded, or whose size differs from `length`, is refused."""
        raw = params.get("files")
        listed = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(listed, list) or not listed:
            raise SlackApiFailure("invalid_arguments")
        channel_id = params.get("channel_id") or params.get("channels")
        if channel_id:
            self._postable_channel({"channel": channel_id})
        done: list[JSON] = []
        for item in listed:
            pending = self._pending_files.get(str(item.get("id")))
            if pending is None or pending["data"] is None:
                raise SlackApiFailure("file_not_found")
            if len(pending["data"]) != pending["length"]:
                raise SlackApiFailure("file_upload_size_mismatch")
        for item in listed:
            file_id = str(item["id"])
            pending = self._pending_files.pop(file_id)
            title = str(item.get("title") or pending["filename"])
            if channel_id:
                self.files.append(
                    SharedFile(
                        file_id,
                        pending["filename"],
                        title,
                        pending["data"],
                        str(channel_id),
                        params.get("thread_ts") or None,
                        params.get("initial_comment") or None,
                    )
                )
            done.append({"id": file_id, "name": pending["filename"], "title": title})
        return {"files": done}

    def _api_test(self, params: dict[str, Any]) -> JSON:
        return {"args": {k: v for k, v in params.items() if k != "token"}}

    def _connections_open(self, params: dict[str, Any]) -> JSON:
        if self.socket_mode_url is None:
            raise SlackApiFailure("not_allowed_token_type")
        return {"url": self.socket_mode_url}

    def _auth_test(self, params: dict[str, Any]) -> JSON:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: dict[str, Any]) -> JSON:
        channel = self._postable_channel(params)
        self._require_content(params)
        if self.enforce_limits:
            now = self.clock()
            last = self._last_post.get(channel["id"])
            if last is not None and now - last < 1.0:
                raise SlackApiFailure("ratelimited", 429, 1)
            self._last_post[channel["id"]] = now
        ts = self._next_ts()
        message = self._message_object(params, ts)
        self._messages[(channel["id"], ts)] = message
        return {"channel": channel["id"], "ts": ts, "message": dict(message)}

    def _post_ephemeral(self, params: dict[str, Any]) -> JSON:
        self._postable_channel(params)
        user = str(params.get("user") or "")
        if not user:
            raise SlackApiFailure("user_not_found")
        if self.strict and user not in self._users:
            raise SlackApiFailure("user_not_in_channel")
        self._require_content(params)
        return {"message_ts": self._next_ts()}

    def _update(self, params: dict[str, Any]) -> JSON:
        channel = self._known_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise SlackApiFailure("message_not_found")
        self._require_content(params)
        key = (channel["id"], ts)
        current = self._messages.get(key)
        if current is None:
            if self.strict:
                raise SlackApiFailure("message_not_found")
            current = self._message_object({}, ts)
        if current.get("user") != self.bot_user_id:
            raise SlackApiFailure("cant_update_message")
        message = {**current, **self._message_object(params, ts)}
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        if "blocks" not in params:
            message.pop("blocks", None)
        self._messages[key] = message
        return {
            "channel": channel["id"],
            "ts": ts,
            "text": message.get("text", ""),
            "message": dict(message),
        }

    def _delete(self, params: dict[str, Any]) -> JSON:
        channel = self._known_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if self._messages.pop((channel["id"], ts), None) is None and self.strict:
            raise SlackApiFailure("message_not_found")
        return {"channel": channel["id"], "ts": ts}

    def _views_open(self, params: dict[str, Any]) -> JSON:
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise SlackApiFailure("invalid_arguments")
        view = self._valid_view(params.get("view"))
        view_id = f"V{next(self._view_counter):010d}"
        stored = self._view_object(view_id, view)
        self._views[view_id] = stored
        return {"view": dict(stored)}

    def _views_update(self, params: dict[str, Any]) -> JSON:
        view = self._valid_view(params.get("view"))
        view_id = str(params.get("view_id") or "")
        external_id = str(params.get("external_id") or "")
        if not view_id and external_id:
            view_id = next(
                (k for k, v in self._views.items() if v.get("external_id") == external_id), ""
            )
        if not view_id and not external_id:
            raise SlackApiFailure("invalid_arguments")
        current = self._views.get(view_id)
        if current is None:
            raise SlackApiFailure("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackApiFailure("hash_conflict")
        stored = self._view_object(view_id, view)
        stored["root_view_id"] = current["root_view_id"]
        self._views[view_id] = stored
        return {"view": dict(stored)}

    def _conversations_info(self, params: dict[str, Any]) -> JSON:
        return {"channel": dict(self._known_channel(params.get("channel")))}

    def _conversations_history(self, params: dict[str, Any]) -> JSON:
        """Newest first; message metadata only with `include_all_metadata`, as Slack does."""
        channel = self._known_channel(params.get("channel"))
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = sorted(
            (
                m
                for (c, ts), m in self._messages.items()
                if c == channel["id"] and float(ts) > oldest
            ),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )[:limit]
        messages = []
        for message in found:
            shown = dict(message)
            if not with_metadata:
                shown.pop("metadata", None)
            messages.append(shown)
        return {"messages": messages, "has_more": False}

    def _conversations_open(self, params: dict[str, Any]) -> JSON:
        users = str(params.get("users") or "")
        if not users:
            raise SlackApiFailure("users_list_not_supplied")
        channel_id = "D" + re.sub(r"[^A-Z0-9]", "", users.split(",")[0].upper())[1:]
        if channel_id not in self._channels:
            self._channels[channel_id] = _channel_object(
                channel_id, is_im=True, user=users.split(",")[0]
            )
        return {"channel": {"id": channel_id}}

    def _users_info(self, params: dict[str, Any]) -> JSON:
        user_id = str(params.get("user") or "")
        user = self._users.get(user_id)
        if user is None:
            if self.strict or not user_id:
                raise SlackApiFailure("user_not_found")
            user = self._user_object(user_id)
        return {"user": dict(user)}

    # ---- helpers (lock held) ---------------------------------------------------------------

    def _next_ts(self) -> str:
        number = next(self._ts_counter)
        return f"{self._ts_base + number // 1_000_000}.{number % 1_000_000:06d}"

    def _known_channel(self, raw: Any) -> JSON:
        channel_id = str(raw or "")
        if not channel_id:
            raise SlackApiFailure("channel_not_found")
        if channel_id[0] in "UW":  # posting to a user id goes to the app's DM with them
            return {**_channel_object("D" + channel_id[1:], is_im=True, user=channel_id)}
        channel = self._channels.get(channel_id)
        if channel is None:
            if self.strict or channel_id[0] not in "CGD":
                raise SlackApiFailure("channel_not_found")
            channel = _channel_object(channel_id, is_im=channel_id.startswith("D"))
        return channel

    def _postable_channel(self, params: dict[str, Any]) -> JSON:
        channel = self._known_channel(params.get("channel"))
        if channel.get("is_archived"):
            raise SlackApiFailure("is_archived")
        if not channel.get("is_im") and not channel.get("is_member", True):
            raise SlackApiFailure("not_in_channel")
        return channel

    def _require_content(self, params: dict[str, Any]) -> None:
        text = params.get("text")
        if not (text or params.get("blocks") or params.get("attachments")):
            raise SlackApiFailure("no_text")
        if isinstance(params.get("blocks"), str):
            raise SlackApiFailure("invalid_blocks_format")
        if isinstance(text, str) and len(text) > _MAX_TEXT:
            raise SlackApiFailure("msg_too_long")

    def _message_object(self, params: dict[str, Any], ts: str) -> JSON:
        message: JSON = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": str(params.get("text") or ""),
            "ts": ts,
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key) is not None:
                message[key] = params[key]
        return message

    def _valid_view(self, raw: Any) -> JSON:
        view = raw
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError as error:
                raise SlackApiFailure("invalid_arguments") from error
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise SlackApiFailure("invalid_arguments")
        if view["type"] == "modal" and not isinstance(view.get("title"), dict):
            raise SlackApiFailure("invalid_arguments")
        if not isinstance(view.get("blocks"), list):
            raise SlackApiFailure("invalid_arguments")
        return view

    def _view_object(self, view_id: str, view: JSON) -> JSON:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view["blocks"],
            "private_metadata": str(view.get("private_metadata") or ""),
            "callback_id": str(view.get("callback_id") or ""),
            "external_id": str(view.get("external_id") or ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _user_object(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "America/Port_of_Spain",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> JSON:
        name = name or f"user_{user_id.lower()}"
        real_name = real_name or name
        profile: JSON = {
            "real_name": real_name,
            "display_name": name,
            "real_name_normalized": real_name,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        if email:
            profile["email"] = email
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_admin": False,
            "is_owner": False,
            "is_app_user": False,
            "tz": tz,
            "tz_label": "Atlantic Standard Time",
            "tz_offset": -14400,
            "updated": int(time.time()),
            "profile": profile,
        }


def _channel_object(
    channel_id: str,
    *,
    name: str | None = None,
    is_private: bool = False,
    is_im: bool = False,
    is_archived: bool = False,
    is_member: bool = True,
    user: str | None = None,
) -> JSON:
    created = int(time.time()) - 86_400
    if is_im:
        return {
            "id": channel_id,
            "created": created,
            "is_im": True,
            "is_org_shared": False,
            "user": user or "U" + channel_id[1:],
            "is_user_deleted": False,
            "is_archived": is_archived,
            "is_member": True,
        }
    return {
        "id": channel_id,
        "name": name or f"channel-{channel_id.lower()}",
        "is_channel": not is_private,
        "is_group": is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": is_private,
        "created": created,
        "is_archived": is_archived,
        "is_general": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
        "is_member": is_member,
        "creator": "U0CREATOR",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }


# ---- request builders: what Slack POSTs to the app ------------------------------------------

_event_ids = itertools.count(1)
_trigger_ids = itertools.count(1)


def _fresh_ts() -> str:
    now = time.time()
    return f"{int(now)}.{int((now % 1) * 1_000_000):06d}"


def _fresh_trigger() -> str:
    return f"{next(_trigger_ids)}.{int(time.time())}.{uuid.uuid4().hex}"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds: v0=HMAC-SHA256(secret, f"v0:{timestamp}:{body}")."""
    stamp = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(stamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(body: bytes, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """`sign()` plus the Content-Type Slack uses for this body (JSON events, form otherwise)."""
    content_type = (
        "application/json" if body.lstrip()[:1] == b"{" else "application/x-www-form-urlencoded"
    )
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def retry_headers(attempt: int, reason: str = "http_timeout") -> dict[str, str]:
    """Headers on an event Slack delivers again (`attempt` 1..3)."""
    return {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason}


def url_verification(challenge: str = "fake-challenge") -> bytes:
    return json.dumps(
        {"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"}
    ).encode()


def _event_envelope(team: str, event: JSON, event_id: str | None, bot_user_id: str) -> bytes:
    return json.dumps(
        {
            "token": "fake-verification-token",
            "team_id": team,
            "context_team_id": team,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):010d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{uuid.uuid4().hex[:16]}",
        }
    ).encode()


def _rich_text(text: str) -> list[JSON]:
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def event_message(
    team: str,
    channel: str,
    user: str,
    text: str,
    *,
    channel_type: str = "im",
    event_id: str | None = None,
    ts: str | None = None,
    thread_ts: str | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """An Events API `message` event (a DM by default) as the JSON body Slack POSTs."""
    stamp = ts or _fresh_ts()
    event: JSON = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": stamp,
        "blocks": _rich_text(text),
        "team": team,
        "channel": channel,
        "event_ts": stamp,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return _event_envelope(team, event, event_id, bot_user_id)


def event_app_mention(
    team: str,
    channel: str,
    user: str,
    text: str,
    *,
    event_id: str | None = None,
    ts: str | None = None,
    thread_ts: str | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """An `app_mention` event; `<@BOT>` is put in front of `text` unless already there."""
    mention = f"<@{bot_user_id}>"
    full = text if mention in text else f"{mention} {text}"
    stamp = ts or _fresh_ts()
    event: JSON = {
        "type": "app_mention",
        "client_msg_id": str(uuid.uuid4()),
        "text": full,
        "user": user,
        "ts": stamp,
        "blocks": _rich_text(full),
        "team": team,
        "channel": channel,
        "event_ts": stamp,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return _event_envelope(team, event, event_id, bot_user_id)


def event_channel_left(
    team: str, channel: str, *, kind: str = "channel_left", bot_user_id: str = BOT_USER_ID
) -> bytes:
    """The bot was removed from `channel` (`channel_left`/`group_left`), or it was archived
    (`channel_archive`): sent to the app as an Events API callback."""
    event: JSON = {"type": kind, "channel": channel, "event_ts": _fresh_ts()}
    if kind.endswith("_archive"):
        event["user"] = "UADMIN"
    else:
        event["actor_id"] = "UADMIN"
    return _event_envelope(team, event, None, bot_user_id)


def slash_command(
    team: str,
    channel: str,
    user: str,
    text: str,
    *,
    command: str = "/secbot",
    trigger_id: str | None = None,
    response_url: str = DEFAULT_RESPONSE_URL,
    user_name: str | None = None,
    channel_name: str = "directmessage",
) -> bytes:
    """A slash command, form-encoded as Slack POSTs it."""
    return urlencode(
        {
            "token": "fake-verification-token",
            "team_id": team,
            "team_domain": "fake-workspace",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user_name or f"user_{user.lower()}",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _fresh_trigger(),
        }
    ).encode()


def _interaction(payload: JSON) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_action(
    team: str,
    channel: str,
    user: str,
    action_id: str,
    value: str,
    *,
    message_ts: str | None = None,
    block_id: str = "actions",
    message_text: str = "",
    trigger_id: str | None = None,
    response_url: str = DEFAULT_RESPONSE_URL,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """A button click on a bot message (`payload=<json>`, form-encoded)."""
    ts = message_ts or _fresh_ts()
    button = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": value, "emoji": True},
        "value": value,
        "action_ts": _fresh_ts(),
    }
    element = {k: v for k, v in button.items() if k not in ("block_id", "action_ts")}
    return _interaction(
        {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": f"user_{user.lower()}",
                "name": f"user_{user.lower()}",
                "team_id": team,
            },
            "api_app_id": APP_ID,
            "token": "fake-verification-token",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id or _fresh_trigger(),
            "team": {"id": team, "domain": "fake-workspace"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"},
            "message": {
                "type": "message",
                "user": bot_user_id,
                "bot_id": BOT_ID,
                "ts": ts,
                "text": message_text,
                "team": team,
                "blocks": [{"type": "actions", "block_id": block_id, "elements": [element]}],
            },
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [button],
        }
    )


def view_submission(
    team: str,
    user: str,
    callback_id: str,
    values: Mapping[str, Mapping[str, Any]],
    *,
    private_metadata: str = "",
    view_id: str = "V0000000001",
    trigger_id: str | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """A modal submission (`payload=<json>`, form-encoded).

    `values` is Slack's `view.state.values`: `{block_id: {action_id: {...}}}`; a plain string
    as the innermost value is shorthand for a plain_text_input's `{"type": ..., "value": s}`.
    """
    state: JSON = {
        block: {
            action: (
                {"type": "plain_text_input", "value": v} if isinstance(v, str) or v is None else v
            )
            for action, v in actions.items()
        }
        for block, actions in values.items()
    }
    return _interaction(
        {
            "type": "view_submission",
            "team": {"id": team, "domain": "fake-workspace"},
            "user": {
                "id": user,
                "username": f"user_{user.lower()}",
                "name": f"user_{user.lower()}",
                "team_id": team,
            },
            "api_app_id": APP_ID,
            "token": "fake-verification-token",
            "trigger_id": trigger_id or _fresh_trigger(),
            "view": {
                "id": view_id,
                "team_id": team,
                "type": "modal",
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": state},
                "hash": f"{int(time.time())}.fakehash",
                "title": {"type": "plain_text", "text": "secbot", "emoji": True},
                "clear_on_close": False,
                "notify_on_close": False,
                "close": None,
                "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": APP_ID,
                "external_id": "",
                "app_installed_team_id": team,
                "bot_id": BOT_ID,
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


# ---- HTTP ------------------------------------------------------------------------------------


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a Web API request body (JSON, form or multipart) into typed params."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        loaded = json.loads(body) if body else {}
        if not isinstance(loaded, dict):
            raise ValueError("JSON body must be an object")
        return loaded
    raw: dict[str, str] = {}
    if kind == "multipart/form-data":
        header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                raw[name] = payload.decode("utf-8", "replace")
    elif body:
        raw = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in _JSON_FIELDS and value[:1] in ("[", "{"):
            try:
                params[name] = json.loads(value)
                continue
            except ValueError:
                pass
        params[name] = value
    return params


class _Handler(JsonHandler):
    fake: FakeSlackServer

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        if parts.path.startswith("/upload/v1/"):
            status, text = self.fake.upload(parts.path.rsplit("/", 1)[-1], body)
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :].strip("/")
        elif parts.path.startswith("/response/"):
            method = "response_url"
        else:
            self._json(404, {"ok": False, "error": "not_found"})
            return
        content_type = headers.get("content-type", "")
        try:
            params = parse_body(content_type, body)
        except (ValueError, UnicodeDecodeError):
            self._json(200, {"ok": False, "error": "invalid_json"})
            return
        params.update(dict(parse_qsl(parts.query, keep_blank_values=True)))
        token = ""
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif isinstance(params.get("token"), str):
            token = params["token"]
        call = Call(
            method=method,
            params=params,
            token=token,
            headers=headers,
            content_type=content_type,
            at=time.time(),
        )
        status, payload, extra = self.fake._process(call)
        self._json(status, payload, extra, "application/json; charset=utf-8")
