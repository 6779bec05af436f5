"""start, help, join, whoami: the verbs that work before, and just after, joining."""

from __future__ import annotations

from secbot.access.principal import SECRETARIAT
from secbot.db.models import State
from secbot.domain.enums import Role
from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.services import identity

JOIN_HELP = (
    "Hello. I'm secbot, the security co-ordination assistant for member states' delegations.\n"
    "You haven't joined yet. Ask your state's admin (or the secretariat) for an invite code, "
    "then send it to me in a direct message:\n"
    "join ABCD-EFGH-JKMN"
)

READ_VERBS = [
    ("ask QUESTION", "a cited answer from the sources you may see (in a DM, just type it)"),
    ("reports", "what you can see: your state's and shared reports"),
    ("mine", "your state's reports"),
    ("incident ID", "one report, e.g. incident BRB-0007"),
    ("objectives [topic]", "agreed strategic objectives"),
    ("threats [topic]", "the threat registers"),
    ("threat CODE", "one register entry, e.g. threat RT-03"),
    ("contacts [state|area|topic]", "co-ordination contacts"),
    ("whoami", "your state, role and what this chat can show"),
    ("alerts", "recent alerts sent to you"),
    ("ack ID", "acknowledge an alert, e.g. ack A-12 (or tap its button)"),
]
SECRETARIAT_VERBS = [
    ("alert", "compose an alert to the registered channels, with a preview"),
    ("alert ID", "who received and who acknowledged an alert"),
]
ADMIN_VERBS = [
    ("register AUDIENCE [#tag]", "inside a group: register it for alerts (all, BRB,JAM...)"),
]
SUBMIT_VERBS = [
    ("report", "file an incident step by step (or: report <what happened>)"),
    ("edit ID FIELD VALUE", "correct one of your reports"),
    ("share ID TARGET...", "share with states, all or secretariat"),
    ("unshare ID TARGET", "take a share back"),
    ("threat add TEXT", "add to your state's own threat register"),
    ("cancel", "stop the form you are filling in"),
]


def start(ctx: Context, args: str) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(JOIN_HELP)]
    return [Reply(f"Welcome back. {_who(ctx)}"), *help_(ctx, "")]


def help_(ctx: Context, args: str) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(JOIN_HELP)]
    verbs = list(READ_VERBS)
    if ctx.role is not None and ctx.role.may_submit:
        verbs = SUBMIT_VERBS + verbs
    if ctx.role is not None and ctx.role.is_secretariat:
        verbs = SECRETARIAT_VERBS + verbs
    if ctx.role in (Role.STATE_ADMIN, Role.SECRETARIAT_ADMIN):
        verbs = verbs + ADMIN_VERBS
    lines = ["What I can do (a leading / is optional):"]
    lines += [f"• {verb} — {what}" for verb, what in verbs]
    if ctx.in_group:
        lines.append("In this group I only show what every party here may see.")
    return [Reply("\n".join(lines))]


def join(ctx: Context, args: str) -> list[Reply]:
    code = args.strip()
    if not code:
        raise InvalidInput("Send the code with the verb, e.g. join ABCD-EFGH-JKMN")
    if ctx.in_group:
        raise InvalidInput(
            "Please send your invite code to me in a direct message, not in a group. "
            "If others saw the code, ask your admin for a new one."
        )
    member = identity.join(ctx.session, ctx.account, code, ctx.now)
    ctx.principal = identity.principal_for(ctx.session, ctx.account, ctx.principal.place)
    state = ctx.session.get(State, member.state_code) if member.state_code else None
    where = f"{state.name} ({state.code})" if state else "the secretariat"
    return [
        Reply(
            f"Welcome. You have joined as {_role(Role(member.role))} for {where}.\n"
            "Send `help` to see what you can do."
        )
    ]


def whoami(ctx: Context, args: str) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(JOIN_HELP)]
    return [Reply(_who(ctx))]


def _role(role: Role) -> str:
    article = "an" if role.value[0] in "aeiou" else "a"
    return f"{article} {role.value.replace('_', ' ')}"


def _who(ctx: Context) -> str:
    p = ctx.principal
    assert p.role is not None
    if p.party == SECRETARIAT:
        who = f"You are {_role(p.role)} of the secretariat"
    else:
        state = ctx.session.get(State, p.party)
        who = f"You are {_role(p.role)} for {state.name if state else p.party} ({p.party})"
    if ctx.scope.sees_nothing:
        here = "Here I show regional knowledge only."
    elif ctx.in_group:
        here = "In this group I show only CLEAR or GREEN material every party here may see."
    else:
        here = "In this direct chat I show everything you are entitled to see."
    return f"{who}, on {ctx.inbound.platform}. {here}"
