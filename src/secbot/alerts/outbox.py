"""The alert outbox: claiming due deliveries under the platform's limits, and recording outcomes.

Everything here is one short transaction, called by the dispatcher between network calls:

- `claim` locks the platform's SendWindow row (PostgreSQL `FOR UPDATE`; SQLite's write lock does
  the same), counts the sends of the last second plus those still in flight, and takes at most
  the remaining allowance of due deliveries with `FOR UPDATE SKIP LOCKED`, at most one per
  channel and only channels whose pacing allows a message now. A claimed delivery is `sending`
  with a lease; if its worker dies, the lease runs out and another claim takes it again.
- `record` writes what the platform said: sent (with its message id), retry later, failed for
  good (and, when the bot lost the chat, the channel is deactivated so nothing retries forever).

A send is recorded as done at the time its response arrived, which is after the platform counted
it, so the window we keep can only over-count the platform's: the limits hold across processes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.alerts import brief_outbox
from secbot.alerts.audience import room_fits
from secbot.alerts.brief_outbox import OutboxFile
from secbot.alerts.text import message_text, show_id
from secbot.db.models import Alert, AlertDelivery, BriefIssue, Channel, SendWindow
from secbot.domain.enums import DeliveryStatus


@dataclass(frozen=True)
class Limits:
    """A platform's sending limits as the dispatcher enforces them."""

    per_second: float
    """Messages in any one-second window, across all workers."""
    chat_spacing: float
    """Seconds between two messages to the same chat."""
    group_spacing: float
    """Seconds between two messages to the same group (Telegram: 20 a minute is one per 3 s)."""


TELEGRAM_LIMITS = Limits(per_second=30, chat_spacing=1.0, group_spacing=3.0)
SLACK_LIMITS = Limits(per_second=50, chat_spacing=1.0, group_spacing=1.0)


@dataclass(frozen=True)
class Policy:
    lease: float = 30.0
    """Seconds a claim is held; longer than any send may take (the senders' timeouts are less)."""
    max_attempts: int = 10
    backoff_base: float = 0.5
    backoff_cap: float = 120.0


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    alert_id: int
    attempt: int
    platform: str
    workspace: str
    chat_id: str
    text: str
    ack_payload: str
    claimed_at: float
    alert_created_at: float = 0.0
    unsure: bool = False
    """Taken over from a worker whose lease ran out: that worker may have sent it already."""
    files: tuple[OutboxFile, ...] = ()
    """Sent after the text, in order (a scheduled brief's chart and PDF)."""
    kind: str = "alert"
    """`alert` (with an Acknowledge button) or `brief` (no button; alert_id is 0)."""
    parts_done: tuple[int, ...] = ()
    """Parts an earlier attempt got through (0 the text, n the n-th file): not sent again."""
    text_message_id: str = ""
    """The text's message id when an earlier attempt sent it."""


# -- outcomes, as the senders classify the platform's answer ---------------------------------------


@dataclass(frozen=True)
class Sent:
    message_id: str


@dataclass(frozen=True)
class Retry:
    reason: str
    retry_after: float | None = None
    """The platform's own wait (Telegram retry_after, Slack Retry-After), honoured as given."""
    not_counted: bool = False
    """A 429: the platform refused it, so it does not use up the window."""
    parts_done: tuple[int, ...] = ()
    """Parts of a multi-part delivery that did arrive before the failure (recorded, so the
    retry sends only the missing ones)."""
    text_message_id: str = ""


@dataclass(frozen=True)
class Failed:
    reason: str
    channel_gone: bool = False
    """The bot was removed, the chat is gone or archived: deactivate the channel."""


@dataclass(frozen=True)
class Moved:
    """Telegram upgraded the group to a supergroup with a new id: follow it and send again."""

    new_chat_id: str


Outcome = Sent | Retry | Failed | Moved


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _window(session: Session, platform: str, postgres: bool) -> SendWindow:
    query = select(SendWindow).where(SendWindow.platform == platform)
    if postgres:
        query = query.with_for_update()
    window = session.scalar(query)
    if window is None:
        try:
            with session.begin_nested():
                session.add(SendWindow(platform=platform, entries=[]))
        except IntegrityError:
            pass  # another worker created it first
        window = session.scalar(query)
        assert window is not None
    return window


def _entries(window: SendWindow) -> list[list[float | None]]:
    """A deep copy: JSON columns only notice a change when handed a different value."""
    return [list(entry) for entry in window.entries or []]


