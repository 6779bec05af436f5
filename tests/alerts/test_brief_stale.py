"""A scheduled brief is computed when due and sent later: a share revoked in between must not
reach the room. The issue stores the ids it counted; the claim re-checks them under the room's
rule and holds a stale issue back until the scheduler has recomputed it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from secbot.access.principal import ALL
from secbot.alerts import brief_outbox
from secbot.db.models import AlertDelivery, BriefFile, BriefIssue, BriefSubscription, Share
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.brief_periods import Cadence, latest_due, next_due
from secbot.domain.enums import Role
from secbot.domain.zones import zone_named
from secbot.engine.brief_schedule import queue_due
from tests.support.alerts import claim_console
from tests.support.seed import add_incident, internal_id
from tests.support.world import World

ROOM = "ops-room"


@pytest.fixture
def world(db: Database) -> World:
    w = World(db)
    w.register_group(ROOM, "BRB,JAM")
    w.member("sam", Role.SECRETARIAT).in_group(ROOM).say("/brief subscribe weekly")
    return w


def test_a_share_revoked_after_computing_is_not_in_what_is_delivered(
    world: World, db: Database
) -> None:
    start = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        sub = session.scalar(select(BriefSubscription))
        assert sub is not None
        sub.started_at = start
        zone = zone_named(sub.timezone)
    due = next_due(Cadence.WEEKLY, zone, start)
    period = latest_due(Cadence.WEEKLY, zone, due)
    inside = period.start + timedelta(days=2)
    with db.transaction() as session:
        revoked = add_incident(
            session, owner="BRB", occurred_at=inside, grantees=[ALL], severity="high"
        )
        kept = add_incident(
            session, owner="JAM", occurred_at=inside, grantees=[ALL], severity="high"
        )
        revoked_id = internal_id(session, revoked)
    assert len(queue_due(db, due)) == 1  # the real brief, both reports counted
    with db.transaction() as session:
        issue = session.scalar(select(BriefIssue))
        assert issue is not None
        assert revoked in issue.text and kept in issue.text
        assert revoked_id in issue.detail[brief_outbox.REPORTS]
        share = session.scalar(select(Share).where(Share.submission_id == revoked_id))
        assert share is not None
        share.revoked_at = utcnow()

    assert claim_console(db) == []  # stale: held back, not sent, not failed
    with db.transaction() as session:
        delivery = session.scalar(select(AlertDelivery))
        issue = session.scalar(select(BriefIssue))
        assert delivery is not None and issue is not None
        assert delivery.status == "pending" and "no longer visible" in delivery.last_error
        assert issue.detail[brief_outbox.STALE] is True

    assert queue_due(db, due) == []  # recomputes in place; queues nothing new
    (item,) = claim_console(db)
    assert revoked not in item.text and kept in item.text, item.text
    assert [f.filename.rsplit(".", 1)[-1] for f in item.files] == ["png", "pdf"]
    with db.transaction() as session:
        issues = list(session.scalars(select(BriefIssue)))
        assert len(issues) == 1 and brief_outbox.STALE not in issues[0].detail
        assert revoked_id not in issues[0].detail[brief_outbox.REPORTS]
        assert len(list(session.scalars(select(BriefFile)))) == 2
    pdf = next(f.data for f in item.files if f.filename.endswith(".pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert kept in text and revoked not in text


def test_an_unchanged_issue_is_sent_as_computed(world: World, db: Database) -> None:
    start = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        sub = session.scalar(select(BriefSubscription))
        assert sub is not None
        sub.started_at = start
        zone = zone_named(sub.timezone)
    due = next_due(Cadence.WEEKLY, zone, start)
    period = latest_due(Cadence.WEEKLY, zone, due)
    with db.transaction() as session:
        kept = add_incident(
            session, owner="JAM", occurred_at=period.start + timedelta(days=1), grantees=[ALL]
        )
    assert len(queue_due(db, due)) == 1
    (item,) = claim_console(db)
    assert kept in item.text
