"""The dashboard: the reader's trend brief (key figures and chart) through the briefs package,
or, for those who read no briefs, the count of reports they may see."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secbot import briefs
from secbot.access.permissions import Action, allowed, require
from secbot.access.scope import scope_for
from secbot.briefs.model import category_label
from secbot.db.models import Alert, AlertAck, IndexChange
from secbot.identity import zones
from secbot.identity.web_access import Visitor
from secbot.reports import listing
from secbot.web.core import CONSOLE, page, work

routes = web.RouteTableDef()
PERIOD = "30d"


CACHED = 64
_cache: OrderedDict[tuple[Any, ...], briefs.Brief] = OrderedDict()
_lock = threading.Lock()


def _version(session: Session) -> tuple[int, int, int]:
    """Moves whenever a submission, a share, an alert or an ack changes (the change log is
    written in the same transaction as the change), so a cached brief is never stale."""
    return (
        int(session.scalar(select(func.max(IndexChange.id))) or 0),
        int(session.scalar(select(func.max(Alert.id))) or 0),
        int(session.scalar(select(func.max(AlertAck.id))) or 0),
    )


def _brief(session: Session, v: Visitor, now: datetime) -> briefs.Brief:
    """The reader's brief, computed once per scope, zone, minute and data version: a brief
    reads every report of the trailing year, far too slow to repeat on every page view."""
    require(v.principal, Action.READ_BRIEF)
    scope = scope_for(v.principal)
    zone = zones.zone_for(session, v.principal)
    key: tuple[Any, ...] = (
        scope,
        str(zone),
        v.principal.label,
        now.replace(second=0, microsecond=0),
    )
    key += _version(session)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    brief = briefs.build_brief(
        session,
        scope,
        reader=v.principal.label,
        period=briefs.parse_period(PERIOD),
        states=None,
        now=now,
        zone=zone,
    )
    with _lock:
        _cache[key] = brief
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return brief


@routes.get("/")
async def dashboard(request: web.Request) -> web.Response:
    now = request.app[CONSOLE].clock()

    def read(session: Session, v: Visitor) -> dict[str, Any]:
        visible = listing.count(session, scope_for(v.principal), listing.Filters(), now)
        if not allowed(v.principal, Action.READ_BRIEF):
            return {"visible": visible, "brief": None}
        brief = _brief(session, v, now)
        f = brief.figures
        return {
            "visible": visible,
            "brief": {
                "bottom_line": brief.bottom_line,
                "caveat": brief.caveat,
                "tlp": brief.tlp.value,
                "current": f.current,
                "previous": f.previous,
                "mean": f"{f.trailing_mean:.1f}",
                "states": ", ".join(f.states_reporting) or "none",
                "alerts_sent": f.alerts_sent,
                "by_category": [
                    (category_label(k), n)
                    for k, n in sorted(brief.by_category.items(), key=lambda kv: -kv[1])
                ],
            },
        }

    data, who = await work(request, read)
    return page(request, "dashboard.html", who, title="Dashboard", period=PERIOD, **data)


@routes.get("/chart.png")
async def chart(request: web.Request) -> web.Response:
    now = request.app[CONSOLE].clock()
    brief, _ = await work(request, lambda s, v: _brief(s, v, now))
    png = await asyncio.to_thread(briefs.render_chart_png, brief)
    return web.Response(body=png, content_type="image/png")
