"""`alert`: the secretariat's compose form, a declaration over `alerts.fields`.

The confirm step previews the channels it will reach and, on Send, runs the same
`alerts.compose.validate` and `create` as `secbot alert send`; the outbox does the sending.
"""

from __future__ import annotations

from secbot.access.permissions import Action
from secbot.alerts import compose, fields
from secbot.alerts.audience import known_tags, target_channels
from secbot.alerts.status import counts
from secbot.alerts.text import show_id
from secbot.domain.cap import CATEGORY_LABELS, CapCategory, CapCertainty, CapSeverity, CapUrgency
from secbot.domain.errors import FormErrors
from secbot.engine.context import Context
from secbot.engine.forms import Choice, Field, Form, Preview
from secbot.engine.messages import Reply
from secbot.engine.render.alerts import reach, summary
from secbot.identity.partners import list_partners


def _cap_field(name: str, kind: type[CapSeverity | CapUrgency | CapCertainty]) -> Field:
    return Field(
        name,
        name.capitalize(),
        f"{name.capitalize()}?",
        lambda text, ctx: fields.cap_choice(kind, name, text).value,
        kind="choice",
        choices=tuple(Choice(v.value, v.value) for v in kind),
        per_row=3,
    )


def _tags_hint(ctx: Context) -> str:
    tags = known_tags(ctx.session)
    return f" Known tags: {', '.join(tags)}." if tags else ""


def _audience_hint(ctx: Context) -> str:
    """The audience grammar names partners only when there are some (decision 0023)."""
    codes = [p.code for p in list_partners(ctx.session)]
    if not codes:
        return ""
    return (
        f" Partners are reached only by name: `partners` (every partner: {', '.join(codes)}) "
        f"or a code, e.g. `BRB, {codes[0]}`; `all` never includes them."
    )


def _preview(ctx: Context, values: dict[str, str]) -> Preview:
    try:
        data = compose.validate(ctx.session, values, ctx.now)
    except FormErrors as error:  # e.g. the expiry passed while the form was open
        return Preview(f"{error.message}\nCancel, and start again.", None)
    channels = target_channels(ctx.session, data.audience_kind, data.audience_states, data.tags)
    if not channels:
        return Preview(
            summary(data, ctx.zone)
            + "\n\nNo registered channel matches this audience, so it would "
            "reach nobody. Cancel, or start again with another audience.",
            None,
        )
    return Preview(
        "Preview:\n" + summary(data, ctx.zone) + f"\n\nThis will reach {reach(channels)}. Send it?",
        f"📣 Send to {len(channels)}",
    )


SENDER = "the secretariat"
"""Who every channel reads the alert is from: the organisation, never the officer's account id
(which officer sent it is in the audit log)."""


def _submit(ctx: Context, values: dict[str, str]) -> list[Reply]:
    checked = compose.validate(ctx.session, values, ctx.now)
    alert, _ = compose.create(
        ctx.session,
        checked,
        principal=ctx.principal,
        sender=SENDER,
        origin="chat",
        now=ctx.now,
        request_key=f"chat:{values['key']}",
    )
    n = counts(ctx.session, alert.id).total
    alert_id = show_id(alert.id)
    return [
        Reply(
            f"📣 {alert_id} is on its way to {n} channel{'' if n == 1 else 's'}. "
            f"`alert {alert_id}` shows who received and acknowledged it.",
            form=FORM.name,
        )
    ]


def _audience(text: str, ctx: Context) -> str:
    return fields.show_audience(*fields.audience(ctx.session, text))


def _expiry(text: str, ctx: Context) -> str:
    """Kept as typed (checked now), so `6h` counts from when the alert is sent."""
    fields.expiry(text, ctx.now)
    return text.strip()


FORM = Form(
    name="alert",
    title="New alert",
    action=Action.SEND_ALERT,
    doing="compose an alert",
    fields=(
        Field(
            "headline",
            "Headline",
            "Headline? One line, under 160 characters.",
            lambda text, ctx: fields.headline(ctx.session, text),
        ),
        Field(
            "body",
            "Message",
            "The message itself: what is happening and what to do.",
            lambda text, ctx: fields.body(ctx.session, text),
            kind="long_text",
        ),
        _cap_field("severity", CapSeverity),
        _cap_field("urgency", CapUrgency),
        _cap_field("certainty", CapCertainty),
        Field(
            "category",
            "Category",
            "Category?",
            lambda text, ctx: fields.cap_choice(CapCategory, "category", text).value,
            kind="choice",
            choices=tuple(Choice(CATEGORY_LABELS[c], c.value) for c in CapCategory),
            per_row=3,
        ),
        Field(
            "audience",
            "Audience",
            "Who should get it? Tap, or type state codes like `BRB,JAM` (only channels whose "
            "members are all from those parties receive it).",
            _audience,
            choices=(Choice("All channels", "all"), Choice("Secretariat", "secretariat")),
            hint=_audience_hint,
        ),
        Field(
            "tags",
            "Tags",
            "Only channels with certain tags? Type them, or tap No filter.",
            lambda text, ctx: " ".join(fields.tags(text)),
            choices=(Choice("No filter", "none"),),
            optional=True,
            hint=_tags_hint,
        ),
        Field(
            "expires",
            "Expires",
            "When does it expire? e.g. `6h`, `2 days`, `2026-12-01 18:00` (UTC).",
            _expiry,
            choices=(
                Choice("6 hours", "6h"),
                Choice("24 hours", "24h"),
                Choice("3 days", "3d"),
                Choice("No expiry", "none"),
            ),
            per_row=3,
            optional=True,
        ),
    ),
    submit=_submit,
    preview=_preview,
    confirm_words=("send", "yes", "confirm"),
    confirm_help="Tap Send to broadcast it, or Cancel to drop it.",
    resumed="You have an alert in progress; let's continue.",
    cancelled="Cancelled; nothing was sent.",
)
