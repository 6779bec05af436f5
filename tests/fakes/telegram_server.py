"""A local fake of the Telegram Bot API, so tests drive python-telegram-bot over real HTTP.

Serves `/bot<TOKEN>/<method>` (GET or POST; form-encoded, multipart or JSON bodies) on
127.0.0.1, on a free port, in a thread. Inbound traffic is injected with `push_message`,
`push_callback` and `push_raw` and comes back out of `getUpdates` (long polling, capped at
`max_poll_wait` seconds). Every call is recorded; failures can be queued (`fail_next`), drawn at
random from a seeded generator (`chaos`) or produced by the flood limits (`enforce_limits`).

    with FakeTelegramServer() as server:
        bot = Bot("123:abc", base_url=f"{server.url}/bot")
        server.push_message(chat_id=42, user_id=42, text="/start")

Parameters arrive as strings when form-encoded (PTB json-dumps every non-string value); the fake
decodes them back, so `Call.params["chat_id"]` is an int and `reply_markup` is a dict whichever
encoding the client used. `Call.raw` keeps the form values exactly as sent.
"""

from __future__ import annotations

import email.parser
import email.policy
import html.parser
import itertools
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import JsonHandler, LoopbackServer

JSON = dict[str, Any]

# Form values that are strings even when they look like numbers or JSON.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "data",
        "callback_query_id",
        "inline_message_id",
        "parse_mode",
        "url",
        "secret_token",
        "description",
        "short_description",
        "title",
        "name",
        "language_code",
        "query",
        "emoji",
        "action",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
    }
)
# Fields that carry JSON even in a JSON body (some clients double-encode them).
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
    }
)
_BOT_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_MAX_TEXT = 4096
DEFAULT_CHAOS_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the group chat",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class Call:
    """One request the fake received (failed ones included: see `status`)."""

    method: str
    params: dict[str, Any]
    token: str = ""
    http_method: str = "POST"
    content_type: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    filenames: dict[str, str] = field(default_factory=dict)
    """The file name each uploaded part carried (multipart `filename=`)."""
    at: float = 0.0
    status: int = 0
    response: JSON | None = None


@dataclass(frozen=True)
class Upload:
    """A file the bot sent: what arrived, byte for byte."""

    chat_id: int
    kind: str
    """`photo` or `document`."""
    filename: str
    data: bytes
    caption: str


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    parameters: JSON | None


