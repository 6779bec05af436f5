"""`brief subscribe weekly|monthly [ZONE]`, `brief unsubscribe`, `brief schedule`: a room's
scheduled brief, computed under the room's group rule and delivered through the alert outbox
(docs/decisions/0021)."""

from __future__ import annotations

from secbot.access.permissions import Action, require
from secbot.alerts import brief_subscriptions as subs
from secbot.db.models import BriefSubscription, Channel
from secbot.domain.brief_periods import Cadence, next_due
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import InvalidInput, NotPermitted
from secbot.domain.zones import show_time, zone_named
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.identity import zones
from secbot.identity.channels import find_channel

WORDS = frozenset({"subscribe", "unsubscribe", "schedule"})
_WHEN = {Cadence.WEEKLY: "Mondays at 07:00", Cadence.MONTHLY: "on the 1st of each month at 07:00"}


def handle(ctx: Context, args: str) -> list[Reply]:
    """`args` starts with one of WORDS."""
    word, _, rest = args.strip().partition(" ")
    match word.lower():
        case "subscribe":
            return subscribe(ctx, rest)
        case "unsubscribe":
            return unsubscribe(ctx)
    return schedule(ctx)


def _room(ctx: Context, doing: str) -> Channel:
    if not ctx.in_group:
        raise InvalidInput(f"To {doing}, send it inside the registered group or channel.")
    i = ctx.inbound
    channel = find_channel(ctx.session, i.platform, i.workspace, i.chat_id, active_only=True)
    if channel is None:
        raise InvalidInput(
            "This chat is not registered, so it has no group rule to compute a brief under. "
            "An admin can register it first: `register all` or `register BRB,JAM`."
        )
    return channel


def _may_manage(ctx: Context, channel: Channel) -> None:
    require(ctx.principal, Action.SUBSCRIBE_BRIEF)
    own = (AudienceKind.STATES.value, [ctx.principal.party])
    if ctx.role is Role.STATE_ADMIN and (channel.audience_kind, channel.audience_states) != own:
        raise NotPermitted(
            "A state admin can schedule briefs only in a room registered for their own state; "
            "ask the secretariat for this one."
        )


def _describe(ctx: Context, sub: BriefSubscription) -> str:
    cadence, zone = Cadence(sub.cadence), zone_named(sub.timezone)
    upcoming = next_due(cadence, zone, max(ctx.now, sub.started_at))
    return (
        f"This room gets a {cadence.value} brief, {_WHEN[cadence]} {sub.timezone}; the next "
        f"is due {show_time(upcoming, zone)}. It counts only what every party here may see."
    )


def subscribe(ctx: Context, args: str) -> list[Reply]:
    channel = _room(ctx, "schedule a brief")
    _may_manage(ctx, channel)
    words = args.split()
    if not words or len(words) > 2:
        subs.parse_cadence("")  # raises the worded help
    cadence = subs.parse_cadence(words[0])
    zone = None
    if len(words) == 2:
        zone = zones.canonical(words[1])
        if zone is None:
            hint = zones.suggest(words[1])
            did_you = f" Did you mean {hint}?" if hint else ""
            raise InvalidInput(
                f"I don't know the time zone “{words[1][:60]}”.{did_you} Write it like "
                "America/Barbados, or `utc`."
            )
    sub = subs.subscribe(ctx.session, ctx.principal, channel, cadence, zone, ctx.now)
    return [Reply("Done. " + _describe(ctx, sub) + " Stop it with `brief unsubscribe`.")]


def unsubscribe(ctx: Context) -> list[Reply]:
    channel = _room(ctx, "stop a scheduled brief")
    _may_manage(ctx, channel)
    if subs.unsubscribe(ctx.session, ctx.principal, channel, ctx.now) is None:
        return [Reply("This room has no scheduled brief. Start one with `brief subscribe weekly`.")]
    return [Reply("Done: this room gets no more scheduled briefs.")]


def schedule(ctx: Context) -> list[Reply]:
    require(ctx.principal, Action.READ)
    channel = _room(ctx, "see the room's brief schedule")
    sub = subs.current(ctx.session, channel)
    if sub is None:
        return [
            Reply(
                "This room has no scheduled brief. An admin can start one with "
                "`brief subscribe weekly` or `brief subscribe monthly`."
            )
        ]
    return [Reply(_describe(ctx, sub))]
