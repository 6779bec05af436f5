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
    """The builder's period: a week, or (for a calendar month) the 30-day brief."""
    days = (request.end - request.start).total_seconds() / 86400
    return Period.WEEK if days < 8 else Period.MONTH


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
    )
    return brief_reply(brief)


MAKER: list[BriefMaker] = [default_maker]
"""The maker in use (one slot, so a test or a deployment can swap it without globals)."""


def make(session: Session, scope: Scope, request: BriefRequest) -> Reply | None:
    return MAKER[0](session, scope, request)