class TelegramApiError(Exception):
    """Raised inside a method handler; becomes `{"ok": false, ...}` with this HTTP status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _too_many(retry_after: int) -> TelegramApiError:
    return TelegramApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


class FakeTelegramServer(LoopbackServer):
    """The fake Bot API; start it with `with` (or `start()`/`stop()`).

    `token`: if set, other tokens get 401 Unauthorized. `strict_chats`: sending to a chat the fake
    has never seen (no `push_message`/`add_chat`) gives 400 "chat not found", as Telegram does.
    `enforce_limits`: at most 30 sendMessage a second overall and 20 a minute per group chat.
    `clock`: monotonic seconds, replaceable so limit tests need not sleep.
    """

    # chaos: sendMessage, edits and answerCallbackQuery by default; a server error is a 502
    chaos_methods = DEFAULT_CHAOS_METHODS

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = 7_000_000_001,
        bot_username: str = "secbot_test_bot",
        bot_first_name: str = "SecBot",
        strict_chats: bool = False,
        enforce_limits: bool = False,
        validate_markup: bool = True,
        max_poll_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.strict_chats = strict_chats
        self.enforce_limits = enforce_limits
        self.validate_markup = validate_markup
        self.max_poll_wait = max_poll_wait
        self.clock = clock
        self.calls: list[Call] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._failures: deque[_Failure] = deque()
        self._chats: dict[int, JSON] = {}
        self._blocked: dict[int, str] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._next_message_id: dict[int, int] = {}
        self._pending: list[JSON] = []
        self._redeliver: list[JSON] = []
        self._history: dict[int, JSON] = {}
        self._uploads: list[Upload] = []
        self._next_update_id = 100_000_001
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._open_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._sends: deque[float] = deque()
        self._group_sends: dict[int, deque[float]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[dict[str, Any], Call], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message,
            "getChat": self._get_chat,
        }
        self._by_lower = {name.lower(): name for name in self._handlers}

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """PTB's base_url: `f"{server.url}/bot"`."""
        return f"{self.url}/bot"

    def _handler_base(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def _before_stop(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()

    # ---- inbound traffic -------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Make a chat known (for getChat and `strict_chats`); returns its Chat object."""
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name or f"User{chat_id}"
            if last_name:
                chat["last_name"] = last_name
        else:
            chat["title"] = title or f"Group {chat_id}"
            if chat_type == "supergroup":
                chat["is_forum"] = False
        if username:
            chat["username"] = username
        with self._cond:
            self._chats[chat_id] = chat
        return dict(chat)

    def push_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> int:
        """Queue a text message from a user; returns its update_id.

        A leading `/command` (or `/command@bot`) gets its `bot_command` entity, as Telegram adds
        one, so PTB's CommandHandler matches it.
        """
        user = self._user(user_id, username=username, first_name=first_name, last_name=last_name)
        with self._cond:
            if chat_id not in self._chats:
                self._chats[chat_id] = self._new_chat(
                    chat_id, chat_type, title=title, user=user if chat_type == "private" else None
                )
            chat = dict(self._chats[chat_id])
            message: JSON = {
                "message_id": self._take_message_id(chat_id),
                "from": user,
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            command = _BOT_COMMAND.match(text)
            if command:
                length = _utf16_len(command.group(0))
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            if message_thread_id is not None:
                message["message_thread_id"] = message_thread_id
            if reply_to_message_id is not None:
                replied = self._messages.get((chat_id, reply_to_message_id))
                if replied is not None:
                    message["reply_to_message"] = dict(replied)
            self._messages[(chat_id, message["message_id"])] = message
            return self._enqueue({"message": message})

    def push_callback(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message_id: int,
        *,
        username: str | None = None,
        first_name: str | None = None,
    ) -> int:
        """Queue a button press on message `message_id` in `chat_id`; returns its update_id.

        The CallbackQuery carries the bot's stored message (as edited so far) when the fake knows
        it, else a stand-in from the bot with empty text.
        """
        user = self._user(user_id, username=username, first_name=first_name)
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None:
                message = {
                    "message_id": message_id,
                    "from": dict(self.bot_user),
                    "chat": self._chat_for(chat_id),
                    "date": int(time.time()),
                    "text": "",
                }
            query_id = str(next(self._callback_ids))
            self._open_queries.add(query_id)
            query: JSON = {
                "id": query_id,
                "from": user,
                "message": dict(message),
                "chat_instance": str(abs(chat_id) * 7919 + 1_000_003),
                "data": data,
            }
            return self._enqueue({"callback_query": query})

    def push_raw(self, update: JSON) -> int:
        """Queue any Update object; an `update_id` is assigned if it has none."""
        with self._cond:
            return self._enqueue(dict(update))

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again, same update_id, on the next getUpdates (whatever the offset).

        Telegram does this when a bot's offset did not reach the server, e.g. after a crash.
        """
        with self._cond:
            if update_id not in self._history:
                raise KeyError(f"no update {update_id} was ever pushed")
            self._redeliver.append(json.loads(json.dumps(self._history[update_id])))
            self._cond.notify_all()

    def pending_updates(self) -> int:
        """How many updates wait for a getUpdates (redeliveries included)."""
        with self._cond:
            return len(self._pending) + len(self._redeliver)

    def block_chat(self, chat_id: int, description: str | None = None) -> None:
        """Every later call aimed at this chat gets 403 (user blocked the bot / bot kicked)."""
        with self._cond:
            if description is None:
                kind = self._chat_for(chat_id)["type"]
                description = {
                    "private": "Forbidden: bot was blocked by the user",
                    "group": "Forbidden: bot was kicked from the group chat",
                    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
                }.get(kind, "Forbidden: bot is not a member of the channel chat")
            self._blocked[chat_id] = description

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.pop(chat_id, None)

    # ---- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        parameters: JSON | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" for any) with a Telegram error.

        429 carries `parameters.retry_after` (default 1) and "Too Many Requests: retry after N";
        other statuses get a realistic default description (400 chat not found, 403 kicked...).
        """
        params = dict(parameters or {})
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
        if retry_after is not None:
            params["retry_after"] = retry_after
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status) or _phrase(status)
        with self._cond:
            self._failures.extend(
                _Failure(method, status, description, params or None) for _ in range(times)
            )

    def clear_failures(self) -> None:
        """Drop the failures `fail_next` queued and not yet used."""
        with self._cond:
            self._failures.clear()

    # ---- inspection ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of the sendMessage calls that succeeded, optionally for one chat."""
        return [
            c.params
            for c in self.calls_to("sendMessage")
            if c.status == 200 and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def uploads(self, chat_id: int | str | None = None) -> list[Upload]:
        """Files received by sendPhoto / sendDocument that succeeded, in order."""
        with self._cond:
            return [u for u in self._uploads if chat_id is None or str(u.chat_id) == str(chat_id)]

    def edits(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of the editMessageText calls that succeeded."""
        return [
            c.params
            for c in self.calls_to("editMessageText")
            if c.status == 200 and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def answers(self) -> list[dict[str, Any]]:
        """Params of the answerCallbackQuery calls that succeeded."""
        return [c.params for c in self.calls_to("answerCallbackQuery") if c.status == 200]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list currently set for a scope (default scope) and language."""
        with self._cond:
            return list(self._commands.get((_scope_key(scope), language_code), []))

    def messages(self, chat_id: int) -> list[JSON]:
        """The chat as it stands: user and bot messages, edits applied, deleted ones gone."""
        with self._cond:
            found = [m for (c, _), m in self._messages.items() if c == chat_id]
            return [dict(m) for m in sorted(found, key=lambda m: m["message_id"])]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` successful calls of `method` arrived (raises TimeoutError).

        From async tests run it in a thread: `await asyncio.to_thread(server.wait_for, ...)`.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                done = [c for c in self.calls if c.method == method and c.status == 200]
                if len(done) >= count:
                    return done
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(done)}/{count} successful {method} calls")
                self._cond.wait(min(left, 0.05))

    # ---- request processing (called from the handler thread) -------------------------------

    def _process(self, call: Call) -> tuple[int, JSON]:
        with self._cond:
            canonical = self._by_lower.get(call.method.lower())
            if canonical is not None:
                call.method = canonical
            self.calls.append(call)
            try:
                if self.token is not None and call.token != self.token:
                    raise TelegramApiError(401, "Unauthorized")
                if canonical is None:
                    raise TelegramApiError(404, "Not Found")
                self._injected(call.method)
                result = self._handlers[canonical](call.params, call)
                status, body = 200, {"ok": True, "result": result}
            except TelegramApiError as error:
                status, body = error.status, error.payload()
            call.status = status
            call.response = body
            self._cond.notify_all()
            return status, body

    def _injected(self, method: str) -> None:
        for index, failure in enumerate(self._failures):
            if failure.method in (method, "*"):
                del self._failures[index]
                raise TelegramApiError(failure.status, failure.description, failure.parameters)
        drawn = self._chaos_draw(method)
        if drawn == "429":
            raise _too_many(self._chaos_retry_after)
        if drawn == "5xx":
            raise TelegramApiError(502, "Bad Gateway")

    # ---- Bot API methods -------------------------------------------------------------------

    def _true(self, params: dict[str, Any], call: Call) -> bool:
        return True

    def _get_me(self, params: dict[str, Any], call: Call) -> JSON:
        return dict(self.bot_user)

    def _delete_webhook(self, params: dict[str, Any], call: Call) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._redeliver.clear()
        return True

    def _set_webhook(self, params: dict[str, Any], call: Call) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise TelegramApiError(400, "Bad Request: bad webhook: HTTPS url must be provided")
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._redeliver.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any], call: Call) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _get_updates(self, params: dict[str, Any], call: Call) -> list[JSON]:
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates") or None
        if offset > 0:  # confirms every update below the offset
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        deadline = time.monotonic() + min(timeout, self.max_poll_wait)
        while True:
            if allowed:
                self._pending = [u for u in self._pending if _update_type(u) in allowed]
                self._redeliver = [u for u in self._redeliver if _update_type(u) in allowed]
            ready = sorted(self._redeliver + self._pending, key=lambda u: int(u["update_id"]))
            if ready or self._stopping.is_set():
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._cond.wait(left)
        batch = ready[:limit]
        self._redeliver = [r for r in self._redeliver if not any(r is b for b in batch)]
        return [json.loads(json.dumps(u)) for u in batch]

    def _set_my_commands(self, params: dict[str, Any], call: Call) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise TelegramApiError(400, "Bad Request: commands must be a JSON array")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(
                str(command.get("command", "")).lower()
            ):
                raise TelegramApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise TelegramApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [
            {"command": str(c["command"]).lower(), "description": str(c["description"])}
            for c in commands
        ]
        return True

    def _get_my_commands(self, params: dict[str, Any], call: Call) -> list[JSON]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return [dict(c) for c in self._commands.get(key, [])]

    def _delete_my_commands(self, params: dict[str, Any], call: Call) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _send_message(self, params: dict[str, Any], call: Call) -> JSON:
        chat_id = self._target_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > _MAX_TEXT:
            raise TelegramApiError(400, "Bad Request: message is too long")
        self._check_text(text, params.get("parse_mode"))
        self._check_markup(params.get("reply_markup"))
        if self.enforce_limits:
            self._check_flood(chat_id)
        message: JSON = {
            "message_id": self._take_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat_for(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        if params.get("message_thread_id") is not None:
            message["message_thread_id"] = params["message_thread_id"]
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id")
        if reply_to is not None:
            replied = self._messages.get((chat_id, int(reply_to)))
            if replied is not None:
                message["reply_to_message"] = dict(replied)
            elif not (
                isinstance(reply_parameters, dict)
                and reply_parameters.get("allow_sending_without_reply")
            ):
                raise TelegramApiError(400, "Bad Request: message to be replied not found")
        self._messages[(chat_id, message["message_id"])] = message
        return dict(message)

    def _send_photo(self, params: dict[str, Any], call: Call) -> JSON:
        return self._send_file("photo", params, call)

    def _send_document(self, params: dict[str, Any], call: Call) -> JSON:
        return self._send_file("document", params, call)

    def _send_file(self, kind: str, params: dict[str, Any], call: Call) -> JSON:
        """A multipart upload of new bytes (a file_id or URL string is refused: the bot only
        ever sends files it made). Photos must be images Telegram can read (PNG or JPEG)."""
        chat_id = self._target_chat(params)
        data = call.files.get(kind)
        if data is None:
            raise TelegramApiError(400, f"Bad Request: there is no {kind} in the request")
        if kind == "photo" and not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            raise TelegramApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = params.get("caption")
        if isinstance(caption, str) and _utf16_len(caption) > 1024:
            raise TelegramApiError(400, "Bad Request: message caption is too long")
        if self.enforce_limits:
            self._check_flood(chat_id)
        name = call.filenames.get(kind, "")
        number = len(self._uploads) + 1
        unique = f"fake-{kind}-{number}"
        message: JSON = {
            "message_id": self._take_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat_for(chat_id),
            "date": int(time.time()),
        }
        if kind == "photo":
            message["photo"] = [
                {"file_id": unique, "file_unique_id": unique, "width": 800, "height": 600}
            ]
        else:
            message["document"] = {
                "file_id": unique,
                "file_unique_id": unique,
                "file_name": name,
                "file_size": len(data),
            }
        if isinstance(caption, str) and caption:
            message["caption"] = caption
        self._messages[(chat_id, message["message_id"])] = message
        self._uploads.append(Upload(chat_id, kind, name, data, str(caption or "")))
        return dict(message)

    def _send_chat_action(self, params: dict[str, Any], call: Call) -> bool:
        self._target_chat(params)
        return True

    def _edit_message_text(self, params: dict[str, Any], call: Call) -> JSON | bool:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > _MAX_TEXT:
            raise TelegramApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._check_text(text, params.get("parse_mode"))
        self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("text") == text and message.get("reply_markup") == new_markup:
            raise TelegramApiError(400, NOT_MODIFIED)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        else:
            message.pop("entities", None)
        if new_markup is None:  # editing without reply_markup removes the keyboard
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        return dict(message)

    def _edit_message_reply_markup(self, params: dict[str, Any], call: Call) -> JSON | bool:
        self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("reply_markup") == new_markup:
            raise TelegramApiError(400, NOT_MODIFIED)
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return dict(message)

    def _answer_callback_query(self, params: dict[str, Any], call: Call) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise TelegramApiError(400, QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > 200:
            raise TelegramApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        return True

    def _delete_message(self, params: dict[str, Any], call: Call) -> bool:
        chat_id = self._target_chat(params)
        key = (chat_id, int(params.get("message_id") or 0))
        if key not in self._messages:
            raise TelegramApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        return True

    def _get_chat(self, params: dict[str, Any], call: Call) -> JSON:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        if chat_id is None or chat_id not in self._chats:
            raise TelegramApiError(400, "Bad Request: chat not found")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ---- helpers (lock held) ---------------------------------------------------------------

    def _enqueue(self, update: JSON) -> int:
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        update_id = int(update["update_id"])
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._history[update_id] = json.loads(json.dumps(update))
        self._pending.append(update)
        self._cond.notify_all()
        return update_id

    def _take_message_id(self, chat_id: int) -> int:
        number = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = number + 1
        return number

    def _user(
        self,
        user_id: int,
        *,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "language_code": "en",
        }
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        return user

    def _new_chat(
        self, chat_id: int, chat_type: str, *, title: str | None, user: JSON | None
    ) -> JSON:
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            user = user or {}
            chat["first_name"] = user.get("first_name") or f"User{chat_id}"
            for key in ("last_name", "username"):
                if user.get(key):
                    chat[key] = user[key]
        else:
            chat["title"] = title or f"Group {chat_id}"
        return chat

    def _chat_for(self, chat_id: int) -> JSON:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id < 0:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _resolve_chat_id(self, raw: Any) -> int | None:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            for chat_id, chat in self._chats.items():
                if str(chat.get("username", "")).lower() == name:
                    return chat_id
        return None

    def _target_chat(self, params: dict[str, Any]) -> int:
        if params.get("chat_id") in (None, ""):
            raise TelegramApiError(400, "Bad Request: chat_id is empty")
        chat_id = self._resolve_chat_id(params["chat_id"])
        if chat_id is None or (self.strict_chats and chat_id not in self._chats):
            raise TelegramApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise TelegramApiError(403, self._blocked[chat_id])
        return chat_id

    def _editable(self, params: dict[str, Any]) -> JSON:
        chat_id = self._target_chat(params)
        message = self._messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None:
            raise TelegramApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise TelegramApiError(400, "Bad Request: message can't be edited")
        return message

    def _check_flood(self, chat_id: int) -> None:
        now = self.clock()
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if len(self._sends) >= 30:
            raise _too_many(max(1, math.ceil(self._sends[0] + 1.0 - now)))
        if chat_id < 0:
            window = self._group_sends.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= 20:
                raise _too_many(max(1, math.ceil(window[0] + 60.0 - now)))
            window.append(now)
        self._sends.append(now)

    def _check_text(self, text: str, parse_mode: Any) -> None:
        if not self.validate_markup or not parse_mode:
            return
        mode = str(parse_mode).lower()
        problem = None
        if mode == "html":
            problem = _html_problem(text)
        elif mode == "markdownv2":
            problem = _markdown_v2_problem(text)
        if problem:
            raise TelegramApiError(400, f"Bad Request: can't parse entities: {problem}")

    def _check_markup(self, markup: Any) -> None:
        if markup is None:
            return
        if not isinstance(markup, dict):
            raise TelegramApiError(
                400, "Bad Request: can't parse reply keyboard markup JSON object"
            )
        rows = markup.get("inline_keyboard")
        if rows is None:
            return
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not str(button.get("text", "")):
                    raise TelegramApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )


# ---- encoding helpers ------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _scope_key(scope: Any) -> str:
    if not scope:
        return json.dumps({"type": "default"})
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            return str(scope)
    return json.dumps(scope, sort_keys=True)


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def _decode_form_value(name: str, value: str) -> Any:
    if name == "chat_id":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _normalise_json_value(name: str, value: Any) -> Any:
    if name == "chat_id" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if name in _JSON_FIELDS and isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_body(
    content_type: str,
    body: bytes,
    query: str = "",
    filenames: dict[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str], dict[str, bytes]]:
    """Decode a Bot API request: (typed params, raw string values, uploaded files); each
    file's own name goes into `filenames` when given."""
    raw: dict[str, str] = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, bytes] = {}
    kind = content_type.split(";")[0].strip().lower()
    json_params: dict[str, Any] = {}
    if kind == "application/json" and body:
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("JSON body must be an object")
        json_params = loaded
    elif kind == "multipart/form-data":
        header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if part.get_filename() is not None:
                files[name] = data
                if filenames is not None:
                    filenames[name] = str(part.get_filename())
            else:
                raw[name] = data.decode(part.get_content_charset() or "utf-8")
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in raw.items()}
    params.update({k: _normalise_json_value(k, v) for k, v in json_params.items()})
    return params, raw, files


# ---- parse_mode validation (an approximation of Telegram's parser) ---------------------------

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)


class _HtmlChecker(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem:
            return
        if tag not in _HTML_TAGS:
            self.problem = f'Unsupported start tag "{tag}"'
        else:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.problem:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problem = f'Unexpected end tag "{tag}"'
        else:
            self.stack.pop()


def _html_problem(text: str) -> str | None:
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        return "Unexpected end of name token: escape & as &amp;"
    if re.search(r"<(?![a-zA-Z/])", text):
        return 'Unsupported start tag "": escape < as &lt;'
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.problem:
        return checker.problem
    if checker.stack:
        return f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    return None


_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _markdown_v2_problem(text: str) -> str | None:
    """Reserved characters must be escaped outside entities (links and code handled)."""
    index = 0
    in_code = False
    in_url = False
    link_depth = 0
    at_line_start = True
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            at_line_start = False
            continue
        if in_code:
            if text.startswith("```", index):
                in_code = False
                index += 3
            elif char == "`":
                in_code = False
                index += 1
            else:
                index += 1
            continue
        if in_url:
            if char == ")":
                in_url = False
            index += 1
            continue
        if char == "`":
            in_code = True
            index += 3 if text.startswith("```", index) else 1
        elif char in "*_~":
            index += 1
        elif text.startswith("||", index):
            index += 2
        elif char == "[":
            link_depth += 1
            index += 1
        elif char == "]" and link_depth:
            link_depth -= 1
            if text.startswith("](", index):
                in_url = True
                index += 2
            else:
                index += 1
        elif char == ">" and at_line_start:
            index += 1
        elif char in _MD_RESERVED:
            return f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        else:
            index += 1
        at_line_start = char == "\n"
    return None


# ---- HTTP ------------------------------------------------------------------------------------

_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>[A-Za-z]+)/?$")


class _Handler(JsonHandler):
    fake: FakeTelegramServer

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        found = _PATH.match(parts.path)
        body = self._body()
        if found is None:
            self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        content_type = self.headers.get("Content-Type") or ""
        filenames: dict[str, str] = {}
        try:
            params, raw, files = parse_body(content_type, body, parts.query, filenames)
        except (ValueError, UnicodeDecodeError) as error:
            self._json(
                400,
                {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
            )
            return
        call = Call(
            method=found.group("method"),
            params=params,
            token=found.group("token"),
            http_method=self.command,
            content_type=content_type,
            raw=raw,
            files=files,
            filenames=filenames,
            at=time.time(),
        )
        status, payload = self.fake._process(call)
        self._json(status, payload)
