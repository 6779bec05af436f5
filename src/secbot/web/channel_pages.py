"""Channels (admins): registered rooms, their audiences, tags and status; remove one. A state
admin sees and removes only its own state's rooms (those it could register in chat)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from secbot.access.permissions import Action, require
from secbot.alerts.audience import audience_label
from secbot.db.models import Channel
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import NotFound
from secbot.identity import channels
from secbot.identity.web_access import Visitor
from secbot.web.core import page, work

routes = web.RouteTableDef()


def _manages(v: Visitor, channel: Channel) -> bool:
    if v.principal.role is Role.SECRETARIAT_ADMIN:
        return True
    own = v.principal.state
    return channel.audience_kind == AudienceKind.STATES and channel.audience_states == [own]


def _rooms(session: Session, v: Visitor) -> dict[str, Any]:
    require(v.principal, Action.REGISTER_CHANNEL)
    return {
        "rooms": [
            {
                "id": c.id,
                "title": c.title or c.chat_id,
                "platform": c.platform,
                "audience": audience_label(c.audience_kind, list(c.audience_states)),
                "tags": ", ".join(c.tags or []),
                "active": c.active,
            }
            for c in channels.list_channels(session)
            if _manages(v, c)
        ]
    }


@routes.get("/channels")
async def channel_list(request: web.Request) -> web.Response:
    data, who = await work(request, _rooms)
    return page(request, "channels.html", who, title="Channels", **data)


@routes.post("/channels/{channel_id}/remove")
async def channel_remove(request: web.Request) -> web.Response:
    raw = request.match_info["channel_id"][:12]

    def remove(session: Session, v: Visitor) -> dict[str, Any]:
        require(v.principal, Action.REGISTER_CHANNEL)
        room = session.get(Channel, int(raw)) if raw.isdigit() else None
        if room is None or not _manages(v, room):
            raise NotFound(f"No active channel #{raw} that you manage.")
        channels.remove_channel(session, room.id, by=v.principal.label)
        return {**_rooms(session, v), "notice": f"Channel #{room.id} removed: no more alerts."}

    data, who = await work(request, remove)
    return page(request, "channels.html", who, title="Channels", **data)
