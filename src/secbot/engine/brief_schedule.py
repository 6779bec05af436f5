"""Queuing the scheduled briefs that are due: for each running subscription, the latest period
due by `now`; if its issue is not recorded yet, the brief is computed under the room's group
rule and queued in the alert outbox, issue and delivery in one transaction.

The unique key (subscription, period start) makes this safe to run from any number of ticks
and processes at once: the second insert fails and its transaction is rolled back, so at most
one issue, hence one delivery, exists per period. A crash before the commit leaves nothing (the
next tick queues it); after the commit the outbox owns it (a restart sends it once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from secbot.access.scope import room_scope
from secbot.alerts import brief_outbox, brief_subscriptions
from secbot.alerts.brief_outbox import OutboxFile
from secbot.db.models import BriefIssue, BriefSubscription, Channel
from secbot.db.session import Database
from secbot.domain.brief_periods import Cadence, latest_due, next_due
from secbot.domain.zones import zone_named
from secbot.engine.brief_maker import BriefMaker, BriefRequest, make

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    subscription_id: int
    issue_id: int
    channel_id: int


def queue_due(db: Database, now: datetime, maker: BriefMaker | None = None) -> list[Queued]:
    """Queue every brief due by `now` that is not queued yet, and recompute the queued ones a
    claim found stale; returns what this call queued."""
    with db.transaction() as session:
        todo = [(s.id, c.id) for s, c in brief_subscriptions.running(session)]
        stale = brief_outbox.stale_issues(session)
    for issue_id in stale:
        try:
            _recompute(db, issue_id, now, maker)
        except Exception:  # the delivery keeps waiting; the next tick tries again
            log.exception("recomputing stale brief issue %d failed", issue_id)
    queued: list[Queued] = []
    for subscription_id, channel_id in todo:
        try:
            done = _queue_one(db, subscription_id, channel_id, now, maker)
        except Exception:  # one room's failure must not stop the others; the next tick retries
            log.exception("queuing the brief of subscription %d failed", subscription_id)
            continue
        if done is not None:
            queued.append(done)
    return queued


def _queue_one(
    db: Database,
    subscription_id: int,
    channel_id: int,
    now: datetime,
    maker: BriefMaker | None,
) -> Queued | None:
    with db.transaction() as session:
        subs = {s.id: (s, c) for s, c in brief_subscriptions.running(session)}
        if subscription_id not in subs:
            return None  # unsubscribed meanwhile
        sub, channel = subs[subscription_id]
        zone = zone_named(sub.timezone)
        cadence = Cadence(sub.cadence)
        period = latest_due(cadence, zone, now)
        if period.due < sub.started_at:
            return None  # due before the room subscribed: it starts with the next one
        if brief_outbox.issue_exists(session, sub.id, period.start):
            return None
        parties = brief_outbox.room_parties(session, channel)
        if not parties:
            log.info("room %d may see no submissions now; its brief waits", channel.id)
            return None
        request = BriefRequest(
            start=period.start,
            end=period.end,
            reader=channel.title or f"room #{channel.id}",
            zone=zone,
            next_issue=next_due(cadence, zone, now),
        )
        reply = (maker or make)(session, room_scope(parties), request)
        if reply is None:
            log.warning("no brief builder is installed; scheduled briefs are not sent")
            return None
        files = [OutboxFile(a.filename, a.mime, a.data, a.caption) for a in reply.attachments]
        issue = brief_outbox.enqueue(
            session,
            sub,
            channel,
            period_start=period.start,
            period_end=period.end,
            parties=parties,
            text=reply.text,
            files=files,
            now=now,
            detail={"cadence": cadence.value, "zone": sub.timezone},
            reports=list(reply.reports),
        )
        if issue is None:
            return None
        return Queued(sub.id, issue.id, channel_id)


def _recompute(db: Database, issue_id: int, now: datetime, maker: BriefMaker | None) -> None:
    """A claim found a report this issue counted no longer visible to the room: compute the
    same period again under the room's rule as it is now, in place (still one issue)."""
    with db.transaction() as session:
        issue = session.get(BriefIssue, issue_id, with_for_update=db.is_postgres)
        if issue is None or not issue.detail.get(brief_outbox.STALE):
            return  # another process recomputed it first
        sub = session.get(BriefSubscription, issue.subscription_id)
        channel = session.get(Channel, sub.channel_id) if sub is not None else None
        if sub is None or channel is None:
            return
        parties = brief_outbox.room_parties(session, channel)
        if not parties:
            return  # the claim fails it as a changed room; nothing to compute for
        zone = zone_named(sub.timezone)
        request = BriefRequest(
            start=issue.period_start,
            end=issue.period_end,
            reader=channel.title or f"room #{channel.id}",
            zone=zone,
            next_issue=next_due(Cadence(sub.cadence), zone, now),
        )
        reply = (maker or make)(session, room_scope(parties), request)
        if reply is None:
            return
        brief_outbox.refresh(
            session,
            issue,
            parties=parties,
            text=reply.text,
            files=[OutboxFile(a.filename, a.mime, a.data, a.caption) for a in reply.attachments],
            reports=list(reply.reports),
            now=now,
        )
