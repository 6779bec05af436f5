"""Telegram through python-telegram-bot: long polling by default, a webhook when configured.
It only translates Updates to Inbound messages and Replies to Bot API calls."""

from __future__ import annotations

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
from telegram.error import BadRequest
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from secbot.config import Settings
from secbot.domain.enums import ChatKind
from secbot.engine.messages import Inbound, Reply
from secbot.engine.registry import telegram_commands
from secbot.transports.runner import EngineRunner

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
    return Inbound(**common, text=message.text)


class TelegramTransport:
    def __init__(self, settings: Settings, runner: EngineRunner) -> None:
        assert settings.telegram_token is not None
        self.settings = settings
        self.runner = runner
        builder = ApplicationBuilder().token(settings.telegram_token.get_secret_value())
        if settings.telegram_base_url:
            base = settings.telegram_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))  # type: ignore[arg-type]
        if settings.telegram_webhook_url:
            builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))

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
        await self.app.start()
        if not self.webhook and self.app.updater is not None:
            await self.app.updater.start_polling(
                allowed_updates=UPDATES, drop_pending_updates=False
            )

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def feed(self, data: dict[str, Any]) -> None:
        """Webhook mode: the HTTP layer hands over a verified update."""
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is not None:
            if change.new_chat_member.status in GONE:
                await self.runner.bot_removed(
                    PLATFORM, "", str(change.chat.id), f"telegram: {change.new_chat_member.status}"
                )
            return
        inbound = to_inbound(update)
        query = update.callback_query
        if inbound is None:
            if query is not None:
                await query.answer()
            return
        if query is not None and inbound.chat_kind is ChatKind.GROUP:
            # A button pressed in a group (an alert's Acknowledge): the answer is for the
            # presser alone, as a notice on their screen, not a message to the whole room.
            replies = await self.runner.handle(inbound)
            text = " ".join(r.text for r in replies)
            await query.answer(text[:TOAST_CHARS] or None, show_alert=len(text) > 120)
            return
        if query is not None:
            await query.answer()
        replies = await self.runner.handle(inbound)
        source = query.message if query is not None and isinstance(query.message, Message) else None
        await self.send(int(inbound.chat_id), replies, edit=source)

    async def send(self, chat_id: int, replies: list[Reply], edit: Message | None = None) -> None:
        for reply in replies:
            parts = split(reply.text) or ["…"]
            if edit is not None and reply.form is not None and len(parts) == 1:
                try:
                    await self.app.bot.edit_message_text(
                        parts[0],
                        chat_id=chat_id,
                        message_id=edit.message_id,
                        reply_markup=markup(reply),
                    )
                    edit = None
                    continue
                except BadRequest as error:  # e.g. the message is too old to edit
                    log.info("could not edit form message: %s", error)
            edit = None
            for n, part in enumerate(parts):
                last = n == len(parts) - 1
                await self.app.bot.send_message(
                    chat_id, part, reply_markup=markup(reply) if last else None
                )
