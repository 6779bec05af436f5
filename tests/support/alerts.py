"""Shared set-up for alert tests: states, channels, an alert in the outbox, a dispatcher run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import select

from secbot.alerts import compose, outbox
from secbot.alerts.dispatcher import Dispatcher, Sender
from secbot.alerts.outbox import Limits, Policy
from secbot.db.models import AlertDelivery, State
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.identity.channels import add_channel
from secbot.transports.alert_senders import SlackSender, TelegramSender

STATES = {"BRB": "Barbados", "JAM": "Jamaica", "TTO": "Trinidad and Tobago"}
TOKEN_TG = "123:abc"
TOKEN_SLACK = "xoxb-test"


def seed_states(db: Database) -> None:
    with db.transaction() as session:
        for code, name in STATES.items():
            if session.get(State, code) is None:
                session.add(State(code=code, name=name))


def register(
    db: Database,
    platform: str,
    chat_id: str,
    audience: str = "all",
    tags: list[str] | None = None,
    workspace: str = "",
) -> int:
    with db.transaction() as session:
        channel = add_channel(
            session,
            platform=platform,
            chat_id=chat_id,
            audience=audience,
            workspace=workspace,
            tags=tags,
            by="test",
        )
        return channel.id


def send_alert(
    db: Database,
    *,
    audience: str = "all",
    tags: str = "",
    headline: str = "Hurricane warning for the northern islands",
    body: str = "Storm surge expected within 24 hours. Follow national guidance.",
    key: str | None = None,
) -> int:
    with db.transaction() as session:
        data = compose.validate(
            session,
            {
                "headline": headline,
                "body": body,
                "severity": "Severe",
                "urgency": "Immediate",
                "certainty": "Likely",
                "category": "Met",
                "audience": audience,
                "tags": tags,
                "expires": "24h",
            },
            utcnow(),
        )
        alert, _ = compose.create(
            session,
            data,
            principal=None,
            sender="test feed",
            origin="cli",
            now=utcnow(),
            request_key=key,
        )
        return alert.id


def senders(telegram_url: str | None, slack_url: str | None, timeout: float = 5.0) -> list[Sender]:
    out: list[Sender] = []
    if telegram_url:
        out.append(TelegramSender(TOKEN_TG, base_url=telegram_url, timeout=timeout))
    if slack_url:
        out.append(SlackSender(TOKEN_SLACK, base_url=slack_url, timeout=timeout))
    return out


FAST_LIMITS = {
    "telegram": Limits(per_second=30, chat_spacing=0.05, group_spacing=0.05),
    "slack": Limits(per_second=50, chat_spacing=0.05, group_spacing=0.05),
}


def run_until_done(
    db: Database,
    dispatcher_senders: list[Sender],
    *,
    limits: dict[str, Limits] | None = None,
    policy: Policy | None = None,
    timeout: float = 30.0,
    until: Callable[[], bool] | None = None,
) -> Dispatcher:
    """Run a dispatcher until no delivery is outstanding (or `until` holds)."""
    dispatcher = Dispatcher(
        db,
        dispatcher_senders,
        limits=limits or FAST_LIMITS,
        policy=policy or Policy(lease=10, backoff_base=0.05, backoff_cap=0.2),
    )

    def finished() -> bool:
        if until is not None:
            return until()
        with db.transaction() as session:
            return outbox.outstanding(session) == 0

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(finished):
            if time.monotonic() > deadline or task.done():
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(main())
    return dispatcher


def deliveries(db: Database, alert_id: int) -> list[AlertDelivery]:
    with db.transaction() as session:
        rows = list(
            session.scalars(
                select(AlertDelivery)
                .where(AlertDelivery.alert_id == alert_id)
                .order_by(AlertDelivery.id)
            )
        )
        for row in rows:
            _ = row.channel  # loaded while the session is open
        return rows


def claim_console(db: Database, now: float | None = None) -> list[outbox.Claimed]:
    """Claim what is due for console rooms with no pacing (brief delivery tests)."""
    with db.transaction() as session:
        claimed, _ = outbox.claim(
            session,
            "console",
            worker="t",
            room=10,
            limits=Limits(per_second=100, chat_spacing=0, group_spacing=0),
            policy=Policy(),
            now=time.time() if now is None else now,
            postgres=db.is_postgres,
        )
        return claimed
