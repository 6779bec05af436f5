"""The seam between scheduled delivery and the brief itself: given a Scope and a period, a Reply
(text plus chart and PDF attachments). secbot.briefs with the verb's brief_reply is the real
one; tests may put any function of this shape in MAKER."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.briefs import Period, build_brief
from secbot.briefs.compute import Calendar
from secbot.domain.brief_periods import month_before, month_name
from secbot.engine.messages import Reply


@dataclass(frozen=True)
class BriefRequest:
    start: datetime
    end: datetime
    """The period covered (UTC instants); `end` is the brief's "now"."""
    reader: str
    """Who it is for, as the header names it (a room's title or a person)."""
    zone: tzinfo
    next_issue: datetime | None = None
    """For a scheduled brief: when the next one is due."""
    states: tuple[str, ...] = ()


BriefMaker = Callable[[Session, Scope, BriefRequest], Reply | None]
"""None: no brief can be made for this request (nothing is queued; the next tick tries again)."""


def period_of(request: BriefRequest) -> Period:
    """The builder's period: a week, or a month (counted as the calendar month, `calendar_of`)."""
    days = (request.end - request.start).total_seconds() / 86400
    return Period.WEEK if days < 8 else Period.MONTH


def calendar_of(request: BriefRequest) -> Calendar | None:
    """A monthly brief covers the calendar month in the room's zone (28 to 31 days) and compares
    it with the month before; a weekly one is 7 whole days back from its end."""
    if period_of(request) is Period.WEEK:
        return None
    return Calendar(
        start=request.start,
        previous_start=month_before(request.start, request.zone),
        label=month_name(request.start, request.zone),
    )


def default_maker(session: Session, scope: Scope, request: BriefRequest) -> Reply | None:
    """secbot.briefs' brief, as the `brief` verb replies it (text, chart PNG, PDF)."""
    from secbot.engine.verbs.brief import brief_reply  # the verb imports this module's users

    brief = build_brief(
        session,
        scope,
        reader=request.reader,
        period=period_of(request),
        states=list(request.states) or None,
        now=request.end,
        next_issue=request.next_issue,
        zone=request.zone,
        calendar=calendar_of(request),
    )
    return brief_reply(brief)


MAKER: list[BriefMaker] = [default_maker]
"""The maker in use (one slot, so a test or a deployment can swap it without globals)."""


def make(session: Session, scope: Scope, request: BriefRequest) -> Reply | None:
    return MAKER[0](session, scope, request)
