"""Telegram through python-telegram-bot: long polling by default, a webhook when configured.
It only translates Updates to inbox arrivals and an entry's Replies to Bot API calls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from secbot.config import Settings
from secbot.domain.enums import ChatKind
from secbot.engine.messages import Inbound, Reply
from secbot.engine.registry import telegram_commands
from secbot.inbox.intake import Intake
from secbot.inbox.store import Arrival, Entry
from secbot.transports.files_out import telegram_send_files

log = logging.getLogger(__name__)
PLATFORM = "telegram"
MAX_TEXT = 4096
TOAST_CHARS = 200  # answerCallbackQuery's text limit
COMMANDS = telegram_commands()


UPDATES = ["message", "callback_query", "my_chat_member"]
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.payload[:64]) for b in row]
            for row in reply.buttons
        ]
    )


def split(text: str) -> list[str]:
    """Telegram refuses messages over 4,096 characters: cut at line breaks."""
    parts: list[str] = []
    while len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        cut = cut if cut > 0 else MAX_TEXT
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


def to_inbound(update: Update) -> Inbound | None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or user.is_bot:
        return None
    kind = ChatKind.DIRECT if chat.type == ChatType.PRIVATE else ChatKind.GROUP
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "workspace": "",
        "user_id": str(user.id),
        "chat_id": str(chat.id),
        "chat_kind": kind,
        "display_name": user.full_name,
        "message_key": str(update.update_id),
    }
    if update.callback_query is not None:
        return Inbound(**common, payload=update.callback_query.data or "")
    message = update.effective_message
    if message is None or message.text is None:
        return None
    return Inbound(**common, text=message.text, addressed=addressed(message))


def addressed(message: Message) -> bool:
    """A command, a mention, or a reply to the bot: in a group, only these are for us."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    kinds = {entity.type for entity in message.entities or ()}
    replied = message.reply_to_message
    to_bot = replied is not None and replied.from_user is not None and replied.from_user.is_bot
    command = (message.text or "").startswith("/")
    return bool(kinds & {"bot_command", "mention"}) or command or to_bot


class TelegramTransport:
    """Polling is driven here, not by python-telegram-bot's Updater: the next getUpdates
    offset (which confirms every update before it to Telegram) is asked for only after the
    updates before it are stored in the inbox. A webhook answers 200 only after storing."""

    def __init__(self, settings: Settings, intake: Intake, poll_timeout: int = 25) -> None:
        assert settings.telegram_token is not None
        self.settings = settings
        self.intake = intake
        self.poll_timeout = poll_timeout
        builder = ApplicationBuilder().token(settings.telegram_token.get_secret_value())
        if settings.telegram_base_url:
            base = settings.telegram_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))  # type: ignore[arg-type]
        builder = builder.updater(None).get_updates_read_timeout(poll_timeout + 10)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self._polling: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        intake.worker.add_transport(PLATFORM, self.deliver, self.send_direct)

    @property
    def webhook(self) -> bool:
        return self.settings.telegram_webhook_url is not None

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
        if self.webhook:
            secret = self.settings.telegram_webhook_secret
            await self.app.bot.set_webhook(
                url=str(self.settings.telegram_webhook_url),
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=UPDATES,
            )
        else:
            await self.app.bot.delete_webhook(drop_pending_updates=False)
            self._stopping.clear()
            self._polling = asyncio.create_task(self._poll())

    async def pause(self) -> None:
        """Take no more updates; replies can still be sent."""
        self._stopping.set()
        if self._polling is not None:
            self._polling.cancel()  # an unconfirmed update is simply fetched again next time
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None

    async def stop(self) -> None:
        await self.pause()
        await self.app.shutdown()

    async def _poll(self) -> None:
        offset: int | None = None
        delay = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=UPDATES
                )
                await self.take(updates)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Telegram or the network: back off, keep the offset
                log.warning("getUpdates failed: %s", error, extra={"platform": PLATFORM})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            if updates:
                offset = updates[-1].update_id + 1

    async def feed(self, data: dict[str, Any]) -> None:
        """Webhook mode: a verified update; stored before the HTTP answer goes back."""
        await self.take([Update.de_json(data, self.app.bot)])

    async def take(self, updates: list[Update]) -> None:
        """Store what these updates ask of us; returns only once it is durable."""
        arrivals = []
        for update in updates:
            change = update.my_chat_member
            if change is not None:
                if change.new_chat_member.status in GONE:
                    reason = f"telegram: {change.new_chat_member.status}"
                    await self.intake.bot_removed(PLATFORM, "", str(change.chat.id), reason)
                continue
            inbound = to_inbound(update)
            query = update.callback_query
            if inbound is None:
                if query is not None:
                    with contextlib.suppress(TelegramError):
                        await query.answer()
                continue
            context: dict[str, Any] = {}
            if query is not None:
                context["callback_id"] = query.id
                if isinstance(query.message, Message):
                    context["message_id"] = query.message.message_id
            arrivals.append(Arrival(f"tg:{update.update_id}", inbound, context))
        await self.intake.accept(arrivals)

    async def deliver(self, entry: Entry, replies: list[Reply]) -> None:
        """Send one entry's replies: a button pressed in a group is answered to the presser
        alone, as a notice; otherwise the messages go to the chat, a form's step replacing the
        message whose button was pressed."""
        callback = entry.context.get("callback_id")
        chat_id = int(entry.inbound.chat_id)
        if callback and entry.inbound.chat_kind is ChatKind.GROUP:
            text = " ".join(r.text for r in replies)
            await self._answer_callback(str(callback), text[:TOAST_CHARS] or None, len(text) > 120)
            return
        if callback:
            await self._answer_callback(str(callback), None, False)
        await self.send(chat_id, replies, edit_id=entry.context.get("message_id"))

    async def send_direct(self, _workspace: str, user_id: str, text: str) -> None:
        """A direct notice: a private chat's id is the user's id. Raises if Telegram refused."""
        await self.send(int(user_id), [Reply(text)])

    async def _answer_callback(self, query_id: str, text: str | None, alert: bool) -> None:
        try:
            await self.app.bot.answer_callback_query(query_id, text, show_alert=alert)
        except BadRequest as error:  # too old to answer (after a restart): the reply still goes
            log.info("callback not answered: %s", error)

    async def send(self, chat_id: int, replies: list[Reply], edit_id: int | None = None) -> None:
        """Each reply's text, then its files (an image as a photo, others as documents). Only
        the first reply may replace the form message whose button was pressed."""
        for n, reply in enumerate(replies):
            await self._send_text(chat_id, reply, edit_id if n == 0 else None)
            if reply.attachments:
                await telegram_send_files(self.app.bot, chat_id, reply.attachments)

    async def _send_text(self, chat_id: int, reply: Reply, edit_id: int | None) -> None:
        parts = split(reply.text) or ["…"]
        if edit_id is not None and reply.form is not None and len(parts) == 1:
            try:
                await self.app.bot.edit_message_text(
                    parts[0], chat_id=chat_id, message_id=edit_id, reply_markup=markup(reply)
                )
                return
            except BadRequest as error:  # e.g. the message is too old to edit
                log.info("could not edit form message: %s", error)
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            await self.app.bot.send_message(
                chat_id, part, reply_markup=markup(reply) if last else None
            )
