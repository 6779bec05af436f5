"""alert, alerts, ack, register: the secretariat's broadcasts, seen from the chat.

Composing is a guided form kept in the member's Draft (so a restart loses nothing); each step is
checked as it is answered, and the confirm step runs the same `alerts.validate` and
`alerts.create` as `secbot alert send`, then sends nothing itself: the outbox does.
"""

from __future__ import annotations

from typing import Any

from secbot.admin import channels as channel_ops
from secbot.db.models import Draft
from secbot.domain.cap import CATEGORY_LABELS, CapCategory, CapCertainty, CapSeverity, CapUrgency
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import FormErrors, InvalidInput, NotPermitted
from secbot.engine import drafts
from secbot.engine.alert_render import heading, list_line, status_text
from secbot.engine.context import Context
from secbot.engine.messages import Button, Reply, rows
from secbot.services import alerts
from secbot.services.identity import find_channel, require_role

FLOW = "alert"
STEPS = (
    "headline",
    "body",
    "severity",
    "urgency",
    "certainty",
    "category",
    "audience",
    "tags",
    "expires",
    "confirm",
)
CANCEL = Button("✖ Cancel", "/cancel")


def _question(ctx: Context, step: str, data: dict[str, Any]) -> Reply:
    head = f"New alert · step {STEPS.index(step) + 1} of {len(STEPS)}\n"
    if step == "headline":
        return Reply(head + "Headline? One line, under 160 characters.", ((CANCEL,),), form=FLOW)
    if step == "body":
        return Reply(
            head + "The message itself: what is happening and what to do.", ((CANCEL,),), form=FLOW
        )
    if step in ("severity", "urgency", "certainty"):
        vocab = {"severity": CapSeverity, "urgency": CapUrgency, "certainty": CapCertainty}[step]
        buttons = [Button(v.value, v.value) for v in vocab]
        return Reply(head + f"{step.capitalize()}?", (*rows(buttons, 3), (CANCEL,)), form=FLOW)
    if step == "category":
        buttons = [Button(CATEGORY_LABELS[c], c.value) for c in CapCategory]
        return Reply(head + "Category?", (*rows(buttons, 3), (CANCEL,)), form=FLOW)
    if step == "audience":
        return Reply(
            head + "Who should get it? Tap, or type state codes like `BRB,JAM` (only channels "
            "whose members are all from those states receive it).",
            ((Button("All channels", "all"), Button("Secretariat", "secretariat")), (CANCEL,)),
            form=FLOW,
        )
    if step == "tags":
        tags = alerts.known_tags(ctx.session)
        known = f" Known tags: {', '.join(tags)}." if tags else ""
        return Reply(
            head + f"Only channels with certain tags? Type them, or tap No filter.{known}",
            ((Button("No filter", "none"), CANCEL),),
            form=FLOW,
        )
    if step == "expires":
        return Reply(
            head + "When does it expire? e.g. `6h`, `2 days`, `2026-12-01 18:00` (UTC).",
            (
                (Button("6 hours", "6h"), Button("24 hours", "24h"), Button("3 days", "3d")),
                (Button("No expiry", "none"), CANCEL),
            ),
            form=FLOW,
        )
    data_in = alerts.validate(ctx.session, data, ctx.now)
    channels = alerts.target_channels(
        ctx.session, data_in.audience_kind, data_in.audience_states, data_in.tags
    )
    if not channels:
        return Reply(
            head + alerts.summary(data_in) + "\n\nNo registered channel matches this audience, "
            "so it would reach nobody. Cancel, or start again with another audience.",
            ((CANCEL,),),
            form=FLOW,
        )
    return Reply(
        head
        + "Preview:\n"
        + alerts.summary(data_in)
        + f"\n\nThis will reach {alerts.reach(channels)}. Send it?",
        ((Button(f"📣 Send to {len(channels)}", "send"), CANCEL),),
        form=FLOW,
    )


