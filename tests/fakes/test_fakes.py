"""The Telegram and Slack fakes, driven by the real client libraries over real HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import logging
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.slack_server import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    FakeSlackServer,
    block_action,
    event_app_mention,
    event_message,
    retry_headers,
    sign,
    signed_headers,
    slash_command,
    url_verification,
    view_submission,
)
from tests.fakes.telegram_server import NOT_MODIFIED, FakeTelegramServer

TOKEN = "123456:TEST-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tg() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server


def make_bot(server: FakeTelegramServer, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=f"{server.url}/bot")


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="confirm:1"),
                InlineKeyboardButton("No", callback_data="cancel:1"),
            ]
        ]
    )


# ---- Telegram --------------------------------------------------------------------------------


def test_get_me_and_form_encoding(tg: FakeTelegramServer) -> None:
    async def scenario() -> None:
        async with make_bot(tg) as bot:  # initialize() calls getMe
            me = await bot.get_me()
            assert me.is_bot and me.username == "secbot_test_bot" and me.id == 7_000_000_001
            assert bot.username == "secbot_test_bot"

    asyncio.run(scenario())
    assert [c.method for c in tg.calls] == ["getMe", "getMe"]
    assert all(c.token == TOKEN for c in tg.calls)
    assert tg.calls[0].content_type == ""  # no parameters: an empty POST


def test_send_edit_and_delete(tg: FakeTelegramServer) -> None:
    async def scenario() -> None:
        async with make_bot(tg) as bot:
            first = await bot.send_message(42, "Report received", reply_markup=keyboard())
            second = await bot.send_message(42, "Another")
            other = await bot.send_message(-1001234, "In a group")
            assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
            assert first.chat.type == "private" and other.chat.type == "supergroup"
            assert first.from_user is not None and first.from_user.is_bot
            assert first.reply_markup == keyboard()

            edited = await bot.edit_message_text("Confirmed", chat_id=42, message_id=1)
            assert isinstance(edited, type(first))
            assert edited.text == "Confirmed" and edited.edit_date is not None
            assert edited.reply_markup is None  # no reply_markup in an edit removes it
            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await bot.edit_message_text("Confirmed", chat_id=42, message_id=1)
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("x", chat_id=42, message_id=99)
            assert await bot.delete_message(42, 2)
            with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
                await bot.delete_message(42, 2)

    asyncio.run(scenario())
    sent = tg.sent(chat_id=42)
    assert [p["text"] for p in sent] == ["Report received", "Another"]
    assert sent[0]["chat_id"] == 42  # decoded from the form string "42"
    assert sent[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "confirm:1"
    first_call = tg.calls_to("sendMessage")[0]
    assert first_call.content_type == "application/x-www-form-urlencoded"
    assert first_call.raw["chat_id"] == "42"
    assert first_call.raw["reply_markup"].startswith('{"inline_keyboard"')
    assert [e["text"] for e in tg.edits()] == ["Confirmed"]
    assert [m["text"] for m in tg.messages(42)] == ["Confirmed"]
    assert NOT_MODIFIED in str(tg.calls_to("editMessageText")[1].response)


def test_commands_and_get_chat(tg: FakeTelegramServer) -> None:
    async def scenario() -> None:
        async with make_bot(tg) as bot:
            commands = [BotCommand("start", "Start"), BotCommand("report", "File a report")]
            assert await bot.set_my_commands(commands)
            assert await bot.set_my_commands(
                [BotCommand("admin", "Admin tools")], scope=BotCommandScopeChat(42)
            )
            got = await bot.get_my_commands()
            assert [c.command for c in got] == ["start", "report"]
            with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
                await bot.set_my_commands([BotCommand("Bad Command", "x")])

            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await bot.get_chat(777)
            tg.add_chat(-100777, chat_type="supergroup", title="Ministry")
            chat = await bot.get_chat(-100777)
            assert chat.title == "Ministry" and chat.type == "supergroup"

    asyncio.run(scenario())
    assert [c["command"] for c in tg.commands()] == ["start", "report"]
    assert [c["command"] for c in tg.commands({"type": "chat", "chat_id": 42})] == ["admin"]


def test_get_updates_offsets_callbacks_and_redelivery(tg: FakeTelegramServer) -> None:
    first = tg.push_message(42, 42, "/start", username="alice", first_name="Alice")
    second = tg.push_message(-100500, 7, "hello group", chat_type="supergroup", title="Ops")

    async def scenario() -> None:
        async with make_bot(tg) as bot:
            updates = await bot.get_updates(timeout=0)
            assert [u.update_id for u in updates] == [first, second]
            start = updates[0].message
            assert start is not None and start.text == "/start"
            assert start.from_user is not None and start.from_user.username == "alice"
            assert start.entities[0].type == "bot_command"
            assert updates[1].effective_chat is not None
            assert updates[1].effective_chat.title == "Ops"

            # confirmed by the offset: gone; an empty long poll returns within the 1 s cap
            began = time.monotonic()
            assert await bot.get_updates(offset=second + 1, timeout=5) == ()
            assert time.monotonic() - began < 3

            sent = await bot.send_message(42, "Pick one", reply_markup=keyboard())
            press = tg.push_callback(42, 42, "confirm:1", sent.message_id)
            (update,) = await bot.get_updates(offset=second + 1, timeout=1)
            query = update.callback_query
            assert update.update_id == press and query is not None
            assert query.data == "confirm:1" and query.message is not None
            assert query.message.message_id == sent.message_id
            assert await query.answer("Thanks")
            with pytest.raises(BadRequest, match=r"(?i)query is too old"):
                await query.answer("again")

            tg.redeliver(first)
            (again,) = await bot.get_updates(offset=press + 1, timeout=0)
            assert again.update_id == first
            assert again.message is not None and again.message.text == "/start"

    asyncio.run(scenario())
    assert tg.answers()[0]["text"] == "Thanks"
    assert tg.pending_updates() == 0


def test_push_raw_and_json_and_multipart_bodies(tg: FakeTelegramServer) -> None:
    update_id = tg.push_raw(
        {
            "edited_message": {
                "message_id": 5,
                "date": 1,
                "edit_date": 2,
                "chat": {"id": 42, "type": "private", "first_name": "A"},
                "text": "fixed",
            }
        }
    )
    base = f"{tg.url}/bot{TOKEN}"
    request = urllib.request.Request(
        f"{base}/sendmessage",  # method names are case-insensitive
        data=json.dumps(
            {"chat_id": "42", "text": "123", "reply_markup": {"inline_keyboard": []}}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.loads(response.read())
    assert body["ok"] and body["result"]["text"] == "123"
    multipart = httpx.post(
        f"{base}/sendMessage",
        data={"chat_id": "-5", "text": "true"},
        files={"document": ("a.txt", b"hello")},
        timeout=5,
    )
    assert multipart.json()["result"]["chat"]["type"] == "group"
    got = httpx.get(f"{base}/getUpdates", params={"timeout": "0"}, timeout=5).json()
    assert got["result"][0]["update_id"] == update_id
    params = [c.params for c in tg.calls_to("sendMessage")]
    assert params[0] == {"chat_id": 42, "text": "123", "reply_markup": {"inline_keyboard": []}}
    assert params[1] == {"chat_id": -5, "text": "true"}
    assert tg.calls_to("sendMessage")[1].files == {"document": b"hello"}
    assert httpx.post(f"{base}/noSuchMethod", timeout=5).status_code == 404


def test_errors_surface_as_ptb_exceptions(
    tg: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta

    async def scenario() -> None:
        async with make_bot(tg) as bot:
            tg.fail_next("sendMessage", 429, retry_after=3)
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(42, "hi")
            assert caught.value.retry_after == dtm.timedelta(seconds=3)
            tg.fail_next("sendMessage", 403)
            with pytest.raises(Forbidden, match=r"(?i)kicked from the group chat"):
                await bot.send_message(-42, "hi")
            tg.fail_next("*", 502, times=2)
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(42, "hi")
            with pytest.raises(NetworkError):
                await bot.get_me()
            tg.block_chat(43)
            with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
                await bot.send_message(43, "hi")
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(42, "<b>bold", parse_mode="HTML")
            with pytest.raises(BadRequest, match=r"(?i)reserved"):
                await bot.send_message(42, "Done.", parse_mode="MarkdownV2")
            ok = await bot.send_message(42, "*Done*\\. [link](https://x.example/a_b)", "MarkdownV2")
            assert ok.message_id == 1

    asyncio.run(scenario())
    statuses = [c.status for c in tg.calls_to("sendMessage")]
    assert statuses == [429, 403, 502, 403, 400, 400, 200]
    assert len(tg.sent()) == 1

    strict = FakeTelegramServer(token=TOKEN, strict_chats=True)
    with strict:

        async def strict_scenario() -> None:
            with pytest.raises(InvalidToken):
                await make_bot(strict, "999:wrong").get_me()
            async with make_bot(strict) as bot:
                with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                    await bot.send_message(42, "hi")
                strict.push_message(42, 42, "hi")
                assert (await bot.send_message(42, "hello")).message_id == 2

        asyncio.run(strict_scenario())


def test_flood_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = FakeClock()
    with FakeTelegramServer(enforce_limits=True, clock=clock) as server:

        async def scenario() -> None:
            async with make_bot(server) as bot:
                for _ in range(20):
                    await bot.send_message(-100900, "x")
                with pytest.raises(RetryAfter):
                    await bot.send_message(-100900, "x")
                for chat in range(1, 11):
                    await bot.send_message(chat, "x")
                with pytest.raises(RetryAfter, match="Flood control"):
                    await bot.send_message(99, "x")  # 31st in the same second
                clock.now += 1.5
                await bot.send_message(99, "x")
                with pytest.raises(RetryAfter):
                    await bot.send_message(-100900, "x")  # 20 a minute per group
                clock.now += 60
                await bot.send_message(-100900, "x")

        asyncio.run(scenario())
        failed = [c.response for c in server.calls_to("sendMessage") if c.status == 429]
        assert [r["parameters"]["retry_after"] for r in failed if r] == [60, 1, 59]


def test_chaos_is_seeded() -> None:
    def run(seed: int) -> list[int]:
        with FakeTelegramServer() as server, httpx.Client(base_url=server.url) as http:
            server.chaos(p_429=0.3, p_5xx=0.2, seed=seed)
            for _ in range(30):
                http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 1, "text": "x"})
            http.post(f"/bot{TOKEN}/getMe")
            return [c.status for c in server.calls]

    first, again, other = run(7), run(7), run(8)
    assert first == again != other
    assert {429, 502, 200} <= set(first) and first[-1] == 200


def test_application_polls_and_replies(tg: FakeTelegramServer) -> None:
    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome", reply_markup=keyboard())

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"chose {query.data}")

    async def scenario() -> None:
        app = ApplicationBuilder().token(TOKEN).base_url(f"{tg.url}/bot").build()
        app.add_handler(CommandHandler("start", on_start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
        app.add_handler(CallbackQueryHandler(on_press))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=dtm.timedelta(seconds=10), poll_interval=0)
            tg.push_message(42, 42, "/start", first_name="Alice")
            tg.push_message(42, 42, "what is a security plan?")
            await asyncio.to_thread(tg.wait_for, "sendMessage", 2, 10)
            welcome = tg.sent(42)[0]
            welcome_id = next(m["message_id"] for m in tg.messages(42) if m["text"] == "Welcome")
            tg.push_callback(42, 42, "confirm:1", message_id=welcome_id)
            await asyncio.to_thread(tg.wait_for, "editMessageText", 1, 10)
            await app.updater.stop()
            await app.stop()
        assert welcome["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"

    began = time.monotonic()
    asyncio.run(asyncio.wait_for(scenario(), timeout=30))
    assert time.monotonic() - began < 15
    methods = [c.method for c in tg.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert [p["text"] for p in tg.sent(42)] == ["Welcome", "echo: what is a security plan?"]
    assert tg.edits()[0]["text"] == "chose confirm:1"
    assert len(tg.answers()) == 1
    assert tg.pending_updates() == 0


# ---- Slack -----------------------------------------------------------------------------------


def bolt_request(body: bytes, headers: Mapping[str, str]) -> BoltRequest:
    wire: dict[str, str | Sequence[str]] = dict(headers)
    return BoltRequest(body=body.decode(), headers=wire)


def make_client(server: FakeSlackServer, **kwargs: Any) -> WebClient:
    return WebClient(token="xoxb-test", base_url=f"{server.url}/api/", **kwargs)


def test_slack_web_api_basics(slack: FakeSlackServer) -> None:
    client = make_client(slack)
    auth = client.auth_test()
    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == (TEAM_ID, BOT_USER_ID, BOT_ID)

    posted = client.chat_postMessage(channel="C123", text="hello", blocks=[{"type": "divider"}])
    assert posted["ok"] and posted["channel"] == "C123"
    assert posted["message"]["text"] == "hello" and posted["message"]["bot_id"] == BOT_ID
    later = client.chat_postMessage(channel="C123", text="again")
    assert float(later["ts"]) > float(posted["ts"])

    updated = client.chat_update(channel="C123", ts=posted["ts"], text="edited")
    assert updated["text"] == "edited"
    assert slack.message("C123", posted["ts"]) == {**updated["message"]}

    eph = client.chat_postEphemeral(channel="C123", user="U777", text="only you")
    assert eph["message_ts"]

    view = {
        "type": "modal",
        "callback_id": "report",
        "title": {"type": "plain_text", "text": "Report"},
        "blocks": [],
        "private_metadata": "draft-1",
    }
    opened = client.views_open(trigger_id="123.456.abc", view=view)
    assert opened["view"]["id"].startswith("V") and opened["view"]["private_metadata"] == "draft-1"
    updated_view = client.views_update(
        view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=view
    )
    assert updated_view["view"]["root_view_id"] == opened["view"]["id"]

    info = client.conversations_info(channel="C123")
    assert info["channel"]["is_channel"] and info["channel"]["is_member"]
    assert client.users_info(user="U777")["user"]["id"] == "U777"
    dm = client.chat_postMessage(channel="U777", text="dm")  # a user id posts to the DM
    assert dm["channel"] == "D777"

    assert [p["text"] for p in slack.posted("C123")] == ["hello", "again"]
    assert slack.posted("C123")[0]["blocks"] == [{"type": "divider"}]
    assert [p["text"] for p in slack.ephemerals()] == ["only you"]
    assert [v["view"]["callback_id"] for v in slack.views()] == ["report", "report"]
    assert all(c.token == "xoxb-test" for c in slack.calls)
    assert slack.calls_to("auth.test")[0].content_type == "application/x-www-form-urlencoded"
    assert slack.calls_to("chat.postMessage")[0].content_type.startswith("application/json")


def test_slack_errors(slack: FakeSlackServer) -> None:
    client = make_client(slack)
    slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C123", text="hi")
    assert caught.value.response["error"] == "channel_not_found"
    assert caught.value.response.status_code == 200

    with (
        pytest.warns(UserWarning, match="text"),  # slack_sdk warns before it sends
        pytest.raises(SlackApiError, match="no_text"),
    ):
        client.chat_postMessage(channel="C123", text="")
    slack.add_channel("C_ARCH", is_archived=True)
    slack.add_channel("C_OUT", is_member=False)
    with pytest.raises(SlackApiError, match="is_archived"):
        client.chat_postMessage(channel="C_ARCH", text="hi")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        client.chat_postMessage(channel="C_OUT", text="hi")
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("no.such_method")

    slack.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as server_error:
        client.chat_postMessage(channel="C123", text="hi")
    assert server_error.value.response.status_code == 503

    slack.fail_next("chat.postMessage")  # 429 without a retry handler reaches the caller
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C123", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert limited.value.response["error"] == "ratelimited"

    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=f"{slack.url}/api/").auth_test()
    with FakeSlackServer(token="xoxb-right", strict=True) as strict:
        with pytest.raises(SlackApiError, match="invalid_auth"):
            make_client(strict).auth_test()
        good = WebClient(token="xoxb-right", base_url=f"{strict.url}/api/")
        with pytest.raises(SlackApiError, match="channel_not_found"):
            good.chat_postMessage(channel="C404", text="hi")
        with pytest.raises(SlackApiError, match="user_not_found"):
            good.users_info(user="U404")
        strict.add_channel("C1")
        assert good.chat_postMessage(channel="C1", text="hi")["ok"]


def test_slack_rate_limit_retry_handler(slack: FakeSlackServer) -> None:
    client = make_client(slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    slack.fail_next("chat.postMessage", retry_after=0)  # the handler sleeps Retry-After + <1 s
    response = client.chat_postMessage(channel="C123", text="eventually")
    assert response["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.posted()) == 1


def test_slack_limits_and_chaos() -> None:
    clock = FakeClock()
    with FakeSlackServer(enforce_limits=True, clock=clock) as server:
        client = make_client(server)
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C2", text="other channel")
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="too fast")
        assert caught.value.response.status_code == 429
        clock.now += 1.0
        client.chat_postMessage(channel="C1", text="two")
        assert [p["text"] for p in server.posted("C1")] == ["one", "two"]

    def run(seed: int) -> list[int]:
        with FakeSlackServer() as server:
            server.chaos(p_429=0.3, p_5xx=0.2, seed=seed)
            client = make_client(server)
            for _ in range(30):
                with contextlib.suppress(SlackApiError):
                    client.chat_postMessage(channel="C1", text="x")
            return [c.status for c in server.calls]

    assert run(3) == run(3) != run(4)
    assert {200, 429, 500} <= set(run(3))


def test_async_client_against_fake(slack: FakeSlackServer) -> None:
    async def scenario() -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=f"{slack.url}/api/")
        assert (await client.auth_test())["user_id"] == BOT_USER_ID
        assert (await client.chat_postMessage(channel="C9", text="async"))["ok"]

    asyncio.run(scenario())
    assert slack.posted("C9")[0]["text"] == "async"


def test_sign_matches_slack_sdk() -> None:
    body = slash_command(TEAM_ID, "D123", "U777", "help")
    verifier = SignatureVerifier(SECRET)
    headers = sign(body, SECRET)
    assert verifier.is_valid_request(body, headers)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    fixed = sign(b"x=1", SECRET, timestamp=1_531_420_618)
    assert fixed["X-Slack-Signature"] == verifier.generate_signature(
        timestamp="1531420618", body=b"x=1"
    )
    assert not verifier.is_valid_request(body, sign(body, "wrong-secret"))
    assert not verifier.is_valid_request(body, sign(body, SECRET, int(time.time()) - 600))
    assert not verifier.is_valid_request(body + b"&x=1", headers)


def test_bolt_app_handles_built_requests(slack: FakeSlackServer) -> None:
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    app = App(
        signing_secret=SECRET,
        client=make_client(slack),
        token_verification_enabled=False,
        process_before_response=True,
    )
    seen: dict[str, Any] = {}

    @app.event("message")
    def on_message(event: dict[str, Any], say: Say) -> None:
        seen["message"] = event
        say(f"echo: {event['text']}")

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], say: Say) -> None:
        say(text="mentioned", thread_ts=event["ts"])

    @app.command("/secbot")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        seen["command"] = command
        client.views_open(
            trigger_id=command["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "report",
                "title": {"type": "plain_text", "text": "Report"},
                "blocks": [],
            },
        )
        respond("opening the form")

    @app.action("approve")
    def on_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(
            channel=body["channel"]["id"], ts=body["container"]["message_ts"], text="approved"
        )

    @app.view("report")
    def on_submit(ack: Ack, view: dict[str, Any]) -> None:
        seen["values"] = view["state"]["values"]
        seen["metadata"] = view["private_metadata"]
        ack()

    def dispatch(body: bytes, extra: dict[str, str] | None = None) -> int:
        headers = {**signed_headers(body, SECRET), **(extra or {})}
        response = app.dispatch(bolt_request(body, headers))
        return response.status

    verification = url_verification("abc")
    challenge = app.dispatch(bolt_request(verification, signed_headers(verification, SECRET)))
    assert challenge.status == 200 and json.loads(challenge.body)["challenge"] == "abc"

    assert dispatch(event_message(TEAM_ID, "D123", "U777", "hello bot")) == 200
    assert slack.posted("D123")[0]["text"] == "echo: hello bot"
    assert seen["message"]["channel_type"] == "im"
    redelivered = event_message(TEAM_ID, "D123", "U777", "again", event_id="Ev1")
    assert dispatch(redelivered, retry_headers(1)) == 200  # bolt does not dedupe: the app must

    assert dispatch(event_app_mention(TEAM_ID, "C555", "U777", "status?")) == 200
    mention_reply = slack.posted("C555")[0]
    assert mention_reply["text"] == "mentioned" and mention_reply["thread_ts"]

    response_url = slack.response_url("cmd1")
    command = slash_command(TEAM_ID, "D123", "U777", "report", response_url=response_url)
    assert dispatch(command) == 200
    assert seen["command"]["text"] == "report"
    assert slack.views()[0]["trigger_id"] == seen["command"]["trigger_id"]
    assert slack.responses() == [{"text": "opening the form"}]

    button_msg = make_client(slack).chat_postMessage(channel="C555", text="approve?")
    click = block_action(TEAM_ID, "C555", "U777", "approve", "yes", message_ts=button_msg["ts"])
    assert dispatch(click) == 200
    assert slack.updates()[0]["text"] == "approved"
    assert (slack.message("C555", button_msg["ts"]) or {}).get("text") == "approved"

    submission = view_submission(
        TEAM_ID,
        "U777",
        "report",
        {"summary": {"summary_input": "Port drill done"}},
        private_metadata="draft-9",
    )
    assert dispatch(submission) == 200
    assert seen["values"]["summary"]["summary_input"]["value"] == "Port drill done"
    assert seen["metadata"] == "draft-9"

    stale = sign(command, SECRET, int(time.time()) - 3600)
    assert app.dispatch(bolt_request(command, stale)).status == 401
    assert parse_qs(command.decode())["command"] == ["/secbot"]
