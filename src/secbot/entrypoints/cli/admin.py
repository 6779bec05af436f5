"""`secbot admin`: states, invites, members, channels and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from secbot.access import audit
from secbot.domain.clock import utcnow
from secbot.domain.durations import validity
from secbot.domain.enums import Role
from secbot.entrypoints.cli.app import admin, channel_cli, invite_cli, member_cli, state_cli
from secbot.entrypoints.cli.common import CLI_ACTOR, fail, load_app, safe, transaction
from secbot.identity import channels as channel_ops
from secbot.identity import invites, members
from secbot.identity import states as state_ops


@state_cli.command("add")
def state_add(code: str, name: Annotated[list[str], typer.Argument()]) -> None:
    """Add a member state by its ISO alpha-3 code."""
    application = load_app()
    with transaction(application) as session:
        state = state_ops.add_state(session, code, " ".join(name), by=CLI_ACTOR)
        typer.echo(f"Added {state.code} {state.name}")


@state_cli.command("list")
def state_list() -> None:
    application = load_app()
    with application.db.transaction() as session:
        for state in state_ops.list_states(session):
            typer.echo(f"{state.code}  {state.name}")


MAX_INVITE_HOURS = 24 * 365


@invite_cli.command("create")
def invite_create(
    role: Annotated[Role, typer.Option(help="role the invite grants")],
    state: Annotated[
        str | None, typer.Option(help="state code; leave out for secretariat roles")
    ] = None,
    partner: Annotated[
        str | None, typer.Option(help="partner code, for the partner and partner_admin roles")
    ] = None,
    hours: Annotated[
        int | None, typer.Option(help="hours until it expires (default: SECBOT_INVITE_TTL_HOURS)")
    ] = None,
) -> None:
    """Print a single-use invite code (alone on the last line)."""
    if hours is not None and not 0 < hours <= MAX_INVITE_HOURS:
        raise fail(
            f"--hours must be a whole number of hours from 1 to {MAX_INVITE_HOURS} (a year), "
            f"e.g. --hours 24; you gave {hours}. Leave it out for the default.",
            2,
        )
    if state and partner:
        raise fail("Give --state or --partner, not both: a member belongs to one party.", 2)
    if role.is_partner and state:
        raise fail(f"The {role.value} role belongs to a partner: use --partner CODE.", 2)
    if partner and not role.is_partner:
        raise fail("Members of a partner take --role partner or --role partner_admin.", 2)
    party = partner or state
    application = load_app()
    ttl = timedelta(hours=hours if hours is not None else application.settings.invite_ttl_hours)
    now = utcnow()
    with transaction(application) as session:
        code = invites.create_invite(
            session, role=role, state_code=party, created_by=CLI_ACTOR, ttl=ttl, now=now
        )
    role_name = role.value.replace("_", " ")
    who = (
        f"a {role_name} of {party.upper()}"
        if party
        else ("a secretariat officer" if role_name == "secretariat" else f"a {role_name}")
    )
    typer.echo(f"Invite for {who}, single use, {validity(ttl, now)}; send it with `join`:")
    typer.echo(code)


@member_cli.command("list")
def member_list(state: Annotated[str | None, typer.Option()] = None) -> None:
    application = load_app()
    with application.db.transaction() as session:
        for m in members.list_members(session, state):
            status = f"revoked {m.revoked_at:%Y-%m-%d}" if m.revoked_at else "active"
            ws = f"{m.workspace}/" if m.workspace else ""
            party = m.state_code or "secretariat"
            typer.echo(f"#{m.id}  {m.platform}:{ws}{m.user_id}  {party}  {m.role}  {status}")


@member_cli.command("revoke")
def member_revoke(member_id: int) -> None:
    """Revoke member #ID (see `member list`); the account must join again with a new invite."""
    application = load_app()
    with transaction(application) as session:
        member = members.revoke_member(session, member_id, by=CLI_ACTOR, now=utcnow())
        typer.echo(f"Revoked #{member.id} {member.platform}:{member.user_id}")


@admin.command("audit")
def audit_log(
    state: Annotated[str | None, typer.Option(help="only events about or by this state")] = None,
    limit: Annotated[int, typer.Option()] = 100,
) -> None:
    """The audit log, newest first: who did what to which submission (never its content)."""
    application = load_app()
    with application.db.transaction() as session:
        for e in audit.events(session, state.upper() if state else None, limit):
            detail = " ".join(f"{k}={safe(v)}" for k, v in sorted(e.detail.items()))
            typer.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {safe(e.actor)}  {e.action}  {detail}")


@channel_cli.command("add")
def channel_add(
    platform: Annotated[str, typer.Option(help="telegram, slack or console")],
    id_: Annotated[str, typer.Option("--id", help="chat or channel id")],
    audience: Annotated[str, typer.Option(help="all, secretariat, or CODE,CODE")],
    workspace: Annotated[str, typer.Option(help="Slack team id")] = "",
    title: Annotated[str, typer.Option()] = "",
    tag: Annotated[list[str] | None, typer.Option(help="tag for alert targeting")] = None,
) -> None:
    """Register a group chat with its audience."""
    application = load_app()
    with transaction(application) as session:
        channel = channel_ops.add_channel(
            session,
            platform=platform,
            chat_id=id_,
            audience=audience,
            workspace=workspace,
            title=title,
            tags=tag or [],
            by=CLI_ACTOR,
        )
        typer.echo(f"Channel #{channel.id} registered for audience {audience}")


@channel_cli.command("list")
def channel_list() -> None:
    application = load_app()
    with application.db.transaction() as session:
        found = channel_ops.list_channels(session)
        if not found:
            typer.echo(
                "No channels registered yet. Add one with `secbot admin channel add --platform "
                "telegram|slack|console --id CHAT_ID --audience all`, or type `register all` "
                "in the group as an admin."
            )
        for c in found:
            audience = ",".join(c.audience_states) or c.audience_kind
            state = "active" if c.active else f"removed ({c.removed_reason or 'by an admin'})"
            typer.echo(
                f"#{c.id}  {c.platform}:{c.chat_id}  {audience}  {','.join(c.tags)}  {state}"
            )


@channel_cli.command("remove")
def channel_remove(channel_id: int) -> None:
    application = load_app()
    with transaction(application) as session:
        channel_ops.remove_channel(session, channel_id, by=CLI_ACTOR)
        typer.echo(f"Channel #{channel_id} removed")
