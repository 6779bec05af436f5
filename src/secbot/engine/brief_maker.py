"""The seam between delivery and the brief itself: given a Scope and a period, a Reply (text
plus chart and PDF attachments). secbot.briefs (build_brief, brief_reply) provides the real one;
tests and the scheduler take any function of this shape."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
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
"""None: no brief can be made here (the briefs package is not installed)."""


def period_word(request: BriefRequest) -> str:
    """The brief builder's period argument: whole days (`7d`, `30d`)."""
    days = max(1, round((request.end - request.start).total_seconds() / 86400))
    return f"{days}d"


def default_maker(session: Session, scope: Scope, request: BriefRequest) -> Reply | None:
    """secbot.briefs when present (it lands from the brief work); None otherwise."""
    try:
        briefs = importlib.import_module("secbot.briefs")
        render = importlib.import_module("secbot.engine.render.briefs")
    except ImportError:
        return None
    brief = briefs.build_brief(
        session,
        scope,
        reader=request.reader,
        period=period_word(request),
        states=list(request.states) or None,
        now=request.end,
        next_issue=request.next_issue,
        zone=request.zone,
    )
    reply = render.brief_reply(brief)
    assert isinstance(reply, Reply)
    return reply


MAKER: list[BriefMaker] = [default_maker]
"""The maker in use (one slot, so a test or a deployment can swap it without globals)."""


def make(session: Session, scope: Scope, request: BriefRequest) -> Reply | None:
    return MAKER[0](session, scope, request)
