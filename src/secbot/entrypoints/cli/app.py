"""The Typer application and its command groups; each module beside this one adds commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="secbot: security co-ordination assistant"
)
admin = typer.Typer(no_args_is_help=True, help="Administer states, invites, members, channels")
state_cli = typer.Typer(no_args_is_help=True, help="Member states")
invite_cli = typer.Typer(no_args_is_help=True, help="Single-use invite codes")
member_cli = typer.Typer(
    no_args_is_help=True, help="Chat accounts bound to a state or the secretariat"
)
partner_cli = typer.Typer(no_args_is_help=True, help="Partner organisations (non-state actors)")
channel_cli = typer.Typer(no_args_is_help=True, help="Registered group chats and their audiences")
index_cli = typer.Typer(no_args_is_help=True, help="The retrieval index (derived from SQL)")
alert_cli = typer.Typer(no_args_is_help=True, help="Secretariat alerts to registered channels")
app.add_typer(alert_cli, name="alert")
app.add_typer(index_cli, name="index")
app.add_typer(admin, name="admin")
admin.add_typer(state_cli, name="state")
admin.add_typer(invite_cli, name="invite")
admin.add_typer(member_cli, name="member")
admin.add_typer(channel_cli, name="channel")
admin.add_typer(partner_cli, name="partner")