def _draft(ctx: Context) -> Draft | None:
    return drafts.current(ctx, FLOW)


def alert(ctx: Context, args: str) -> list[Reply]:
    """`alert` composes (secretariat); `alert ID` shows one alert."""
    if args.strip():
        return show(ctx, args)
    ctx.require_direct("compose an alert")
    alerts.require_secretariat(ctx.principal, "send alerts")
    draft, resumed = drafts.resume_or_start(ctx, FLOW, STEPS[0])
    if resumed:
        return [
            Reply("You have an alert in progress; let's continue."),
            _question(ctx, draft.step, draft.data),
        ]
    return [_question(ctx, draft.step, draft.data)]


def answer(ctx: Context, text: str) -> list[Reply]:
    """One answer; a bad one re-asks and leaves the draft as it was."""
    draft = _draft(ctx)
    assert draft is not None
    alerts.require_secretariat(ctx.principal, "send alerts")
    data = dict(draft.data)
    step = draft.step
    value = text.strip()
    if step == "confirm":
        if value.lower() not in ("send", "yes", "confirm"):
            raise InvalidInput("Tap Send to broadcast it, or Cancel to drop it.")
        return _send(ctx, draft, data)
    data[step] = value
    try:
        _check_step(ctx, step, data)
    except InvalidInput as error:  # say what was wrong, and ask again with the buttons
        return [Reply(error.message), _question(ctx, step, draft.data)]
    draft.data = data
    draft.step = STEPS[STEPS.index(step) + 1]
    return [_question(ctx, draft.step, data)]


def _check_step(ctx: Context, step: str, data: dict[str, Any]) -> None:
    """Validate the whole form so far and keep only this step's complaint."""
    probe = {
        "headline": "Probe headline",
        "body": "Probe message",
        "severity": "Unknown",
        "urgency": "Unknown",
        "certainty": "Unknown",
        "category": "Other",
        "audience": "all",
        "tags": "",
        "expires": "none",
    }
    probe.update({k: v for k, v in data.items() if k in probe})
    try:
        alerts.validate(ctx.session, probe, ctx.now)
    except FormErrors as error:
        if step in error.fields:
            raise InvalidInput(error.fields[step]) from None


def _send(ctx: Context, draft: Draft, data: dict[str, Any]) -> list[Reply]:
    checked = alerts.validate(ctx.session, data, ctx.now)
    alert_row, _ = alerts.create(
        ctx.session,
        checked,
        principal=ctx.principal,
        sender=ctx.principal.label,
        origin="chat",
        now=ctx.now,
        request_key=f"chat:{data['nonce']}",
    )
    ctx.session.delete(draft)
    count = alerts.counts(ctx.session, alert_row.id)
    return [
        Reply(
            f"📣 {alerts.show_id(alert_row.id)} is on its way to {count.total} channels. "
            f"`alert {alerts.show_id(alert_row.id)}` shows who received and acknowledged it.",
            form=FLOW,
        )
    ]


def has_draft(ctx: Context) -> bool:
    return _draft(ctx) is not None


