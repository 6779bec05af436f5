"""The dashboard: the reader's trend brief (key figures and chart) through the briefs package,
or, for those who read no briefs, the count of reports they may see."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from secbot import briefs
from secbot.access.permissions import Action, allowed, require
from secbot.access.scope import scope_for
from secbot.briefs.model import category_label
from secbot.identity import zones
from secbot.identity.web_access import Visitor
from secbot.reports import listing
from secbot.web.core import CONSOLE, page, work

routes = web.RouteTableDef()
PERIOD = "30d"


def _brief(session: Session, v: Visitor, now: Any) -> briefs.Brief:
    require(v.principal, Action.READ_BRIEF)
    return briefs.build_brief(
        session,
        scope_for(v.principal),
        reader=v.principal.label,
        period=briefs.parse_period(PERIOD),
        states=None,
        now=now,
        zone=zones.zone_for(session, v.principal),
    )


@routes.get("/")
async def dashboard(request: web.Request) -> web.Response:
    now = request.app[CONSOLE].clock()

    def read(session: Session, v: Visitor) -> dict[str, Any]:
        visible = listing.incidents_page(
            session, scope_for(v.principal), listing.Filters(), 1, now
        ).total
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
