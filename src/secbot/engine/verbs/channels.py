"""register: an admin, inside a group, registers it for alerts and for the group rule."""

from __future__ import annotations

from secbot.access.permissions import Action, require
from secbot.alerts import fields
from secbot.alerts.audience import audience_label
from secbot.domain.enums import AudienceKind, Role
from secbot.domain.errors import InvalidInput, NotPermitted
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.identity.channels import add_channel, find_channel


def register(ctx: Context, args: str) -> list[Reply]:
    """`register AUDIENCE [#tag ...]`: a state admin only for its own state, and only a room
    not already registered for another audience."""
    if not ctx.in_group:
        raise InvalidInput("Send `register AUDIENCE` inside the group or channel to register.")
    require(ctx.principal, Action.REGISTER_CHANNEL)
    words = args.split()
    if not words:
        raise InvalidInput(
            "Say who this chat is for: `register all`, `register secretariat` or "
            "`register BRB,JAM`, optionally with tags: `register all #weather #cyber`."
        )
    audience, tags = words[0], [w.lstrip("#") for w in words[1:]]
    kind, states = fields.audience(ctx.session, audience)
    own = (AudienceKind.STATES, (ctx.principal.party,))
    state_admin = ctx.role is Role.STATE_ADMIN
    if state_admin and (kind, states) != own:
        raise NotPermitted(
            f"A state admin can register a chat for their own state only: `register "
            f"{ctx.principal.party}`."
        )
    fields.tags(" ".join(tags))
    i = ctx.inbound
    existing = find_channel(ctx.session, i.platform, i.workspace, i.chat_id)
    if (
        state_admin
        and existing is not None
        and (existing.audience_kind, tuple(existing.audience_states)) != own
    ):
        raise NotPermitted(
            "This chat is already registered for another audience; only the secretariat can "
            "change that."
        )
    channel = add_channel(
        ctx.session,
        platform=i.platform,
        chat_id=i.chat_id,
        audience=audience,
        workspace=i.workspace,
        tags=tags,
        by=ctx.principal.label,
        # Only the secretariat may declare a room clean of the parties seen in it.
        keep_seen=state_admin,
    )
    tag_text = f" with tags {', '.join('#' + t for t in channel.tags)}" if channel.tags else ""
    return [
        Reply(
            f"This chat is registered (#{channel.id}) for "
            f"{audience_label(kind.value, list(states))}{tag_text}. "
            "Alerts for that audience will arrive here, and I will only show what every "
            "party here may see."
        )
    ]
