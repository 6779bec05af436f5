"""Sending one alert message through each platform's own client library, and classifying what
the platform answered into an Outcome the outbox understands.

The clients run without their own retry or rate-limit layers: the dispatcher owns the limits and
the retries, so a 429 must reach it rather than be slept on inside a library.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import replace
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from secbot.alerts.outbox import Claimed, Failed, Moved, Outcome, Retry, Sent
from secbot.engine.messages import Button, Reply
from secbot.transports.files_out import slack_upload, telegram_send_files
from secbot.transports.slack_blocks import blocks, escape

log = logging.getLogger(__name__)
ACK_LABEL = "✔ Acknowledge"

# Telegram 400s that mean the bot can no longer write to the chat at all.
_TELEGRAM_GONE = (
    "chat not found",
    "have no rights to send",
    "not enough rights",
    "chat_write_forbidden",
    "group chat was deactivated",
    "need administrator rights",
    "bot is not a member",
    "chat is deactivated",
)
# Slack errors that end a delivery because the channel is lost to the bot.
_SLACK_GONE = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "channel_is_archived",
        "not_in_channel",
        "account_inactive",
        "team_access_not_granted",
        "restricted_action",
        "ekm_access_denied",
    }
)
# Slack errors worth trying again: the platform, not the request, had a problem.
_SLACK_TRANSIENT = frozenset(
    {
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
        "ratelimited",
        "invalid_auth",
        "not_authed",
        "token_revoked",
    }
)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """python-telegram-bot's Bot, with an HTTP timeout well inside the delivery lease."""

    platform = "telegram"

    def __init__(self, token: str, *, base_url: str | None, timeout: float) -> None:
        request = HTTPXRequest(
            connection_pool_size=64,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        base = (base_url or "https://api.telegram.org").rstrip("/")
        self.bot = Bot(token, base_url=f"{base}/bot", request=request)

    async def start(self) -> None:
        await self.bot.initialize()

    async def stop(self) -> None:
        await self.bot.shutdown()

    async def send(self, item: Claimed) -> Outcome:
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(ACK_LABEL, callback_data=item.ack_payload[:64])]]
            )
            if item.ack_payload
            else None
        )
        # A brief's chart and PDF follow its text. Each part that arrives is noted, and a
        # failure reports them, so the retry sends only the missing parts (Telegram bots cannot
        # read the chat to find out).
        done = list(item.parts_done)
        message_id = item.text_message_id
        try:
            if 0 not in done:
                message = await self.bot.send_message(
                    int(item.chat_id), item.text[:4096], reply_markup=markup
                )
                message_id = str(message.message_id)
                done.append(0)
            for n, f in enumerate(item.files, start=1):
                if n not in done:
                    await telegram_send_files(self.bot, int(item.chat_id), [f])
                    done.append(n)
        except TelegramError as error:
            outcome = _telegram_outcome(error)
            if isinstance(outcome, Retry) and done:
                return replace(outcome, parts_done=tuple(done), text_message_id=message_id)
            return outcome
        except ValueError:
            return Failed(f"telegram: chat id {item.chat_id!r} is not a number")
        return Sent(message_id)


def _telegram_outcome(error: TelegramError) -> Outcome:
    """What a Telegram error means for the delivery."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wait = _seconds(error.retry_after)
        return Retry(f"telegram 429: retry after {wait:g}s", wait, not_counted=True)
    if isinstance(error, ChatMigrated):
        return Moved(str(error.new_chat_id))
    if isinstance(error, Forbidden):
        return Failed(f"telegram: {error.message}", channel_gone=True)
    if isinstance(error, BadRequest):
        gone = any(marker in error.message.lower() for marker in _TELEGRAM_GONE)
        return Failed(f"telegram: {error.message}", channel_gone=gone)
    if isinstance(error, InvalidToken):
        return Retry(f"telegram: token refused ({error.message})")
    # NetworkError (5xx, timeouts, connection errors) and anything else: maybe later.
    return Retry(f"telegram: {error.message}")


METADATA_EVENT = "secbot_alert_delivery"


def _mark(item: Claimed) -> dict[str, str]:
    return {"delivery": str(item.delivery_id), "alert": str(item.alert_id)}


class SlackSender:
    """slack_sdk's AsyncWebClient with only the connection-error retry (no 429 sleeping)."""

    platform = "slack"

    def __init__(self, token: str, *, base_url: str | None, timeout: float) -> None:
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url or AsyncWebClient.BASE_URL,
            timeout=int(max(1, timeout)),
            retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
        )

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()

    async def send(self, item: Claimed) -> Outcome:
        if item.unsure or (item.files and item.attempt > 1):
            # A dead worker's send, or a brief whose upload failed after its text went out:
            # the text is there already, so only the files are (re)sent.
            earlier = await self._already_posted(item)
            if earlier is not None:
                return await self._files_only(item, earlier)
        buttons = ((Button(ACK_LABEL, item.ack_payload),),) if item.ack_payload else ()
        reply = Reply(item.text, buttons)
        try:
            response = await self.client.chat_postMessage(
                channel=item.chat_id,
                text=escape(item.text),
                blocks=blocks(reply),
                metadata={"event_type": METADATA_EVENT, "event_payload": _mark(item)},
            )
            if item.files:
                await slack_upload(self.client, item.chat_id, item.files)
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error") or f"http {status}")
            if status == 429:
                header = error.response.headers.get("Retry-After") or error.response.headers.get(
                    "retry-after"
                )
                wait = float(header) if header else 1.0
                return Retry(f"slack 429: retry after {wait:g}s", wait, not_counted=True)
            if code in _SLACK_GONE:
                return Failed(f"slack: {code}", channel_gone=True)
            if status >= 500 or code in _SLACK_TRANSIENT:
                return Retry(f"slack: {code}")
            return Failed(f"slack: {code}")
        except (TimeoutError, aiohttp.ClientError) as error:
            return Retry(f"slack: {type(error).__name__}")
        except SlackRequestError as error:  # the upload URL refused the bytes
            return Retry(f"slack upload: {error}"[:200])
        return Sent(str(response.get("ts") or ""))

    async def _files_only(self, item: Claimed, ts: str) -> Outcome:
        if not item.files:
            return Sent(ts)
        try:
            await slack_upload(self.client, item.chat_id, item.files)
        except (SlackApiError, SlackRequestError, TimeoutError, aiohttp.ClientError) as error:
            return Retry(f"slack upload: {error}"[:200])
        return Sent(ts)

    async def _already_posted(self, item: Claimed) -> str | None:
        """A worker died with this send unanswered: look for it in the channel (it carries our
        metadata) before posting again. Slack offers this; Telegram bots cannot read history.
        Any failure here means "not found": sending twice beats not sending."""
        try:
            response = await self.client.conversations_history(
                channel=item.chat_id,
                oldest=f"{item.alert_created_at - 60:.6f}",
                limit=200,
                include_all_metadata=True,
            )
        except (SlackApiError, TimeoutError, aiohttp.ClientError) as error:
            log.info("could not check history before resending: %s", error)
            return None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (
                metadata.get("event_payload") or {}
            ) == _mark(item):
                return str(message.get("ts") or "")
        return None
