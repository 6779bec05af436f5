"""Builds a Dispatcher from settings: one sender for each platform that has a token."""

from __future__ import annotations

from secbot.alerts.dispatcher import Dispatcher, Sender
from secbot.alerts.outbox import Limits, Policy
from secbot.config import Settings
from secbot.db.session import Database
from secbot.transports.alert_senders import SlackSender, TelegramSender
from secbot.transports.console_rooms import CONSOLE_LIMITS, ConsoleSender, Mailboxes


def limits_from(settings: Settings) -> dict[str, Limits]:
    return {
        "telegram": Limits(
            per_second=settings.telegram_messages_per_second,
            chat_spacing=settings.chat_spacing_seconds,
            group_spacing=settings.telegram_group_spacing_seconds,
        ),
        "slack": Limits(
            per_second=settings.slack_messages_per_second,
            chat_spacing=settings.chat_spacing_seconds,
            group_spacing=settings.chat_spacing_seconds,
        ),
        "console": CONSOLE_LIMITS,
    }


def build_dispatcher(settings: Settings, db: Database) -> Dispatcher | None:
    """None when no platform is configured: there is nowhere to send."""
    # The HTTP timeout stays well inside the lease, so a live claim is never taken over.
    timeout = min(settings.dispatch_send_timeout, settings.dispatch_lease_seconds / 3)
    senders: list[Sender] = [
        kind(token.get_secret_value(), base_url=base_url, timeout=timeout)
        for kind, token, base_url in (
            (TelegramSender, settings.telegram_token, settings.telegram_base_url),
            (SlackSender, settings.slack_bot_token, settings.slack_api_url),
        )
        if token is not None
    ]
    if not senders:
        return None
    senders.append(ConsoleSender(Mailboxes(settings.data_dir)))
    return Dispatcher(
        db,
        senders,
        limits=limits_from(settings),
        policy=Policy(
            lease=settings.dispatch_lease_seconds, max_attempts=settings.dispatch_max_attempts
        ),
        max_in_flight=settings.dispatch_max_in_flight,
    )
