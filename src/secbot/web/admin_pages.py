"""Members and invites, and the audit log: a state admin for its own state, the secretariat
admin for everyone, through identity/ and access/audit (the same services as the CLI)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, require
from secbot.db.models import Member
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput, NotFound, NotPermitted
from secbot.domain.zones import show_time
from secbot.identity import invites, members
from secbot.identity.web_access import Visitor
from secbot.web.core import CONSOLE, page, work

routes = web.RouteTableDef()
INVITE_TTL = timedelta(hours=72)
STATE_ROLES = (Role.DELEGATE, Role.FOCAL_POINT, Role.STATE_ADMIN)
AUDIT_ROWS = 200


def _own_state(v: Visitor) -> str | None:
    """The state an admin manages; None for the secretariat admin (all of them). Anyone else
    without a state (a partner, say) is refused here, so "no state" never reads as "all"."""
    if v.principal.role is Role.SECRETARIAT_ADMIN:
        return None
    if v.principal.state is None:
        raise NotPermitted("Only state admins and secretariat admins manage members.")
    return v.principal.state


def _roles(v: Visitor) -> list[str]:
    if v.principal.role is Role.SECRETARIAT_ADMIN:
        return [r.value for r in Role]
    return [r.value for r in STATE_ROLES]


def _members(session: Session, v: Visitor) -> dict[str, Any]:
    require(v.principal, Action.MANAGE_MEMBERS)
    shown = members.list_members(session, _own_state(v))
    return {
        "members": [
            {
                "id": m.id,
                "name": m.display_name or m.user_id,
                "account": f"{m.platform}:{m.user_id}",
                "state": m.state_code or "Secretariat",
                "role": m.role.replace("_", " "),
                "revoked": m.revoked_at is not None,
            }
            for m in shown
        ],
        "roles": _roles(v),
        "all_states": _own_state(v) is None,
    }


@routes.get("/members")
async def member_list(request: web.Request) -> web.Response:
    data, who = await work(request, _members)
    return page(request, "members.html", who, title="Members and invites", **data)


@routes.post("/members/{member_id}/revoke")
async def member_revoke(request: web.Request) -> web.Response:
    raw = request.match_info["member_id"]
    now = request.app[CONSOLE].clock()

    def revoke(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.MANAGE_MEMBERS)
        target = session.get(Member, int(raw)) if raw.isdigit() else None
        own = _own_state(v)
        if target is None or (own is not None and target.state_code != own):
            raise NotFound(f"There is no member #{raw[:12]} you manage.")
        if target.id == v.principal.member_id:
            raise InvalidInput("You cannot revoke yourself here; ask another admin.")
        members.revoke_member(session, target.id, by=v.principal.label, now=now)
        return {**_members(session, v), "notice": f"Member #{target.id} revoked."}

    data, who = await work(request, revoke)
    return page(request, "members.html", who, title="Members and invites", **data)


@routes.post("/invites")
async def invite_create(request: web.Request) -> web.Response:
    form = await request.post()
    role_text, state = str(form.get("role", "")), str(form.get("state", "")).strip().upper()
    now = request.app[CONSOLE].clock()

    def create(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.MANAGE_MEMBERS)
        if role_text not in _roles(v):
            raise InvalidInput(f"The role is one of: {', '.join(_roles(v))}.")
        role = Role(role_text)
        own = _own_state(v)
        code = invites.create_invite(
            session,
            role=role,
            state_code=own if own is not None else (state or None),
            created_by=v.principal.label,
            ttl=INVITE_TTL,
            now=now,
        )
        return {**_members(session, v), "invite": code}

    try:
        data, who = await work(request, create)
    except InvalidInput as error:
        data, who = await work(request, _members)
        return page(
            request, "members.html", who, status=400, title="Members", error=error.message, **data
        )
    return page(request, "members.html", who, title="Members and invites", **data)


def _events(session: Session, v: Visitor) -> list[dict[str, Any]]:
    require(v.principal, Action.READ_AUDIT)
    return [
        {
            "at": show_time(e.at),
            "actor": e.actor,
            "party": e.actor_party or "",
            "action": e.action,
            "state": e.owner_state or "",
            "detail": ", ".join(f"{k}={val}" for k, val in sorted(e.detail.items())),
        }
        for e in audit.events(session, _own_state(v), limit=AUDIT_ROWS)
    ]


def _filtered(rows: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [r for r in rows if action in r["action"]] if action else rows


@routes.get("/audit")
async def audit_log(request: web.Request) -> web.Response:
    action = request.query.get("action", "").strip()[:40]
    rows, who = await work(request, _events)
    return page(
        request, "audit.html", who, title="Audit log", rows=_filtered(rows, action), action=action
    )


@routes.get("/audit.csv")
async def audit_csv(request: web.Request) -> web.Response:
    action = request.query.get("action", "").strip()[:40]
    rows, _ = await work(request, _events)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["at", "actor", "party", "action", "state", "detail"])
    writer.writeheader()
    for row in _filtered(rows, action):
        # a cell starting with = + - @ is a formula in a spreadsheet: quote it as text
        writer.writerow(
            {k: f"'{v}" if str(v)[:1] in ("=", "+", "-", "@") else v for k, v in row.items()}
        )
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
