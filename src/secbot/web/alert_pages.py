"""Alerts (the secretariat): compose with the count of channels it would reach, confirm, send;
each channel's delivery status, refreshed in place until every delivery is final; acks by
state; CAP export. The chat form's validation (alerts.compose.validate) and outbox (create)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from secbot.access.permissions import Action, require
from secbot.alerts import compose, status
from secbot.alerts import fields as alert_fields
from secbot.alerts.audience import audience_label, target_channels
from secbot.alerts.cap_export import to_cap_xml
from secbot.alerts.text import show_id
from secbot.db.models import Alert
from secbot.domain.cap import CapCategory, CapCertainty, CapSeverity, CapUrgency
from secbot.domain.errors import FormErrors, InvalidInput
from secbot.domain.zones import show_time
from secbot.identity.web_access import Visitor
from secbot.web.core import CONSOLE, page, see_other, work

routes = web.RouteTableDef()
FIELDS = (
    "headline",
    "body",
    "severity",
    "urgency",
    "certainty",
    "category",
    "audience",
    "tags",
    "expires",
)


def _choices() -> dict[str, Any]:
    return {
        "severities": [c.value for c in CapSeverity],
        "urgencies": [c.value for c in CapUrgency],
        "certainties": [c.value for c in CapCertainty],
        "categories": [c.value for c in CapCategory],
    }


def _summary(alert: Alert, c: status.DeliveryCounts) -> dict[str, Any]:
    return {
        "id": alert.id,
        "label": show_id(alert.id),
        "headline": alert.headline,
        "at": show_time(alert.created_at),
        "sent": c.sent,
        "failed": c.failed,
        "pending": c.pending,
        "total": c.total,
    }


@routes.get("/alerts")
async def alert_list(request: web.Request) -> web.Response:
    def read(session: Session, v: Visitor) -> list[dict[str, Any]]:
        require(v.principal, Action.SEE_ALERT_STATUS)
        shown = status.recent(session, v.principal, limit=30)
        counted = status.counts_for(session, [a.id for a in shown])
        return [_summary(a, counted[a.id]) for a in shown]

    rows, who = await work(request, read)
    return page(request, "alerts.html", who, title="Alerts", alerts=rows, v={}, **_choices())


@routes.get("/alerts/reach")
async def alert_reach(request: web.Request) -> web.Response:
    """The compose form's live count: the channels the audience and tags typed so far would
    reach (htmx swaps this fragment in as the fields change), or what is wrong with them."""
    audience = request.query.get("audience", "")[:200]
    tags = request.query.get("tags", "")[:200]

    def count(session: Session, v: Visitor) -> tuple[int, str]:
        require(v.principal, Action.SEND_ALERT)
        kind, states = alert_fields.audience(session, audience or "all")
        reach = target_channels(session, kind, states, alert_fields.tags(tags))
        return len(reach), audience_label(kind.value, list(states))

    try:
        (n, label), who = await work(request, count)
    except InvalidInput as error:
        return page(request, "alert_reach.html", None, problem=error.message)
    return page(request, "alert_reach.html", who, reach=n, audience=label)


@routes.post("/alerts")
async def alert_compose(request: web.Request) -> web.StreamResponse:
    """`confirm` absent: validate and preview with the channel count; present: send. The form's
    nonce is the request key, so a double submit sends one alert."""
    form = await request.post()
    values = {k: str(form.get(k, "")) for k in FIELDS}
    confirmed = form.get("confirm") == "yes"
    nonce = str(form.get("nonce", ""))[:64] or secrets.token_urlsafe(16)
    now = request.app[CONSOLE].clock()

    def act(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.SEND_ALERT)
        data = compose.validate(session, values, now)
        if not confirmed:
            reach = target_channels(session, data.audience_kind, data.audience_states, data.tags)
            return {"preview": True, "reach": len(reach), "audience": data.audience_label}
        alert, _ = compose.create(
            session,
            data,
            principal=v.principal,
            sender=v.principal.label,
            origin="web",
            now=now,
            request_key=f"web:{v.principal.member_id}:{nonce}",
        )
        return {"sent": alert.id}

    try:
        done, who = await work(request, act)
    except InvalidInput as error:
        _, who = await work(request, lambda s, v: None)
        problems = error.fields if isinstance(error, FormErrors) else {}
        return page(
            request,
            "alerts.html",
            who,
            status=400,
            title="Alerts",
            alerts=[],
            v=values,
            error=error.message,
            problems=problems,
            **_choices(),
        )
    if "sent" in done:
        return see_other(f"/web/alerts/{done['sent']}")
    return page(
        request,
        "alerts.html",
        who,
        title="Alerts: confirm",
        alerts=[],
        v=values,
        nonce=nonce,
        **done,
        **_choices(),
    )


def _alert(session: Session, v: Visitor, raw: str) -> Alert:
    require(v.principal, Action.SEE_ALERT_STATUS)
    if not raw.isdigit():
        raise status.not_found(0)
    return status.get_for(session, v.principal, int(raw))


@routes.get("/alerts/{alert_id}")
async def alert_status(request: web.Request) -> web.Response:
    """The whole page, or (an htmx refresh) the status section alone; a refresh that carries
    the version it shows gets 204 when nothing changed, so htmx keeps the section as it is.
    Read in one go (alerts.status.board): no per-channel or per-ack query."""
    raw = request.match_info["alert_id"][:12]
    refresh = request.headers.get("HX-Request") == "true"
    since = request.query.get("since", "")[:32]

    def read(session: Session, v: Visitor) -> dict[str, Any]:
        alert = _alert(session, v, raw)
        shown = status.board(session, alert.id)
        return {
            **_summary(alert, shown.counts),
            "deliveries": shown.rows,
            "acks": shown.acks,
            "version": _version(shown),
        }

    data, who = await work(request, read)
    if refresh and since and since == data["version"]:
        return web.Response(status=204)
    if refresh:
        return page(request, "alert_status.html", who, a=data)
    return page(request, "alert.html", who, title=f"Alert {data['label']}", a=data)


def _version(shown: status.Board) -> str:
    """A digest of everything the status section shows: equal digests, equal sections."""
    return hashlib.blake2b(repr((shown.rows, shown.acks)).encode(), digest_size=8).hexdigest()


@routes.get("/alerts/{alert_id}/cap.xml")
async def alert_cap(request: web.Request) -> web.Response:
    raw = request.match_info["alert_id"][:12]
    console = request.app[CONSOLE]

    def export(session: Session, v: Visitor) -> bytes:
        alert = _alert(session, v, raw)
        return to_cap_xml(
            alert,
            sender=console.cap_sender,
            areas=status.area_names(session, alert),
            sender_name=console.cap_sender_name,
        )

    xml, _ = await work(request, export)
    return web.Response(body=xml, content_type="application/xml")