def show(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("look at an alert")
    if ctx.role is not None and ctx.role.is_secretariat:
        return [Reply(status_text(ctx.session, ctx.principal, args))]
    found = alerts.get_for(ctx.session, ctx.principal, alerts.parse_alert_id(args))
    acked = [
        a for a in alerts.acks(ctx.session, found.id) if a.member_id == ctx.principal.member_id
    ]
    text = alerts.message_text(found)
    if acked:
        return [Reply(f"{text}\n\nYou acknowledged it {acked[0].at:%Y-%m-%d %H:%M} UTC.")]
    # `/ack`: a button in a DM must never be read as the answer to an open form.
    ack = Button("✔ Acknowledge", f"/ack {alerts.show_id(found.id)}")
    return [Reply(text, ((ack,),))]


def list_alerts(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("list alerts")
    found = alerts.recent(ctx.session, ctx.principal, limit=10)
    if not found:
        return [Reply("No alerts yet.")]
    lines = ["Recent alerts (newest first):"]
    lines += [list_line(ctx.session, ctx.principal, a) for a in found]
    return [Reply("\n".join(lines))]


def ack(ctx: Context, args: str) -> list[Reply]:
    if not args.strip():
        raise InvalidInput("Which alert? e.g. `ack A-12`")
    alert_id = alerts.parse_alert_id(args.split()[0])
    channel_id = None
    if ctx.in_group:
        # The room reads the reply: name the alert only where every party was addressed.
        found = alerts.get_for(ctx.session, ctx.principal, alert_id)
        if not alerts.addressed_to_room(found, ctx.principal.place.audience):
            raise alerts.not_found(alert_id)
        i = ctx.inbound
        room = find_channel(ctx.session, i.platform, i.workspace, i.chat_id)
        channel_id = room.id if room is not None else None
    row, created = alerts.acknowledge(
        ctx.session, ctx.principal, alert_id, channel_id=channel_id, now=ctx.now
    )
    who = (ctx.inbound.display_name or "You") if ctx.in_group else "You"
    if not created:
        return [
            Reply(f"{who} acknowledged {alerts.show_id(alert_id)} already, at {row.at:%H:%M} UTC.")
        ]
    if ctx.in_group:
        return [Reply(f"✔ {who} acknowledged {alerts.show_id(alert_id)}.")]
    found = alerts.get_for(ctx.session, ctx.principal, alert_id)
    return [Reply(f"✔ You acknowledged {heading(found)}")]


def register(ctx: Context, args: str) -> list[Reply]:
    """`register AUDIENCE [#tag ...]` inside a group: registers this chat for alerts."""
    if not ctx.in_group:
        raise InvalidInput("Send `register AUDIENCE` inside the group or channel to register.")
    require_role(ctx.principal, Role.SECRETARIAT_ADMIN, Role.STATE_ADMIN, doing="register channels")
    words = args.split()
    if not words:
        raise InvalidInput(
            "Say who this chat is for: `register all`, `register secretariat` or "
            "`register BRB,JAM`, optionally with tags: `register all #weather #cyber`."
        )
    audience, tags = words[0], [w.lstrip("#") for w in words[1:]]
    kind, states = alerts.parse_audience(ctx.session, audience)
    if ctx.role is Role.STATE_ADMIN and (
        kind is not AudienceKind.STATES or list(states) != [ctx.principal.party]
    ):
        raise NotPermitted(
            f"A state admin can register a chat for their own state only: `register "
            f"{ctx.principal.party}`."
        )
    alerts.parse_tags(" ".join(tags))
    i = ctx.inbound
    existing = find_channel(ctx.session, i.platform, i.workspace, i.chat_id)
    if (
        ctx.role is Role.STATE_ADMIN
        and existing is not None
        and not (
            existing.audience_kind == AudienceKind.STATES
            and existing.audience_states == [ctx.principal.party]
        )
    ):
        raise NotPermitted(
            "This chat is already registered for another audience; only the secretariat can "
            "change that."
        )
    channel = channel_ops.add_channel(
        ctx.session,
        platform=i.platform,
        chat_id=i.chat_id,
        audience=audience,
        workspace=i.workspace,
        tags=tags,
        by=ctx.principal.label,
        # Only the secretariat may declare a room clean of the parties seen in it.
        keep_seen=ctx.role is not Role.SECRETARIAT_ADMIN,
    )
    tag_text = f" with tags {', '.join('#' + t for t in channel.tags)}" if channel.tags else ""
    return [
        Reply(
            f"This chat is registered (#{channel.id}) for "
            f"{alerts.audience_label(kind.value, list(states))}{tag_text}. "
            "Alerts for that audience will arrive here, and I will only show what every "
            "party here may see."
        )
    ]