def _live(entries: list[list[float | None]], now: float, lease: float) -> list[list[float | None]]:
    """Sends that still count: done within the last second, or claimed and not yet answered."""
    kept = []
    for entry in entries:
        _id, claimed, done = entry
        assert claimed is not None
        if (done is None and claimed > now - lease) or (done is not None and done > now - 1.0):
            kept.append(entry)
    return kept


def _spacing(limits: Limits, platform: str, chat_id: str) -> float:
    group = platform == "telegram" and chat_id.startswith("-")
    return limits.group_spacing if group else limits.chat_spacing


def claim(
    session: Session,
    platform: str,
    *,
    worker: str,
    room: int,
    limits: Limits,
    policy: Policy,
    now: float,
    postgres: bool,
) -> tuple[list[Claimed], float]:
    """Claim up to `room` due deliveries; returns them and how long to wait before asking again."""
    window = _window(session, platform, postgres)
    entries = _live(_entries(window), now, policy.lease)
    allowance = min(room, int(limits.per_second) - len(entries))
    if allowance <= 0:
        window.entries = entries
        done = [e[2] for e in entries if e[2] is not None]
        wait = (min(done) + 1.0 - now) if done else 0.05
        return [], max(0.01, wait)
    moment = _at(now)
    due = or_(
        (AlertDelivery.status == DeliveryStatus.PENDING)
        & (AlertDelivery.next_attempt_at <= moment),
        (AlertDelivery.status == DeliveryStatus.SENDING) & (AlertDelivery.lease_until < moment),
    )
    query = (
        select(AlertDelivery, Channel, Alert, BriefIssue)
        .join(Channel, Channel.id == AlertDelivery.channel_id)
        .outerjoin(Alert, Alert.id == AlertDelivery.alert_id)
        .outerjoin(BriefIssue, BriefIssue.id == AlertDelivery.brief_issue_id)
        .where(AlertDelivery.platform == platform, due)
        .where(or_(Channel.next_send_at.is_(None), Channel.next_send_at <= moment))
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
        .limit(allowance * 3 + 10)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True, of=AlertDelivery)
    claimed: list[Claimed] = []
    seen_channels: set[int] = set()
    for delivery, channel, alert, issue in session.execute(query):
        if len(claimed) >= allowance:
            break
        if channel.id in seen_channels:
            continue
        if not channel.active:
            _finish_failed(delivery, channel.removed_reason or "channel removed", moment)
            continue
        if alert is None:
            if issue is None or not brief_outbox.still_fits(session, channel, issue):
                _finish_failed(
                    delivery, "not sent: the room changed since the brief was computed", moment
                )
                continue
            if brief_outbox.held_back(session, issue, delivery, _at(now)):
                continue  # a counted report is no longer the room's to see: recomputed first
        elif alert.expires_at is not None and alert.expires_at <= moment:
            _finish_failed(delivery, "expired before it could be delivered", moment)
            continue
        elif not room_fits(channel, alert.audience_kind, alert.audience_states):
            _finish_failed(
                delivery, "not sent: the room now holds parties outside the audience", moment
            )
            continue
        seen_channels.add(channel.id)
        unsure = delivery.status == DeliveryStatus.SENDING
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.worker = worker
        delivery.lease_until = _at(now + policy.lease)
        delivery.updated_at = moment
        channel.next_send_at = _at(now + policy.lease)  # no second message while this one flies
        entries.append([float(delivery.id), now, None])
        files: tuple[OutboxFile, ...] = ()
        parts: tuple[int, ...] = ()
        text_id = ""
        if alert is not None:
            text, ack, created = message_text(alert), f"ack {show_id(alert.id)}", alert.created_at
        else:
            assert issue is not None
            text, ack, created = issue.text, "", issue.created_at
            files = brief_outbox.files_of(session, issue.id)
            parts, text_id = brief_outbox.parts_done(issue)
        claimed.append(
            Claimed(
                delivery_id=delivery.id,
                alert_id=alert.id if alert is not None else 0,
                attempt=delivery.attempts,
                platform=platform,
                workspace=channel.workspace,
                chat_id=channel.chat_id,
                text=text,
                ack_payload=ack,
                claimed_at=now,
                alert_created_at=_ts(created),
                unsure=unsure,
                files=files,
                kind="alert" if alert is not None else "brief",
                parts_done=parts,
                text_message_id=text_id,
            )
        )
    window.entries = entries
    if claimed:
        return claimed, 0.0
    return [], _idle_wait(session, platform, now)


