"""join and whoami: the verbs that work before, and just after, joining (`start` and `help`
read the verb registry, so they live there)."""

from __future__ import annotations

from secbot.access.principal import SECRETARIAT
from secbot.db.models import State
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.identity import accounts, invites
from secbot.identity.channels import find_channel

JOIN_HELP = (
    "Hello. I'm secbot, the security co-ordination assistant for member states' delegations.\n"
    "You haven't joined yet. Ask your state's admin (or the secretariat) for an invite code, "
    "then send it to me in a direct message:\n"
    "join ABCD-EFGH-JKMN"
)


def join(ctx: Context, args: str) -> list[Reply]:
    code = args.strip()
    if not code:
        raise InvalidInput("Send the code with the verb, e.g. join ABCD-EFGH-JKMN")
    if ctx.in_group:
        raise InvalidInput(
            "Please send your invite code to me in a direct message, not in a group. "
            "If others saw the code, ask your admin for a new one."
        )
    member = invites.join(ctx.session, ctx.account, code, ctx.now)
    ctx.principal = accounts.principal_for(ctx.session, ctx.account, ctx.principal.place)
    state = ctx.session.get(State, member.state_code) if member.state_code else None
    if state is None:
        joined = f"You have joined the secretariat as {_role(Role(member.role))}"
    else:
        joined = f"You have joined as {_role(Role(member.role))} for {state.name} ({state.code})"
    return [Reply(f"Welcome. {joined}.\nSend `help` to see what you can do.")]


def whoami(ctx: Context, args: str) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(JOIN_HELP)]
    return [Reply(who(ctx))]


_ROLE_NAMES = {Role.SECRETARIAT: "officer", Role.SECRETARIAT_ADMIN: "administrator"}
"""Said of someone already named as "of the secretariat": not "a secretariat"."""


def _role(role: Role) -> str:
    name = _ROLE_NAMES.get(role, role.value.replace("_", " "))
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name}"


def who(ctx: Context) -> str:
    p = ctx.principal
    assert p.role is not None
    if p.party == SECRETARIAT:
        who = f"You are {_role(p.role)} of the secretariat"
    else:
        state = ctx.session.get(State, p.party)
        who = f"You are {_role(p.role)} for {state.name if state else p.party} ({p.party})"
    room = None
    if ctx.in_group:
        i = ctx.inbound
        room = find_channel(ctx.session, i.platform, i.workspace, i.chat_id, active_only=True)
    if room is not None and room.stranger_seen_at is not None:
        here = (
            f"Someone who is not a member spoke here on {room.stranger_seen_at:%Y-%m-%d}, so "
            "I show regional knowledge only in this room until an admin registers it again."
        )
    elif ctx.scope.sees_nothing:
        here = "Here I show regional knowledge only."
    elif ctx.in_group:
        here = "In this group I show only CLEAR or GREEN material every party here may see."
    else:
        here = "In this direct chat I show everything you are entitled to see."
    return f"{who}, on {ctx.inbound.platform}. {here}"
