"""Reports: the filtered list, one report (timeline, links, shares) with share / unshare / edit,
and filing. Every read and write goes through the services chat uses (reports/, access/)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access import reads as submissions
from secbot.access.permissions import Action, allowed, require
from secbot.access.principal import SECRETARIAT
from secbot.access.scope import scope_for
from secbot.db.models import Submission
from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import InvalidInput, no_such_report
from secbot.domain.places import PlaceFound
from secbot.domain.taxonomy import BY_KEY, CATEGORIES
from secbot.domain.zones import show_time
from secbot.engine.render.report_extras import similar_line
from secbot.engine.render.reports import describe, where
from secbot.identity import zones
from secbot.identity.web_access import Visitor
from secbot.registers.places import places_of
from secbot.reports import fields, incidents, links, listing, response, sharing, similar, updates
from secbot.web.core import CONSOLE, page, see_other, work

routes = web.RouteTableDef()
FILTER_KEYS = ("category", "severity", "tlp", "state", "period", "text")


def choices() -> dict[str, Any]:
    return {
        "categories": [(c.key, c.label) for c in CATEGORIES],
        "severities": [s.value for s in Severity],
        "tlps": [t.value for t in TLP],
        "periods": [p for p in listing.PERIODS if p],
        "editable": incidents.EDITABLE,
    }


def row_view(s: Submission, zone: Any) -> dict[str, Any]:
    i = s.incident
    assert i is not None
    return {
        "id": s.public_id,
        "tlp": s.tlp,
        "owner": s.owner_state,
        "title": i.title,
        "severity": i.severity,
        "category": BY_KEY[i.category].label if i.category in BY_KEY else i.category,
        "when": show_time(i.occurred_at, zone),
    }


@routes.get("/reports")
async def report_list(request: web.Request) -> web.Response:
    query = request.query
    wanted = listing.Filters(**{k: query.get(k, "").strip() for k in FILTER_KEYS})
    try:
        number = int(query.get("page", "1"))
    except ValueError:
        number = 1
    now = request.app[CONSOLE].clock()

    def read(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.READ)
        found = listing.incidents_page(session, scope_for(v.principal), wanted, number, now)
        audit.record_reads(session, v.principal, found.rows)
        zone = zones.zone_for(session, v.principal)
        return {
            "rows": [row_view(s, zone) for s in found.rows],
            "total": found.total,
            "page": found.page,
            "pages": found.pages,
            "more": found.more,
            "cap": listing.COUNT_CAP,
        }

    data, who = await work(request, read)
    kept = {k: getattr(wanted, k) for k in FILTER_KEYS}
    qs = urlencode({k: v for k, v in kept.items() if v})
    return page(request, "reports.html", who, title="Reports", f=kept, qs=qs, **data, **choices())


def _party(party: str | None) -> str:
    return "secretariat" if party == SECRETARIAT else party or "?"


def _log(session: Session, scope: Any, public_id: str, zone: Any) -> list[dict[str, str]]:
    """The co-ordination log, read through the same Scope as its report (chat's `respond`)."""
    submission, entries = response.read_log(session, scope, public_id)
    out = []
    for e in entries:
        label = {"log": "Log", "need": "Need", "offer": "Offer"}.get(e.kind, e.kind)
        if e.kind == "task":
            state = "done" if e.done_at else "open"
            label = f"Task {submission.public_id}/{e.number} for {_party(e.assignee)} ({state})"
        out.append(
            {"at": show_time(e.at, zone), "party": _party(e.party), "label": label, "body": e.body}
        )
    return out


def _detail(session: Session, v: Visitor, public_id: str) -> dict[str, Any]:
    """Exactly chat's `incident ID`: unknown and not-yours raise the same NotFound."""
    scope = scope_for(v.principal)
    submission = submissions.get_visible(session, scope, public_id)
    incident = submission.incident
    if incident is None:
        raise no_such_report(public_id)
    audit.record_reads(session, v.principal, [submission])
    zone = zones.zone_for(session, v.principal)
    owner = submission.owner_state == v.principal.party
    grantees = sharing.grantees_of(session, submission.id) if owner else None
    return {
        **row_view(submission, zone),
        "when": show_time(incident.occurred_at, zone, utc_too=True),
        "where": where(incident),
        "status": incident.status,
        "description": incident.description,
        "owned": owner,
        "shares": [(g, describe(g)) for g in grantees] if grantees is not None else None,
        "links": [(e.code, e.title) for e in links.links_of(session, scope, submission)],
        "timeline": [
            (show_time(u.at, zone), u.author_state, u.body)
            for u in updates.timeline(session, scope, submission.id)
        ],
        "log": _log(session, scope, submission.public_id, zone),
    }


@routes.get("/reports/new")
async def report_form(request: web.Request) -> web.Response:
    def check(_session: Session, v: Visitor) -> None:
        require(v.principal, Action.FILE_REPORT)

    _, who = await work(request, check)
    return page(request, "report_new.html", who, title="File a report", v={}, **choices())


@routes.post("/reports")
async def report_file(request: web.Request) -> web.StreamResponse:
    """Chat's filing: a report that looks like one the filer may see is held (nothing written)
    and the form asks: add it to that report as a dated update, or file it anyway."""
    form = await request.post()
    values = {k: str(form.get(k, "")) for k in ("category", "severity", "title", "what")}
    values |= {k: str(form.get(k, "")) for k in ("where", "when", "tlp")}
    confirm = str(form.get("confirm", ""))[:60]
    now = request.app[CONSOLE].clock()

    def file(session: Session, v: Visitor) -> tuple[str, Any]:
        require(v.principal, Action.FILE_REPORT)
        zone = zones.zone_for(session, v.principal)
        data = incidents.IncidentInput(
            category=fields.category(values["category"]).key,
            severity=fields.severity(values["severity"]),
            title=fields.title(values["title"]),
            description=fields.what(values["what"]),
            location=fields.where(values["where"]),
            occurred_at=fields.when(values["when"], now, zone),
            tlp=fields.tlp(values["tlp"] or "AMBER"),
            place=fields.place(values["where"], places_of(session, v.principal.state)),
        )
        if confirm.startswith("add:"):
            at = f" (at {data.location}" if data.location else " ("
            body = f"{data.description}{at}, {show_time(data.occurred_at, zone)})"
            added, _, _ = updates.add_update(session, v.principal, confirm[4:], body, now, None)
            return "added", added.public_id
        if confirm != "file":
            place = data.place or PlaceFound("")
            found = similar.similar_reports(
                session,
                scope_for(v.principal),
                similar.Filing(
                    data.description, data.occurred_at, place.name, place.lat, place.lon
                ),
            )
            if found:
                return "held", _held(v, found)
        return "filed", incidents.file_incident(session, v.principal, data).public_id

    try:
        (outcome, result), who = await work(request, file)
    except InvalidInput as error:
        _, who = await work(request, lambda s, v: None)
        return _form(request, who, values, status=400, error=error.message)
    if outcome == "held":
        return _form(request, who, values, held=result)
    return see_other(f"/web/reports/{result}" + ("?added=1" if outcome == "added" else ""))


def _held(v: Visitor, found: list[similar.Similar]) -> list[dict[str, Any]]:
    """Chat's words for each similar report, and whether the filer may add to it."""
    return [
        {
            "id": s.submission.public_id,
            "line": similar_line(s),
            "add": s.submission.owner_state == v.principal.owner_party
            and allowed(v.principal, Action.CHANGE_REPORT),
        }
        for s in found
    ]


def _form(
    request: web.Request,
    who: dict[str, Any],
    values: dict[str, str],
    status: int = 200,
    **more: Any,
) -> web.Response:
    return page(
        request,
        "report_new.html",
        who,
        status=status,
        title="File a report",
        v=values,
        **more,
        **choices(),
    )


@routes.get("/reports/{public_id}")
async def report_detail(request: web.Request) -> web.Response:
    public_id = request.match_info["public_id"][:40]
    data, who = await work(request, lambda s, v: _detail(s, v, public_id))
    notice = None
    if request.query.get("added"):
        notice = f"Added to {data['id']} as a dated update; no new report was filed."
    return page(request, "report.html", who, title=data["id"], r=data, notice=notice, **choices())


async def _change(request: web.Request, verb: str) -> web.Response:
    """share / unshare / edit: the chat services, then the report page with what happened."""
    public_id = request.match_info["public_id"][:40]
    form = await request.post()
    now = request.app[CONSOLE].clock()

    def change(session: Session, v: Visitor) -> tuple[str, dict[str, Any]]:
        if verb == "share":
            words = str(form.get("targets", "")).split()
            done, changes = sharing.share(session, v.principal, public_id, words)
            said = ", ".join(
                f"{describe(c.target)}{'' if c.changed else ' (already)'}" for c in changes
            )
            notice = f"Shared {done.public_id} with {said}."
        elif verb == "unshare":
            words = str(form.get("targets", "")).split()
            done, changes, _left = sharing.unshare(session, v.principal, public_id, words, now)
            notice = f"Unshared {done.public_id}: " + ", ".join(
                f"{describe(c.target)}{'' if c.changed else ' (was not shared)'}" for c in changes
            )
        else:
            zone = zones.zone_for(session, v.principal)
            field, value = str(form.get("field", "")), str(form.get("value", ""))
            done = incidents.edit_incident(session, v.principal, public_id, field, value, now, zone)
            notice = f"Changed {field} of {done.public_id}."
        return notice, _detail(session, v, done.public_id)

    try:
        (notice, data), who = await work(request, change)
    except InvalidInput as error:
        data, who = await work(request, lambda s, v: _detail(s, v, public_id))
        return page(
            request,
            "report.html",
            who,
            status=400,
            title=data["id"],
            r=data,
            error=error.message,
            **choices(),
        )
    return page(request, "report.html", who, title=data["id"], r=data, notice=notice, **choices())


@routes.post("/reports/{public_id}/share")
async def report_share(request: web.Request) -> web.Response:
    return await _change(request, "share")


@routes.post("/reports/{public_id}/unshare")
async def report_unshare(request: web.Request) -> web.Response:
    return await _change(request, "unshare")


@routes.post("/reports/{public_id}/edit")
async def report_edit(request: web.Request) -> web.Response:
    return await _change(request, "edit")