def _idle_wait(session: Session, platform: str, now: float) -> float:
    """Nothing claimable: sleep until the next delivery is due and its chat is free to receive,
    at most half a second (a new alert may arrive meanwhile)."""
    rows = session.execute(
        select(AlertDelivery.next_attempt_at, Channel.next_send_at)
        .join(Channel, Channel.id == AlertDelivery.channel_id)
        .where(AlertDelivery.platform == platform, AlertDelivery.status == DeliveryStatus.PENDING)
        .order_by(AlertDelivery.next_attempt_at)
        .limit(200)
    )
    ready = [max(_ts(due), _ts(free) if free else 0.0) for due, free in rows]
    if not ready:
        return 0.5
    return min(0.5, max(0.02, min(ready) - now))


def _finish_failed(delivery: AlertDelivery, reason: str, moment: datetime) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason[:300]
    delivery.lease_until = None
    delivery.updated_at = moment


def backoff(policy: Policy, attempt: int, rng: random.Random) -> float:
    """Exponential with jitter (half to full), so many failed sends do not return in lockstep."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2.0 ** max(0, attempt - 1))
    return ceiling * rng.uniform(0.5, 1.0)


def record(
    session: Session,
    item: Claimed,
    outcome: Outcome,
    *,
    limits: Limits,
    policy: Policy,
    now: float,
    postgres: bool,
    rng: random.Random,
    answered_at: float | None = None,
) -> DeliveryStatus:
    """Write one send's outcome; returns the delivery's new status. `answered_at` is when the
    platform's answer arrived (the send counts in the window until a second after it)."""
    window = _window(session, item.platform, postgres)
    query = select(AlertDelivery).where(AlertDelivery.id == item.delivery_id)
    if postgres:
        query = query.with_for_update(of=AlertDelivery)
    delivery = session.scalar(query)
    assert delivery is not None
    channel = session.get(Channel, delivery.channel_id)
    assert channel is not None
    moment = _at(now)
    entries = _entries(window)
    mine = next((e for e in entries if e[0] == float(item.delivery_id) and e[2] is None), None)
    if mine is not None:
        if isinstance(outcome, Retry) and outcome.not_counted:
            entries.remove(mine)
        else:
            mine[2] = answered_at if answered_at is not None else now
    window.entries = _live(entries, now, policy.lease)
    answered = answered_at if answered_at is not None else now
    channel.next_send_at = _at(answered + _spacing(limits, item.platform, channel.chat_id))
    if delivery.status == DeliveryStatus.SENT:
        return DeliveryStatus.SENT  # our lease ran out and another worker got there first
    stale = delivery.status != DeliveryStatus.SENDING or delivery.attempts != item.attempt
    if stale and not isinstance(outcome, Sent):
        # Our lease ran out and the delivery was claimed again: only a success is still news.
        return DeliveryStatus(delivery.status)
    delivery.updated_at = moment
    delivery.lease_until = None
    if isinstance(outcome, Sent):
        delivery.status = DeliveryStatus.SENT
        delivery.platform_message_id = outcome.message_id[:64]
        delivery.sent_at = moment
        delivery.last_error = ""
    elif isinstance(outcome, Moved):
        channel.chat_id = outcome.new_chat_id
        channel.next_send_at = moment
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = moment
        delivery.last_error = f"chat moved to {outcome.new_chat_id}"
    elif isinstance(outcome, Failed):
        _finish_failed(delivery, outcome.reason, moment)
        if outcome.channel_gone and channel.active:
            channel.active = False
            channel.removed_reason = f"bot removed: {outcome.reason}"[:300]
            audit.record(
                session,
                None,
                "channel_lost",
                actor="dispatcher",
                channel=channel.id,
                reason=outcome.reason[:200],
            )
    elif delivery.attempts >= policy.max_attempts:
        _finish_failed(
            delivery, f"gave up after {delivery.attempts} attempts: {outcome.reason}", moment
        )
    else:
        if outcome.retry_after is not None:
            delay = outcome.retry_after * rng.uniform(1.0, 1.1)
            channel.next_send_at = _at(now + delay)
        else:
            delay = backoff(policy, delivery.attempts, rng)
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = _at(now + delay)
        delivery.last_error = outcome.reason[:300]
        brief_outbox.note_parts(session, delivery, outcome.parts_done, outcome.text_message_id)
    return DeliveryStatus(delivery.status)


def outstanding(session: Session, platforms: tuple[str, ...] | None = None) -> int:
    """Deliveries not yet finished (pending or sending)."""
    query = select(func.count(AlertDelivery.id)).where(
        AlertDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING))
    )
    if platforms:
        query = query.where(AlertDelivery.platform.in_(platforms))
    return int(session.scalar(query) or 0)
