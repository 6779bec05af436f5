"""alert, alerts, ack: the secretariat's broadcasts, seen from the chat."""

from __future__ import annotations

from secbot.access.permissions import Action, allowed, require
from secbot.alerts import fields, status
from secbot.alerts.audience import addressed_to_room
from secbot.alerts.text import message_text, show_id
from secbot.domain.errors import InvalidInput
from secbot.domain.when import show_time
from secbot.engine import paging
from secbot.engine.context import Context
from secbot.engine.forms import runner as forms
from secbot.engine.messages import Button, Reply
from secbot.engine.render.alerts import heading, list_line, status_text
from secbot.engine.verbs import alert_form
from secbot.identity.channels import find_channel


def alert(ctx: Context, args: str) -> list[Reply]:
    """`alert` composes (secretariat); `alert ID` shows one alert."""
    if args.strip():
        return show(ctx, args)
    return forms.start(ctx, alert_form.FORM)


def show(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("look at an alert")
    if allowed(ctx.principal, Action.SEE_ALERT_STATUS):
        return [Reply(status_text(ctx.session, ctx.principal, args, zone=ctx.zone))]
    require(ctx.principal, Action.READ)
    found = status.get_for(ctx.session, ctx.principal, fields.alert_id(args))
    acked = [
        a for a in status.acks(ctx.session, found.id) if a.member_id == ctx.principal.member_id
    ]
    text = message_text(found)
    if acked:
        return [Reply(f"{text}\n\nYou acknowledged it {show_time(acked[0].at, ctx.zone)}.")]
    # `/ack`: a button in a DM must never be read as the answer to an open form.
    ack_button = Button("✔ Acknowledge", f"/ack {show_id(found.id)}")
    return [Reply(text, ((ack_button,),))]


PAGE = 10


def list_alerts(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    ctx.require_direct("list alerts")
    if args.strip():
        raise InvalidInput("`alerts` takes no arguments. To open one: alert ID, e.g. alert A-12")
    found = status.recent(ctx.session, ctx.principal, limit=offset + PAGE + 1)
    shown, next_offset = paging.window(found, offset, PAGE)
    buttons = paging.remember(ctx, "alerts", "", next_offset)
    if not found:
        return [Reply("No alerts yet.")]
    if not shown:
        return [Reply("That was all the alerts. Send `alerts` to start again.")]
    lines = ["Recent alerts (newest first):"]
    lines += [list_line(ctx.session, ctx.principal, a, ctx.zone) for a in shown]
    more = "\nSend `more` for older ones." if next_offset is not None else ""
    return [Reply("\n".join(lines) + more, (buttons,) if buttons else ())]


def ack(ctx: Context, args: str) -> list[Reply]:
    require(ctx.principal, Action.ACKNOWLEDGE)
    if not args.strip():
        raise InvalidInput("Which alert? e.g. `ack A-12`")
    alert_id = fields.alert_id(args.split()[0])
    channel_id = None
    if ctx.in_group:
        # The room reads the reply: name the alert only where every party was addressed.
        found = status.get_for(ctx.session, ctx.principal, alert_id)
        if not addressed_to_room(found, ctx.principal.place.audience):
            raise status.not_found(alert_id)
        i = ctx.inbound
        room = find_channel(ctx.session, i.platform, i.workspace, i.chat_id)
        channel_id = room.id if room is not None else None
    row, created = status.acknowledge(
        ctx.session, ctx.principal, alert_id, channel_id=channel_id, now=ctx.now
    )
    who = (ctx.inbound.display_name or "You") if ctx.in_group else "You"
    if not created:
        at = show_time(row.at, ctx.zone)
        return [Reply(f"{who} acknowledged {show_id(alert_id)} already, at {at}.")]
    if ctx.in_group:
        return [Reply(f"✔ {who} acknowledged {show_id(alert_id)}.")]
    found = status.get_for(ctx.session, ctx.principal, alert_id)
    return [Reply(f"✔ You acknowledged {heading(found)}")]
